#include "render/plugin_output.h"

#include <vector>

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

// Whole numbers (counts, bytes) exactly, however large; fractions to 6 significant digits.
// "{:g}" alone would print 17387102208 bytes as 1.73871e+10.
std::string Number(double v) {
    if (v == static_cast<double>(static_cast<long long>(v)) && v < 9.0e15 && v > -9.0e15) {
        return fmt::format("{}", static_cast<long long>(v));
    }
    return fmt::format("{:.6g}", v);
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

std::string RenderPluginOutput(std::string_view service, const health::Report& report,
                               std::size_t max_bytes) {
    const std::string head = fmt::format("{} {} - {}", service, health::StateName(report.state),
                                         Sanitize(report.summary));
    std::vector<std::string> perf;
    perf.reserve(report.perfdata.size());
    for (const auto& p : report.perfdata) perf.push_back(FormatPerfdatum(p));
    std::vector<std::string> lines;
    lines.reserve(report.details.size());
    for (const auto& line : report.details) lines.push_back(Sanitize(line));

    std::vector<bool> keep_perf(perf.size(), true);
    std::size_t kept_lines = lines.size();
    auto size = [&] {
        std::size_t n = head.size() + 1;
        bool any = false;
        for (std::size_t i = 0; i < perf.size(); ++i) {
            if (keep_perf[i]) n += perf[i].size() + 1, any = true;
        }
        if (any) n += 2;
        for (std::size_t i = 0; i < kept_lines; ++i) n += lines[i].size() + 1;
        return n;
    };
    std::size_t dropped_perf = 0;
    std::string note;
    if (max_bytes > 0 && size() > max_bytes) {
        for (std::size_t i = perf.size(); i-- > 0 && size() > max_bytes;) {
            if (report.perfdata[i].droppable) {
                keep_perf[i] = false;
                ++dropped_perf;
            }
        }
        // Room for the note that says what was cut.
        const std::size_t reserve = 120;
        while (kept_lines > 0 && size() + reserve > max_bytes) --kept_lines;
        note = fmt::format(
            "({} long-output lines and {} per-item perfdata values left out to stay "
            "within {} bytes)",
            lines.size() - kept_lines, dropped_perf, max_bytes);
    }

    std::string out = head;
    bool bar = false;
    for (std::size_t i = 0; i < perf.size(); ++i) {
        if (!keep_perf[i]) continue;
        if (!bar) {
            out += " |";
            bar = true;
        }
        out.push_back(' ');
        out.append(perf[i]);
    }
    out += "\n";
    for (std::size_t i = 0; i < kept_lines; ++i) {
        out.append(lines[i]);
        out.push_back('\n');
    }
    if (!note.empty()) out += note + "\n";
    return out;
}

std::string RenderPluginError(std::string_view service, const Error& error) {
    return fmt::format("{} UNKNOWN - {}\n", service, Sanitize(error.message));
}

}  // namespace mfsmon::render
