// Option values shared by every check command. First the parsing and checking of the values
// (everything but threshold ranges, which are the health stage's): each function either
// returns the value or a one-line message that says what was wrong and what is allowed; the
// CLI turns that into UNKNOWN with usage. Then the CLI11 options that take them, checked
// while parsing so that a bad value is a usage error before any connection, and the ranges as
// typed laid over the rules' defaults.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "common/result.h"
#include "health/replicas_rule.h"
#include "health/threshold_range.h"
#include "health/usage_threshold.h"

namespace mfsmon::cli {

// Seconds in [min, max] (or (min, max] when min_exclusive), e.g. "10" or "0.5".
Result<double> ParseSeconds(std::string_view text, std::string_view what, double min, double max,
                            bool min_exclusive);

// A TCP port, 1..65535.
Result<std::uint16_t> ParsePort(std::string_view text);

struct HostPort {
    std::string host;
    std::optional<std::uint16_t> port;
};

// "master", "10.0.0.1", "master:9421", "::1", "[::1]", "[::1]:9421". A name with one ':'
// carries a port; a bare IPv6 address (several ':') does not, unless bracketed.
Result<HostPort> ParseHostPort(std::string_view text);

// "text" or "json".
Status CheckFormat(std::string_view text);

// A seconds option as a duration, rounded to the millisecond.
std::chrono::milliseconds Milliseconds(double seconds);

// -H/--host and -P/--port of the master. "-H master:9421" is a common habit: SplitHostPort,
// called once parsing is done (from the command's callback), moves that port to `port`,
// refusing a second, different one given with -P.
void AddHostPort(CLI::App* app, std::string& host, std::uint16_t& port);
void SplitHostPort(const CLI::App& app, std::string& host, std::uint16_t& port);

// --format text|json.
void AddFormat(CLI::App* app, std::string& format);

// Seconds up to `max`; 0 only when `zero_allowed` (where 0 means "off" or "at once"). A bad
// value's message names the option by its long name ("-t,--timeout": "timeout").
struct SecondsLimit {
    double max;
    bool zero_allowed;
};
void AddSeconds(CLI::App* app, const std::string& name, double& target, const std::string& help,
                SecondsLimit limit);

// A warning and a critical range as typed; empty: the rule's default.
struct RangeTexts {
    std::string warning, critical;
};

// STEM-warning and STEM-critical (stem "--save-age"): Monitoring Plugins ranges (RANGE), or
// usage ranges (USAGE: a RANGE with one unit, percent or bytes).
void AddRanges(CLI::App* app, const std::string& stem, RangeTexts& target,
               const std::string& warning_help, const std::string& critical_help);
void AddUsages(CLI::App* app, const std::string& stem, RangeTexts& target,
               const std::string& warning_help, const std::string& critical_help);

// The ranges given over a rule's defaults. The options were validated while parsing, so
// parsing cannot fail here.
void Override(health::Thresholds& thresholds, const RangeTexts& texts);
void Override(health::UsageThresholds& thresholds, const RangeTexts& texts);

// The replica rule's ranges: `check replicas` and `check health` take the same ones.
struct ReplicaRangeTexts {
    RangeTexts missing, endangered, undergoal, marked;
};
health::ReplicasThresholds ReplicasThresholdsOf(const ReplicaRangeTexts& texts);

}  // namespace mfsmon::cli
