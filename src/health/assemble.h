// From the rules' evaluation to the Report every renderer formats: mutes applied, the state
// (the worst finding not muted), a one-line summary naming the worst findings, and the long
// output (one line per finding, then the rules' own lines).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "health/evaluation.h"
#include "health/report.h"

namespace mfsmon::health {

// A mute is a code ("disks.io_error") or an area ("disks": every disks.* code).
bool IsMuted(std::string_view code, const std::vector<std::string>& mutes);
// A mute that names no code or area in the registry, or "" when all are known.
std::string UnknownMute(const std::vector<std::string>& mutes);

// `ok_summary` is the first line when nothing is wrong ("all 6 chunkservers connected").
Report Assemble(Evaluation ev, const std::vector<std::string>& mutes, std::string ok_summary);

// Moves `from` into `into`, prefixing perfdata labels with `prefix` + "_" (check health
// joins areas whose labels would collide: "used" of the cluster and of a chunkserver). A
// finding equal to one already in `into` (code, text, subject) is not added twice.
void Append(Evaluation& into, Evaluation from, std::string_view prefix);

}  // namespace mfsmon::health
