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

// A parse's message, or "" when the value is fine: what a CLI11 validator returns.
template <typename ParseResult>
std::string MessageOf(const ParseResult& r) {
    return r ? std::string() : r.error().message;
}

// A CLI11 validator from one of the parsers here or the health stage's range parsers: a plain
// function with a fixed, empty description. CLI11's default_val, Range and IsMember format
// numbers through iostreams on every start, work a check run does not need.
template <auto Parse>
CLI::Validator Checked(const char* name) {
    return CLI::Validator([](const std::string& t) { return MessageOf(Parse(t)); }, "", name);
}

// STEM-warning and STEM-critical, checked by `Parse`, their values shown as `type`.
template <auto Parse>
void AddPair(CLI::App* app, const std::string& stem, RangeTexts& target,
             const std::string& warning_help, const std::string& critical_help, const char* type) {
    app->add_option(stem + "-warning", target.warning, warning_help)
        ->type_name(type)
        ->check(Checked<Parse>(type));
    app->add_option(stem + "-critical", target.critical, critical_help)
        ->type_name(type)
        ->check(Checked<Parse>(type));
}

// A range option's text over a default; "" keeps the default.
template <typename ParsedRange>
void Override(std::optional<ParsedRange>& slot, const std::string& text) {
    if (!text.empty()) slot = std::move(ParsedRange::Parse(text)).value();
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

std::chrono::milliseconds Milliseconds(double seconds) {
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000.0 + 0.5));
}

void AddHostPort(CLI::App* app, std::string& host, std::uint16_t& port) {
    app->add_option("-H,--host", host,
                    "master host name or address, optionally with :PORT (default mfsmaster)")
        ->check(Checked<ParseHostPort>("HOST"));
    app->add_option("-P,--port", port, "master client port (default 9421)")
        ->type_name("PORT")
        ->check(Checked<ParsePort>("PORT"));
}

void SplitHostPort(const CLI::App& app, std::string& host, std::uint16_t& port) {
    auto hp = ParseHostPort(host);  // validated while parsing
    if (!hp || !hp->port) return;
    if (app.count("--port") > 0 && port != *hp->port) {
        throw CLI::ValidationError("--host", "port " + std::to_string(*hp->port) +
                                                 " in --host differs from --port " +
                                                 std::to_string(port));
    }
    host = hp->host;
    port = *hp->port;
}

void AddFormat(CLI::App* app, std::string& format) {
    app->add_option("--format", format, "output: text (plugin, default) or json")
        ->type_name("FORMAT")
        ->check(Checked<CheckFormat>("FORMAT"));
}

void AddSeconds(CLI::App* app, const std::string& name, double& target, const std::string& help,
                SecondsLimit limit) {
    const std::string what = name.substr(name.rfind("--") + 2);
    app->add_option(name, target, help)
        ->type_name("SEC")
        ->check(CLI::Validator(
            [what, limit](const std::string& t) {
                return MessageOf(ParseSeconds(t, what, 0, limit.max, !limit.zero_allowed));
            },
            "", "SEC"));
}

void AddRanges(CLI::App* app, const std::string& stem, RangeTexts& target,
               const std::string& warning_help, const std::string& critical_help) {
    AddPair<health::Range::Parse>(app, stem, target, warning_help, critical_help, "RANGE");
}

void AddUsages(CLI::App* app, const std::string& stem, RangeTexts& target,
               const std::string& warning_help, const std::string& critical_help) {
    AddPair<health::UsageRange::Parse>(app, stem, target, warning_help, critical_help, "USAGE");
}

void Override(health::Thresholds& thresholds, const RangeTexts& texts) {
    Override(thresholds.warning, texts.warning);
    Override(thresholds.critical, texts.critical);
}

void Override(health::UsageThresholds& thresholds, const RangeTexts& texts) {
    Override(thresholds.warning, texts.warning);
    Override(thresholds.critical, texts.critical);
}

health::ReplicasThresholds ReplicasThresholdsOf(const ReplicaRangeTexts& texts) {
    auto t = health::ReplicasThresholds::Defaults();
    Override(t.missing, texts.missing);
    Override(t.endangered, texts.endangered);
    Override(t.undergoal, texts.undergoal);
    Override(t.marked, texts.marked);
    return t;
}

}  // namespace mfsmon::cli
