// Monitoring Plugins output: "SERVICE STATE - summary | perfdata", then long output lines.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "health/report.h"

namespace mfsmon::render {

// perfdata item: 'label'=value[uom];[warn];[crit];[min];[max], trailing empty fields dropped.
std::string FormatPerfdatum(const health::Perfdatum& p);

std::string RenderPluginOutput(std::string_view service, const health::Report& report);

// One line: "SERVICE UNKNOWN - <what was wrong>".
std::string RenderPluginError(std::string_view service, const Error& error);

}  // namespace mfsmon::render
