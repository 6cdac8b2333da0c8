#include "render/plugin_output.h"

#include <fmt/format.h>

namespace mfsmon::render {

namespace {

// Labels with anything but [A-Za-z0-9_.-] are single-quoted; a quote inside is doubled, as
// the guidelines ask.
std::string QuoteLabel(const std::string& label) {
    bool plain = !label.empty();
    for (char c : label) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
            plain = false;
        }
    }
    if (plain) return label;
    std::string out(1, '\'');
    for (char c : label) {
        if (c == '\'') out.push_back('\'');
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

std::string Number(double v) {
    return fmt::format("{:g}", v);
}

// The summary and long output must not break the plugin format: '|' starts perfdata and a
// newline ends the first line.
std::string Sanitize(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c == '|') c = '/';
        if (c == '\n' || c == '\r') c = ' ';
    }
    return out;
}

}  // namespace

std::string FormatPerfdatum(const health::Perfdatum& p) {
    std::string fields[4] = {
        p.warning ? p.warning->text() : "",
        p.critical ? p.critical->text() : "",
        p.min ? Number(*p.min) : "",
        p.max ? Number(*p.max) : "",
    };
    int last = 3;
    while (last >= 0 && fields[last].empty()) --last;
    std::string out = fmt::format("{}={}{}", QuoteLabel(p.label), Number(p.value), p.uom);
    for (int i = 0; i <= last; ++i) {
        out.push_back(';');
        out.append(fields[i]);
    }
    return out;
}

std::string RenderPluginOutput(std::string_view service, const health::Report& report) {
    std::string out = fmt::format("{} {} - {}", service, health::StateName(report.state),
                                  Sanitize(report.summary));
    if (!report.perfdata.empty()) {
        out += " |";
        for (const auto& p : report.perfdata) {
            out.push_back(' ');
            out.append(FormatPerfdatum(p));
        }
    }
    out += "\n";
    for (const auto& line : report.details) {
        out.append(Sanitize(line));
        out.push_back('\n');
    }
    return out;
}

std::string RenderPluginError(std::string_view service, const Error& error) {
    return fmt::format("{} UNKNOWN - {}\n", service, Sanitize(error.message));
}

}  // namespace mfsmon::render
