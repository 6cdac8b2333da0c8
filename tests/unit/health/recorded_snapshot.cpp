#include "recorded_snapshot.h"

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "../protocol/fixture_loader.h"
#include "model/ipv4.h"
#include "protocol/chunks_matrix_decoder.h"
#include "protocol/chunks_test_info_decoder.h"
#include "protocol/command_ids.h"
#include "protocol/cserv_list_decoder.h"
#include "protocol/fs_test_info_decoder.h"
#include "protocol/hdd_list_decoder.h"
#include "protocol/info_decoder.h"
#include "protocol/layout_table.h"
#include "protocol/mass_resolve_paths_decoder.h"
#include "protocol/missing_chunks_decoder.h"
#include "protocol/mlog_list_decoder.h"
#include "protocol/sclass_info_decoder.h"

namespace mfsmon::test {

namespace {

namespace fs = std::filesystem;
using protocol::RequestForm;

template <typename T>
T Must(Result<T> r, const fs::path& where) {
    if (!r) throw std::runtime_error(where.string() + ": " + r.error().message);
    return std::move(r).value();
}

struct Recorded {
    fs::path dir;
    model::MasterInfo info;
};

// The option folder of this state, if recorded, with its INFO decoded.
std::optional<Recorded> Option(std::string_view version, std::string_view state,
                               std::string_view option) {
    const fs::path dir = VersionDir(version) / std::string(state) / std::string(option);
    if (!fs::is_directory(dir)) return std::nullopt;
    const auto infos = MasterAnswersIn(dir, protocol::kMatoclInfo);
    if (infos.empty()) throw std::runtime_error("no INFO answer in " + dir.string());
    Recorded r{dir, Must(protocol::DecodeInfo(ReadPacket(infos.front().path).payload), dir)};
    return r;
}

// The payload of the first master answer of `type` and the request that asked for it.
struct Exchange {
    std::vector<std::uint8_t> request;
    std::vector<std::uint8_t> answer;
    fs::path file;
};
std::optional<Exchange> MasterExchange(const fs::path& dir, std::uint32_t type) {
    const auto packets = ListPackets(dir);
    std::optional<std::vector<std::uint8_t>> request;
    for (const auto& p : packets) {
        if (p.peer != "master") continue;
        if (!p.answer && p.type + 1 == type) request = ReadPacket(p.path).payload;
        if (p.answer && p.type == type && request) {
            return Exchange{*request, ReadPacket(p.path).payload, p.path};
        }
    }
    return std::nullopt;
}

RequestForm FormOf(const std::vector<std::uint8_t>& request) {
    if (request.empty()) return RequestForm::kEmpty;
    switch (request.front()) {
        case 0x00:
            return RequestForm::kPver1;
        case 0x01:
            return RequestForm::kMode1;
        case 0x05:
            return RequestForm::kFver5;
        default:
            throw std::runtime_error("unexpected request form");
    }
}

}  // namespace

model::ClusterSnapshot RecordedSnapshot(std::string_view version, std::string_view state) {
    model::ClusterSnapshot snap;
    auto sic = Option(version, state, "SIC");
    if (!sic) throw std::runtime_error("no SIC recording for " + std::string(state));
    snap.master_host = "198.18.0.10";
    snap.master_port = 9421;
    snap.info = sic->info;
    snap.collected_at =
        sic->info.usec_time ? static_cast<std::int64_t>(*sic->info.usec_time / 1000000) : 0;
    const model::Version v = sic->info.version;
    if (auto m = MasterExchange(sic->dir, protocol::kMatoclChunksMatrix)) {
        snap.matrices.emplace(Must(protocol::DecodeChunksMatrix(m->answer, v), m->file));
    }
    if (auto shd = Option(version, state, "SHD")) {
        auto list = MasterExchange(shd->dir, protocol::kMatoclCservList);
        if (!list) throw std::runtime_error("no CSERV_LIST in " + shd->dir.string());
        auto servers =
            Must(protocol::DecodeCservList(list->answer, shd->info.version, FormOf(list->request)),
                 list->file);
        std::vector<model::ServerDisks> disks;
        for (const auto& cs : servers) {
            if (!cs.connected()) continue;
            const std::string peer = fmt::format("cs{}_{}", model::Ipv4Text(cs.ip), cs.port);
            std::optional<fs::path> answer;
            for (const auto& p : ListPackets(shd->dir)) {
                if (p.peer == peer && p.answer && p.type == protocol::kCstoclHddList)
                    answer = p.path;
            }
            if (!answer) throw std::runtime_error("no HDD_LIST answer from " + peer);
            disks.emplace_back(model::ChunkServerName(cs), cs.csid,
                               protocol::DecodeHddList(ReadPacket(*answer).payload, cs.version));
        }
        snap.chunkservers.emplace(std::move(servers));
        snap.disks.emplace(std::move(disks));
    }
    if (auto smb = Option(version, state, "SMB")) {
        auto m = MasterExchange(smb->dir, protocol::kMatoclMlogList);
        if (!m) throw std::runtime_error("no MLOG_LIST in " + smb->dir.string());
        snap.metaloggers.emplace(Must(protocol::DecodeMlogList(m->answer, v), m->file));
    }
    if (auto sil = Option(version, state, "SIL")) {
        auto loop = MasterExchange(sil->dir, protocol::kMatoclChunksTestInfo);
        auto fs_check = MasterExchange(sil->dir, protocol::kMatoclFsTestInfo);
        if (!loop || !fs_check) throw std::runtime_error("no loop info in " + sil->dir.string());
        snap.chunk_loop.emplace(Must(protocol::DecodeChunksTestInfo(loop->answer, v), loop->file));
        snap.fs_check.emplace(
            Must(protocol::DecodeFsTestInfo(fs_check->answer, v, FormOf(fs_check->request)),
                 fs_check->file));
    }
    if (auto ssc = Option(version, state, "SSC")) {
        auto m = MasterExchange(ssc->dir, protocol::kMatoclSclassInfo);
        if (!m) throw std::runtime_error("no SCLASS_INFO in " + ssc->dir.string());
        snap.storage_classes.emplace(
            Must(protocol::DecodeSclassInfo(m->answer, v, FormOf(m->request)), m->file));
    }
    if (auto smf = Option(version, state, "SMF")) {
        auto m = MasterExchange(smf->dir, protocol::kMatoclMissingChunks);
        if (!m) throw std::runtime_error("no MISSING_CHUNKS in " + smf->dir.string());
        model::MissingFiles files;
        files.chunks =
            Must(protocol::DecodeMissingChunks(m->answer, v, FormOf(m->request)), m->file);
        if (auto paths = MasterExchange(smf->dir, protocol::kMatoclMassResolvePaths)) {
            files.paths = Must(protocol::DecodeMassResolvePaths(paths->answer, v), paths->file);
        }
        snap.missing_files.emplace(std::move(files));
    }
    return snap;
}

}  // namespace mfsmon::test
