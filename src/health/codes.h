// The registry of finding codes: one row per condition mfsmon can report. Codes are stable
// identifiers (`<area>.<condition>`, lower case): alerts, mutes, dashboards and the docs refer
// to them, so a code is never renamed or reused. `mfsmon explain`, docs/health-codes.md and
// the man page are generated from this table (a unit test fails when the docs drift).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "health/state.h"

namespace mfsmon::health {

struct CodeInfo {
    std::string_view code;     // "chunkservers.disconnected"
    State severity;            // default; thresholds or flags may change it
    std::string_view summary;  // one line: what the finding says
    std::string_view meaning;  // what is going on and why it matters
    std::string_view action;   // what to do
    std::string_view gui_ids;  // MooseFS 4.59 GUI self-check ids it covers, comma separated
    std::string_view check;    // the check that reports it ("chunkservers", ...)
};

std::span<const CodeInfo> Codes();
const CodeInfo* FindCode(std::string_view code);

// `mfsmon explain CODE` and `mfsmon explain`.
std::string ExplainCode(const CodeInfo& info);
std::string ListCodes();
// The docs page (docs/health-codes.md), generated from the table.
std::string CodesMarkdown();

}  // namespace mfsmon::health
