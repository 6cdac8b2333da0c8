// Parsing and checking of option values (everything but threshold ranges, which are the
// health stage's). Each function either returns the value or a one-line message that says
// what was wrong and what is allowed; the CLI turns that into UNKNOWN with usage.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

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

}  // namespace mfsmon::cli
