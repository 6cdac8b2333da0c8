// A ClusterSnapshot rebuilt from one recorded cluster state (tests/fixtures/<version>/<state>):
// every part whose answer was recorded in that state, decoded by the real decoders with the
// version of the INFO answer recorded in the same mfscli run. The rules then run on what a
// real master and real chunkservers said, not on hand-made structs.
#pragma once

#include <string>
#include <string_view>

#include "model/cluster_snapshot.h"

namespace mfsmon::test {

// Throws std::runtime_error when a recorded answer does not decode (the decoder tests say
// which); parts with no recording in that state stay absent.
model::ClusterSnapshot RecordedSnapshot(std::string_view version, std::string_view state);

}  // namespace mfsmon::test
