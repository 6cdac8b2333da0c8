#include "protocol/replica_query.h"

#include <algorithm>
#include <thread>

#include "protocol/chunks_matrix_decoder.h"
#include "protocol/chunks_test_info_decoder.h"
#include "protocol/command_ids.h"
#include "protocol/info_decoder.h"
#include "protocol/layout_table.h"
#include "protocol/module_info_decoder.h"
#include "transport/connection.h"

namespace mfsmon::protocol {

namespace {

// Generous bounds for the answers we read: the largest known layouts are 205 and 3873 bytes.
constexpr std::uint32_t kMaxInfoLength = 4096;
constexpr std::uint32_t kMaxMatrixLength = 64 * 1024;
constexpr std::uint32_t kMaxSmallLength = 4096;
constexpr auto kSettlePoll = std::chrono::milliseconds(200);

Result<model::ChunkMatrices> ReadMatrix(transport::Connection& conn, const model::Version& version,
                                        const transport::Deadline& deadline) {
    auto frame = conn.ReadReply(kMatoclChunksMatrix, kMaxMatrixLength,
                                CommandName(Command::kChunksMatrix), deadline);
    if (!frame) return frame.error();
    return DecodeChunksMatrix(frame->payload, version);
}

Result<model::ChunkLoopInfo> ReadChunkLoop(transport::Connection& conn,
                                           const model::Version& version,
                                           const transport::Deadline& deadline) {
    auto frame = conn.ReadReply(kMatoclChunksTestInfo, kMaxSmallLength,
                                CommandName(Command::kChunksTestInfo), deadline);
    if (!frame) return frame.error();
    return DecodeChunksTestInfo(frame->payload, version);
}

Result<model::ModuleInfo> AskModuleInfo(transport::Connection& conn, const model::Version& version,
                                        const transport::Deadline& deadline) {
    if (auto st = conn.Send(transport::EncodeFrame(kCltoanModuleInfo, {}), deadline); !st) {
        return st.error();
    }
    auto frame = conn.ReadReply(kAntoclModuleInfo, kMaxSmallLength,
                                CommandName(Command::kModuleInfo), deadline);
    if (!frame) return frame.error();
    return DecodeModuleInfo(frame->payload, version);
}

}  // namespace

Result<model::ReplicaSnapshot> FetchReplicaSnapshot(const ReplicaQuery& query,
                                                    const transport::Deadline& deadline) {
    const auto started = transport::Deadline::Clock::now();
    auto conn = transport::Connection::Open(query.host, query.port, deadline);
    if (!conn) return conn.error();

    auto requests = transport::EncodeFrame(kCltomaInfo, {});
    const auto matrix_request = transport::EncodeFrame(kCltomaChunksMatrix, {});
    requests.insert(requests.end(), matrix_request.begin(), matrix_request.end());
    if (query.trend_parts) {
        const auto loop_request = transport::EncodeFrame(kCltomaChunksTestInfo, {});
        requests.insert(requests.end(), loop_request.begin(), loop_request.end());
    }
    if (auto st = conn->Send(requests, deadline); !st) return st.error();

    auto info_frame =
        conn->ReadReply(kMatoclInfo, kMaxInfoLength, CommandName(Command::kInfo), deadline);
    if (!info_frame) return info_frame.error();
    auto info = DecodeInfo(info_frame->payload);
    if (!info) return info.error();

    auto matrices = ReadMatrix(*conn, info->version, deadline);
    if (!matrices) return matrices.error();

    std::optional<Result<model::ChunkLoopInfo>> chunk_loop;
    std::optional<Result<model::ModuleInfo>> module_info;
    if (query.trend_parts) {
        chunk_loop = ReadChunkLoop(*conn, info->version, deadline);
        if (!info->metadata_id &&
            AcceptsForm(Command::kModuleInfo, info->version, RequestForm::kEmpty)) {
            module_info = AskModuleInfo(*conn, info->version, deadline);
        }
    }

    if (matrices->progress != 0 && query.settle.count() > 0) {
        const auto settle_end =
            std::min(started + query.settle, deadline.End() - deadline.Budget() / 4);
        while (matrices->progress != 0 &&
               transport::Deadline::Clock::now() + kSettlePoll < settle_end) {
            std::this_thread::sleep_for(kSettlePoll);
            if (auto st = conn->Send(matrix_request, deadline); !st) return st.error();
            auto again = ReadMatrix(*conn, info->version, deadline);
            if (!again) return again.error();
            matrices = std::move(again);
        }
    }

    model::ReplicaSnapshot snapshot;
    snapshot.master_host = query.host;
    snapshot.master_port = query.port;
    snapshot.info = std::move(*info);
    snapshot.matrices = std::move(*matrices);
    snapshot.chunk_loop = std::move(chunk_loop);
    snapshot.module_info = std::move(module_info);
    return snapshot;
}

}  // namespace mfsmon::protocol
