// Storage classes (SCLASS_INFO; 3.0.117 has them too, named "1".."9"): a class in use whose
// target cannot be fulfilled is a WARNING; per-class chunk counts are reported. Classes no
// file or directory uses are never rated: 7CP-9CP on a small cluster can never be fulfilled
// and must not alert.
#pragma once

#include "health/evaluation.h"
#include "model/cluster_snapshot.h"

namespace mfsmon::health {

void EvaluateClasses(const model::ClusterSnapshot& snapshot, Evaluation& ev);

// "no servers", "no space", "overloaded", "EC on hold", "yes".
std::string_view FulfillableText(model::Fulfillable f);

}  // namespace mfsmon::health
