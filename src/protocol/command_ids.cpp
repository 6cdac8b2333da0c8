#include "protocol/command_ids.h"

namespace mfsmon::protocol {

namespace {

struct CommandNames {
    Command command;
    const char* request;
    const char* answer;
    std::uint32_t request_type;
};

constexpr CommandNames kNames[] = {
    {Command::kInfo, "CLTOMA_INFO", "MATOCL_INFO", kCltomaInfo},
    {Command::kChunksMatrix, "CLTOMA_CHUNKS_MATRIX", "MATOCL_CHUNKS_MATRIX", kCltomaChunksMatrix},
    {Command::kCservList, "CLTOMA_CSERV_LIST", "MATOCL_CSERV_LIST", kCltomaCservList},
    {Command::kHddList, "CLTOCS_HDD_LIST", "CSTOCL_HDD_LIST", kCltocsHddList},
    {Command::kMlogList, "CLTOMA_MLOG_LIST", "MATOCL_MLOG_LIST", kCltomaMlogList},
    {Command::kChunksTestInfo, "CLTOMA_CHUNKSTEST_INFO", "MATOCL_CHUNKSTEST_INFO",
     kCltomaChunksTestInfo},
    {Command::kFsTestInfo, "CLTOMA_FSTEST_INFO", "MATOCL_FSTEST_INFO", kCltomaFsTestInfo},
    {Command::kSclassInfo, "CLTOMA_SCLASS_INFO", "MATOCL_SCLASS_INFO", kCltomaSclassInfo},
    {Command::kMissingChunks, "CLTOMA_MISSING_CHUNKS", "MATOCL_MISSING_CHUNKS",
     kCltomaMissingChunks},
    {Command::kMassResolvePaths, "CLTOMA_MASS_RESOLVE_PATHS", "MATOCL_MASS_RESOLVE_PATHS",
     kCltomaMassResolvePaths},
    {Command::kModuleInfo, "CLTOAN_MODULE_INFO", "ANTOCL_MODULE_INFO", kCltoanModuleInfo},
};

const CommandNames* Find(Command c) {
    for (const auto& n : kNames) {
        if (n.command == c) return &n;
    }
    return nullptr;
}

}  // namespace

const char* CommandName(Command c) {
    const auto* n = Find(c);
    return n != nullptr ? n->request : "?";
}

const char* AnswerName(Command c) {
    const auto* n = Find(c);
    return n != nullptr ? n->answer : "?";
}

std::uint32_t RequestType(Command c) {
    const auto* n = Find(c);
    return n != nullptr ? n->request_type : 0;
}

std::uint32_t AnswerType(Command c) {
    return RequestType(c) + 1;
}

}  // namespace mfsmon::protocol
