#include "cli/option_values.h"

#include "common/decimal.h"
#include "common/printable.h"

#include <charconv>

#include <fmt/format.h>

namespace mfsmon::cli {

namespace {

Error Invalid(std::string message) {
    return MakeError(ErrorKind::kInvalidArgument, std::move(message));
}

// No control characters and no spaces: what a host name or address can be.
bool Printable(std::string_view s) {
    for (unsigned char c : s) {
        if (c == ' ' || IsControl(c)) return false;
    }
    return true;
}

// Shown back to the user: cut and made printable so a hostile argument cannot break the line.
std::string Quote(std::string_view s) {
    std::string out = ControlCharsReplaced(s.substr(0, 40));
    if (s.size() > 40) out += "...";
    return "'" + out + "'";
}

}  // namespace

Result<double> ParseSeconds(std::string_view text, std::string_view what, double min, double max,
                            bool min_exclusive) {
    auto v = ParseDecimal(text);
    const bool low = v && (min_exclusive ? *v <= min : *v < min);
    if (!v || low || *v > max) {
        return Invalid(fmt::format("{} must be a number of seconds {}{:g}, {:g}], got {}", what,
                                   min_exclusive ? "in (" : "in [", min, max, Quote(text)));
    }
    return *v;
}

Result<std::uint16_t> ParsePort(std::string_view text) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || text.size() > 5 || ec != std::errc() || ptr != text.data() + text.size() ||
        value < 1 || value > 65535) {
        return Invalid(
            fmt::format("port must be a whole number from 1 to 65535, got {}", Quote(text)));
    }
    return static_cast<std::uint16_t>(value);
}

Result<HostPort> ParseHostPort(std::string_view text) {
    if (text.empty() || text.size() > 255 || !Printable(text)) {
        return Invalid(fmt::format(
            "host must be a name or address of 1 to 255 printable characters without spaces, "
            "got {}",
            Quote(text)));
    }
    HostPort out;
    std::string_view port;
    if (text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close == 1) {
            return Invalid(fmt::format("host {}: '[' without a matching ']'", Quote(text)));
        }
        out.host = std::string(text.substr(1, close - 1));
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                return Invalid(fmt::format("host {}: expected ':PORT' after ']'", Quote(text)));
            }
            port = rest.substr(1);
            if (port.empty()) return Invalid(fmt::format("host {}: empty port", Quote(text)));
        }
    } else if (const auto colon = text.find(':');
               colon != std::string_view::npos &&
               text.find(':', colon + 1) == std::string_view::npos) {
        out.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
        if (out.host.empty()) return Invalid(fmt::format("host {}: empty host name", Quote(text)));
        if (port.empty()) return Invalid(fmt::format("host {}: empty port", Quote(text)));
    } else {
        out.host = std::string(text);  // a name, an IPv4 address or a bare IPv6 address
    }
    if (!port.empty()) {
        auto p = ParsePort(port);
        if (!p) return Invalid(fmt::format("host {}: {}", Quote(text), p.error().message));
        out.port = *p;
    }
    return out;
}

Status CheckFormat(std::string_view text) {
    if (text == "text" || text == "json") return OkStatus();
    return Invalid(fmt::format("format must be text or json, got {}", Quote(text)));
}

}  // namespace mfsmon::cli
