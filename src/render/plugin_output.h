// Monitoring Plugins output: "SERVICE STATE - summary | perfdata", then long output lines.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "health/report.h"

namespace mfsmon::render {

// perfdata item: 'label'=value[uom];[warn];[crit];[min];[max], trailing empty fields dropped.
std::string FormatPerfdatum(const health::Perfdatum& p);

// Nagios 4 keeps at most 8 KiB of a plugin's output (MAX_PLUGIN_OUTPUT_LENGTH), first line
// and long output together; what lies past it is cut mid-line.
inline constexpr std::size_t kNagiosOutputLimit = 8192;

// With `max_bytes` > 0 the output is kept within it: droppable perfdata (per-server detail,
// placed last by the rules) goes first, then long-output lines from the end, with one line
// saying what was left out. The status line, its summary and the totals always stay.
std::string RenderPluginOutput(std::string_view service, const health::Report& report,
                               std::size_t max_bytes = 0);

// One line: "SERVICE UNKNOWN - <what was wrong>".
std::string RenderPluginError(std::string_view service, const Error& error);

}  // namespace mfsmon::render
