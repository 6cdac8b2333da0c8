#include "collect/collector.h"

#include <ctime>
#include <functional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "collect/master_session.h"
#include "model/ipv4.h"
#include "protocol/chunks_matrix_decoder.h"
#include "protocol/chunks_test_info_decoder.h"
#include "protocol/cserv_list_decoder.h"
#include "protocol/fs_test_info_decoder.h"
#include "protocol/hdd_list_decoder.h"
#include "protocol/info_decoder.h"
#include "protocol/layout_table.h"
#include "protocol/mass_resolve_paths_decoder.h"
#include "protocol/missing_chunks_decoder.h"
#include "protocol/mlog_list_decoder.h"
#include "protocol/module_info_decoder.h"
#include "protocol/sclass_info_decoder.h"
#include "transport/multi_exchange.h"

namespace mfsmon::collect {

namespace {

using protocol::Command;
using protocol::RequestForm;

// Caps on answer sizes, checked before anything is allocated. Generous: they bound garbage,
// not real clusters (a 10,000-server CSERV_LIST is 770 kB; the missing list holds at most
// 100,000 entries of 17 bytes).
constexpr std::uint32_t kMaxInfo = 4096;
constexpr std::uint32_t kMaxMatrix = 64 * 1024;
constexpr std::uint32_t kMaxList = 4u << 20;
constexpr std::uint32_t kMaxSmall = 4096;
constexpr std::uint32_t kMaxFsTest = 256 * 1024;
constexpr std::uint32_t kMaxHddList = 1u << 20;

// One version-dependent or version-independent request and what to do with its answer.
struct Pending {
    Command command;
    std::function<void(Result<transport::Frame>)> take;
};

// Decodes an answer into its part, or keeps the error. GCC 12 at -O3 warns that the
// std::variant inside Result frees an object it never allocated when an error is emplaced
// (a known false positive of -Wfree-nonheap-object with inlined variant destructors, GCC bug
// 108088); clang and the sanitizer builds see nothing. Silenced here only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif
template <typename T, typename Decode>
std::function<void(Result<transport::Frame>)> Into(model::Part<T>& part, Decode decode) {
    return [&part, decode](Result<transport::Frame> frame) {
        if (!frame) {
            part.emplace(frame.error());
            return;
        }
        part.emplace(decode(frame->payload));
    };
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace

Result<model::ClusterSnapshot> Collect(const CollectRequest& request,
                                       const transport::Deadline& deadline) {
    const PartSet& parts = request.parts;
    model::ClusterSnapshot snap;
    snap.master_host = request.host;
    snap.master_port = request.port;
    snap.collected_at = static_cast<std::int64_t>(std::time(nullptr));

    MasterSession session(request.host, request.port, request.pool);
    if (auto st = session.Connect(deadline); !st) return st.error();

    // First write: INFO and the requests every supported master accepts as they are.
    std::vector<Pending> pending;
    session.Queue({Command::kInfo, {}, kMaxInfo});
    model::Version version;
    auto queue = [&](Command command, RequestForm form, std::uint32_t cap,
                     std::function<void(Result<transport::Frame>)> take) {
        session.Queue({command, protocol::RequestPayload(form), cap});
        pending.push_back({command, std::move(take)});
    };
    if (parts.Has(Part::kMatrix)) {
        queue(Command::kChunksMatrix, RequestForm::kEmpty, kMaxMatrix,
              Into(snap.matrices, [&version](const std::vector<std::uint8_t>& p) {
                  return protocol::DecodeChunksMatrix(p, version);
              }));
    }
    if (parts.Has(Part::kMetaloggers)) {
        queue(Command::kMlogList, RequestForm::kEmpty, kMaxList,
              Into(snap.metaloggers, [&version](const std::vector<std::uint8_t>& p) {
                  return protocol::DecodeMlogList(p, version);
              }));
    }
    if (parts.Has(Part::kChunkLoop)) {
        queue(Command::kChunksTestInfo, RequestForm::kEmpty, kMaxSmall,
              Into(snap.chunk_loop, [&version](const std::vector<std::uint8_t>& p) {
                  return protocol::DecodeChunksTestInfo(p, version);
              }));
    }
    if (auto st = session.Flush(deadline); !st) return st.error();

    auto info_frame = session.Read(deadline);
    if (!info_frame) return info_frame.error();
    auto info = protocol::DecodeInfo(info_frame->payload);
    if (!info) return info.error();
    version = info->version;
    snap.info = std::move(*info);

    // Second write: the requests whose form depends on the version.
    auto queue_versioned = [&](Command command, std::uint32_t cap, auto& part, auto decode) {
        auto form = protocol::ChooseRequest(command, version);
        if (!form) {
            part.emplace(form.error());
            return;
        }
        const RequestForm f = *form;
        queue(command, f, cap,
              Into(part, [&version, f, decode](const std::vector<std::uint8_t>& p) {
                  return decode(p, version, f);
              }));
    };
    if (parts.Has(Part::kChunkservers) || parts.Has(Part::kDisks)) {
        queue_versioned(Command::kCservList, kMaxList, snap.chunkservers,
                        [](const std::vector<std::uint8_t>& p, const model::Version& v,
                           RequestForm f) { return protocol::DecodeCservList(p, v, f); });
    }
    if (parts.Has(Part::kStorageClasses)) {
        queue_versioned(Command::kSclassInfo, kMaxList, snap.storage_classes,
                        [](const std::vector<std::uint8_t>& p, const model::Version& v,
                           RequestForm f) { return protocol::DecodeSclassInfo(p, v, f); });
    }
    if (parts.Has(Part::kFsCheck)) {
        queue_versioned(Command::kFsTestInfo, kMaxFsTest, snap.fs_check,
                        [](const std::vector<std::uint8_t>& p, const model::Version& v,
                           RequestForm f) { return protocol::DecodeFsTestInfo(p, v, f); });
    }
    model::Part<std::vector<model::MissingChunk>> missing;
    if (parts.Has(Part::kMissingFiles)) {
        queue_versioned(Command::kMissingChunks, kMaxList, missing,
                        [](const std::vector<std::uint8_t>& p, const model::Version& v,
                           RequestForm f) { return protocol::DecodeMissingChunks(p, v, f); });
    }
    // INFO carries the metadata id from 4.4 on; older masters (3.0+) say it in MODULE_INFO.
    if (parts.Has(Part::kIdentity) && !snap.info.metadata_id &&
        protocol::AcceptsForm(Command::kModuleInfo, version, RequestForm::kEmpty)) {
        queue(Command::kModuleInfo, RequestForm::kEmpty, kMaxSmall,
              Into(snap.module_info, [&version](const std::vector<std::uint8_t>& p) {
                  return protocol::DecodeModuleInfo(p, version);
              }));
    }
    // A failed write is seen by the Reads below: the first that fails reconnects once and
    // sends again what is unanswered (master_session.h).
    (void)session.Flush(deadline);
    for (auto& p : pending) p.take(session.Read(deadline));

    // Third write: what the second one's answers name (the missing files' inodes, the
    // classes in use).
    pending.clear();
    model::MissingFiles files;
    if (missing && *missing) {
        files.chunks = std::move(missing->value());
        std::vector<std::uint32_t> inodes;
        std::set<std::uint32_t> seen;
        for (const auto& c : files.chunks) {
            if (inodes.size() >= request.resolve_paths) break;
            if (seen.insert(c.inode).second) inodes.push_back(c.inode);
        }
        if (!inodes.empty()) {
            session.Queue(
                {Command::kMassResolvePaths, protocol::MassResolvePathsPayload(inodes), kMaxList});
            pending.push_back({Command::kMassResolvePaths, [&](Result<transport::Frame> frame) {
                                   if (!frame) {
                                       files.paths_error = frame.error();
                                   } else if (auto paths = protocol::DecodeMassResolvePaths(
                                                  frame->payload, version);
                                              !paths) {
                                       files.paths_error = paths.error();
                                   } else {
                                       files.paths = std::move(*paths);
                                   }
                               }});
        }
    }
    // Masters before 4.44 have no per-class matrices: the part stays "not asked".
    const bool ask_class_matrices =
        parts.Has(Part::kClassMatrices) &&
        protocol::AcceptsForm(Command::kChunksMatrix, version, RequestForm::kClassId);
    const bool classes_read = snap.storage_classes && *snap.storage_classes;
    std::vector<model::ClassMatrices> class_matrices;
    if (ask_class_matrices && classes_read) {
        const auto& classes = snap.storage_classes->value().classes;
        class_matrices.reserve(classes.size());  // the callbacks below point into it
        for (const auto& c : classes) {
            if (!c.in_use()) continue;
            class_matrices.emplace_back(c.id, MakeError(ErrorKind::kProtocol, "not read"));
            auto& slot = class_matrices.back();
            session.Queue({Command::kChunksMatrix, protocol::ClassMatrixPayload(c.id), kMaxMatrix});
            pending.push_back(
                {Command::kChunksMatrix, [&slot, &version](Result<transport::Frame> frame) {
                     slot.matrices = frame ? protocol::DecodeChunksMatrix(frame->payload, version,
                                                                          RequestForm::kClassId)
                                           : Result<model::ChunkMatrices>(frame.error());
                 }});
        }
    }
    if (!pending.empty()) {
        (void)session.Flush(deadline);
        for (auto& p : pending) p.take(session.Read(deadline));
    }
    if (missing) {
        if (*missing) {
            snap.missing_files.emplace(std::move(files));
        } else {
            snap.missing_files.emplace(missing->error());
        }
    }
    if (ask_class_matrices) {
        if (!classes_read) {
            snap.class_matrices.emplace(MakeError(
                ErrorKind::kProtocol,
                "per-class chunk matrices not asked: the storage classes could not be read"));
        } else {
            snap.class_matrices.emplace(std::move(class_matrices));
        }
    }

    // Every master answer is read (or the connection is gone): the connection is in step.
    session.Release();

    if (parts.Has(Part::kDisks)) {
        if (!snap.chunkservers || !*snap.chunkservers) {
            snap.disks.emplace(MakeError(
                ErrorKind::kProtocol, "disks not asked: the chunkserver list could not be read"));
        } else {
            // Disconnected servers are not asked (they have no address to answer from); nor
            // are servers without a client port.
            std::vector<const model::ChunkServer*> asked;
            std::vector<transport::ExchangeTarget> targets;
            for (const auto& cs : snap.chunkservers->value()) {
                if (!cs.connected() || cs.port == 0) continue;
                asked.push_back(&cs);
                std::string host = model::Ipv4Text(cs.ip);
                const int reuse =
                    request.pool != nullptr ? request.pool->TakeChunkserver(host, cs.port) : -1;
                targets.push_back({std::move(host), cs.port, reuse});
            }
            transport::ExchangeRequest hdd{protocol::kCltocsHddList,
                                           {},
                                           protocol::kCstoclHddList,
                                           kMaxHddList,
                                           protocol::CommandName(Command::kHddList)};
            transport::ExchangeLimits limits{request.per_chunkserver,
                                             request.max_open_chunkservers};
            std::vector<int> kept;
            auto answers = transport::ExchangeAll(targets, hdd, limits, deadline,
                                                  request.pool != nullptr ? &kept : nullptr);
            for (std::size_t i = 0; i < kept.size(); ++i) {
                request.pool->GiveBackChunkserver(targets[i].host, targets[i].port, kept[i]);
            }
            std::vector<model::ServerDisks> disks;
            disks.reserve(asked.size());
            for (std::size_t i = 0; i < asked.size(); ++i) {
                const auto& cs = *asked[i];
                Result<std::vector<model::Disk>> decoded =
                    answers[i] ? protocol::DecodeHddList(answers[i]->payload, cs.version)
                               : Result<std::vector<model::Disk>>(answers[i].error());
                disks.emplace_back(model::ChunkServerName(cs), cs.csid, std::move(decoded));
            }
            snap.disks.emplace(std::move(disks));
        }
    }
    return snap;
}

}  // namespace mfsmon::collect
