#include "protocol/command_ids.h"

namespace mfsmon::protocol {

const char* CommandName(Command c) {
    switch (c) {
        case Command::kInfo:
            return "CLTOMA_INFO";
        case Command::kChunksMatrix:
            return "CLTOMA_CHUNKS_MATRIX";
    }
    return "?";
}

const char* AnswerName(Command c) {
    switch (c) {
        case Command::kInfo:
            return "MATOCL_INFO";
        case Command::kChunksMatrix:
            return "MATOCL_CHUNKS_MATRIX";
    }
    return "?";
}

}  // namespace mfsmon::protocol
