// MATOCL_FSTEST_INFO (513): the filesystem check loop's last complete pass.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "model/fs_check.h"
#include "model/version.h"
#include "protocol/layout_table.h"

namespace mfsmon::protocol {

// `form` is the request that was sent (ChooseRequest): "pver 1" (byte 00) gets a 44-byte head
// with the missing trash/sustained counts, the empty request a 36-byte head without them.
// Then come exactly msgleng bytes of text; any other length is an error.
Result<model::FsCheckInfo> DecodeFsTestInfo(std::span<const std::uint8_t> payload,
                                            const model::Version& master, RequestForm form);

}  // namespace mfsmon::protocol
