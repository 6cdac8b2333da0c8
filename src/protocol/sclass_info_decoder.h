// MATOCL_SCLASS_INFO (543): allservers:16, then one self-sized record per storage class.
// Two layouts (layout_table.cpp): kSclass3 (3.0.75 .. 3.x, empty request) and kSclass4v5
// (4.57+, request byte 05). The 4.x names-only answer (request 0x80) is not decoded here.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "model/storage_class.h"
#include "model/version.h"
#include "protocol/layout_table.h"

namespace mfsmon::protocol {

// `master` is the version from MATOCL_INFO of the same connection and `form` the request
// that was sent (ChooseRequest's pick): together they select the layout, and a pair the
// layout table does not know is a kProtocol error. The records must tile the payload exactly;
// a record or a label list running past the end, or bytes left over, is a kProtocol error
// naming MATOCL_SCLASS_INFO, the record's position and class id, and what was cut.
Result<model::StorageClasses> DecodeSclassInfo(std::span<const std::uint8_t> payload,
                                               const model::Version& master, RequestForm form);

}  // namespace mfsmon::protocol
