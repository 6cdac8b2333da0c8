#include "health/threshold_range.h"

#include <fmt/format.h>

#include "common/decimal.h"

namespace mfsmon::health {

namespace {

// The user's text as it may appear in a message: control characters (a newline would end
// the plugin's status line) are shown as \xNN.
std::string Printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x20 || b == 0x7f) {
            out += "\\x";
            out += "0123456789abcdef"[b >> 4];
            out += "0123456789abcdef"[b & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

Error BadRange(std::string_view text, std::string_view why) {
    return MakeError(ErrorKind::kInvalidArgument,
                     fmt::format("invalid threshold range '{}': {}", Printable(text), why));
}

}  // namespace

Result<Range> Range::Parse(std::string_view text) {
    Range r;
    r.text_ = std::string(text);
    std::string_view s = text;
    if (s.empty()) return BadRange(text, "empty");
    if (s[0] == '@') {
        r.inside_ = true;
        s.remove_prefix(1);
    }
    const auto colon = s.find(':');
    if (colon == std::string_view::npos) {
        auto end = ParseDecimal(s);
        if (!end) return BadRange(text, "expected a number, 'start:', '~:end' or 'start:end'");
        r.end_ = *end;
    } else {
        std::string_view start = s.substr(0, colon);
        std::string_view end = s.substr(colon + 1);
        if (start == "~") {
            r.has_start_ = false;
        } else if (start.empty()) {
            return BadRange(text, "missing start before ':' (use '~' for minus infinity)");
        } else {
            auto v = ParseDecimal(start);
            if (!v) return BadRange(text, fmt::format("'{}' is not a number", Printable(start)));
            r.start_ = *v;
        }
        if (end.empty()) {
            r.has_end_ = false;
        } else {
            auto v = ParseDecimal(end);
            if (!v) return BadRange(text, fmt::format("'{}' is not a number", Printable(end)));
            r.end_ = *v;
        }
    }
    if (r.has_start_ && r.has_end_ && r.start_ > r.end_) {
        return BadRange(text, "start is greater than end");
    }
    return r;
}

bool Range::Alerts(double value) const {
    const bool within = (!has_start_ || value >= start_) && (!has_end_ || value <= end_);
    return inside_ ? within : !within;
}

State Thresholds::Evaluate(double value) const {
    if (critical && critical->Alerts(value)) return State::kCritical;
    if (warning && warning->Alerts(value)) return State::kWarning;
    return State::kOk;
}

}  // namespace mfsmon::health
