#include "protocol/mass_resolve_paths_decoder.h"

#include <algorithm>
#include <limits>
#include <string>

#include <fmt/format.h>

#include "protocol/byte_reader.h"
#include "protocol/layout_table.h"

namespace mfsmon::protocol {

namespace {

constexpr const char* kAnswer = "MATOCL_MASS_RESOLVE_PATHS";

std::uint32_t Be32(std::span<const std::uint8_t> bytes, std::size_t at) {
    ByteReader r(bytes.subspan(at, 4));
    return r.U32();
}

}  // namespace

std::vector<std::uint8_t> MassResolvePathsPayload(std::span<const std::uint32_t> inodes) {
    std::vector<std::uint8_t> out;
    out.reserve(inodes.size() * 4);
    for (const std::uint32_t inode : inodes) {
        out.push_back(static_cast<std::uint8_t>(inode >> 24));
        out.push_back(static_cast<std::uint8_t>(inode >> 16));
        out.push_back(static_cast<std::uint8_t>(inode >> 8));
        out.push_back(static_cast<std::uint8_t>(inode));
    }
    return out;
}

Result<std::vector<model::InodePaths>> DecodeMassResolvePaths(std::span<const std::uint8_t> payload,
                                                              const model::Version& master) {
    // The table takes a 32-bit length; a longer span must not wrap onto a valid one.
    const auto length = static_cast<std::uint32_t>(
        std::min<std::size_t>(payload.size(), std::numeric_limits<std::uint32_t>::max()));
    auto layout = FindLayout(Command::kMassResolvePaths, master, RequestForm::kInodeList, length);
    if (!layout) return layout.error();

    // Errors name the record by number (from 1), inode and offset. They never quote a path:
    // paths are arbitrary bytes and the message must stay one printable line.
    const auto fail = [&](std::size_t record, std::size_t at, const std::string& what) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("{} answer of {} bytes from master {}: record {} at byte {}: "
                                     "{}",
                                     kAnswer, payload.size(), master.ToString(), record, at, what));
    };

    std::vector<model::InodePaths> out;
    std::size_t pos = 0;
    while (pos < payload.size()) {
        const std::size_t record = out.size() + 1;
        const std::size_t left = payload.size() - pos;
        if (left < 8) {
            return fail(record, pos,
                        fmt::format("{} bytes left, a record head (inode, psize) needs 8", left));
        }
        model::InodePaths rec;
        rec.inode = Be32(payload, pos);
        const std::uint32_t psize = Be32(payload, pos + 4);
        if (psize > left - 8) {
            return fail(record, pos,
                        fmt::format("inode {}: psize {} but {} bytes follow the head", rec.inode,
                                    psize, left - 8));
        }
        // psize 0: no path (trash or sustained only); rec.paths stays empty.
        std::size_t at = pos + 8;
        const std::size_t end = at + psize;
        while (at < end) {
            const std::size_t path_number = rec.paths.size() + 1;
            if (end - at < 4) {
                return fail(record, pos,
                            fmt::format("inode {}: path {} at byte {}: {} bytes left of psize {}, "
                                        "a path length needs 4",
                                        rec.inode, path_number, at, end - at, psize));
            }
            const std::uint32_t pleng = Be32(payload, at);
            at += 4;
            if (pleng > end - at) {
                return fail(record, pos,
                            fmt::format("inode {}: path {} at byte {}: pleng {} but {} bytes are "
                                        "left of psize {}",
                                        rec.inode, path_number, at - 4, pleng, end - at, psize));
            }
            const auto bytes = payload.subspan(at, pleng);
            rec.paths.emplace_back(bytes.begin(), bytes.end());
            at += pleng;
        }
        out.push_back(std::move(rec));
        pos = end;
    }
    return out;
}

}  // namespace mfsmon::protocol
