#include "render/prometheus_family.h"

#include <array>
#include <cstdint>

namespace mfsmon::render::prom {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsControl(std::uint32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

// The bytes of a plain printable ASCII value need no care (the usual case: addresses,
// versions, codes, most paths).
bool IsPlainAscii(std::string_view s) {
    for (unsigned char c : s) {
        if (c < 0x20 || c >= 0x7F) return false;
    }
    return true;
}

}  // namespace

std::string LabelValue(std::string_view raw) {
    if (IsPlainAscii(raw)) return std::string(raw);
    std::string out;
    out.reserve(raw.size() + 8);
    std::size_t i = 0;
    while (i < raw.size()) {
        const auto lead = static_cast<unsigned char>(raw[i]);
        if (lead < 0x80) {
            if (IsControl(lead)) {
                out += kReplacement;
            } else {
                out += static_cast<char>(lead);
            }
            ++i;
            continue;
        }
        // RFC 3629: the lead byte says the length and the smallest code point that may use it
        // (anything smaller is an overlong form).
        std::size_t len = 0;
        std::uint32_t cp = 0;
        std::uint32_t min = 0;
        if (lead >= 0xC2 && lead <= 0xDF) {
            len = 2, cp = lead & 0x1Fu, min = 0x80;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            len = 3, cp = lead & 0x0Fu, min = 0x800;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            len = 4, cp = lead & 0x07u, min = 0x10000;
        } else {
            out += kReplacement;  // a stray continuation byte or a lead no UTF-8 uses
            ++i;
            continue;
        }
        std::size_t n = 1;
        while (n < len && i + n < raw.size() &&
               (static_cast<unsigned char>(raw[i + n]) & 0xC0u) == 0x80u) {
            cp = (cp << 6) | (static_cast<unsigned char>(raw[i + n]) & 0x3Fu);
            ++n;
        }
        const bool valid =
            n == len && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (valid && !IsControl(cp)) {
            out.append(raw.substr(i, len));
        } else {
            out += kReplacement;  // the whole (truncated) sequence becomes one U+FFFD
        }
        i += n;
    }
    return out;
}

std::string_view IndexLabel(int index) {
    static constexpr std::array<std::string_view, 11> kLabels = {"0", "1", "2", "3", "4", "5",
                                                                 "6", "7", "8", "9", "10"};
    return kLabels.at(static_cast<std::size_t>(index));
}

Family::Family(std::string_view name, std::string_view help, const ConstLabels& const_labels)
    : const_labels_(&const_labels) {
    family_.name = std::string(name);
    family_.help = std::string(help);
    family_.type = prometheus::MetricType::Gauge;
}

void Family::Add(std::initializer_list<LabelPair> labels, double value) {
    prometheus::ClientMetric& m = family_.metric.emplace_back();
    m.label.reserve(labels.size() + const_labels_->size());
    for (const auto& l : labels) m.label.push_back({std::string(l.name), LabelValue(l.value)});
    for (const auto& [name, value] : *const_labels_) m.label.push_back({name, LabelValue(value)});
    m.gauge.value = value;
}

void Family::AddEnum(std::initializer_list<LabelPair> labels, std::string_view enum_label,
                     std::initializer_list<std::string_view> values, std::string_view current) {
    for (std::string_view v : values) {
        prometheus::ClientMetric& m = family_.metric.emplace_back();
        m.label.reserve(labels.size() + 1 + const_labels_->size());
        for (const auto& l : labels) m.label.push_back({std::string(l.name), LabelValue(l.value)});
        m.label.push_back({std::string(enum_label), std::string(v)});
        for (const auto& [name, value] : *const_labels_) {
            m.label.push_back({name, LabelValue(value)});
        }
        m.gauge.value = v == current ? 1 : 0;
    }
}

void Sink::Put(Family&& family) {
    if (!family.empty()) out_.push_back(std::move(family).Take());
}

void Sink::Single(std::string_view name, std::string_view help, double value) {
    Family f = Gauge(name, help);
    f.Add(value);
    Put(std::move(f));
}

}  // namespace mfsmon::render::prom
