#include "exposition_parser.h"

#include <cstdlib>
#include <set>
#include <stdexcept>

namespace mfsmon::test {

namespace {

[[noreturn]] void Fail(std::size_t line_no, std::string_view line, const std::string& why) {
    throw std::runtime_error("line " + std::to_string(line_no) + " (" + std::string(line) +
                             "): " + why);
}

bool IsNameChar(char c, bool first) {
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    return alpha || (!first && c >= '0' && c <= '9');
}

std::string ReadName(std::string_view s, std::size_t& pos) {
    const std::size_t start = pos;
    while (pos < s.size() && IsNameChar(s[pos], pos == start)) ++pos;
    return std::string(s.substr(start, pos - start));
}

// A quoted label value with the format's three escapes; `pos` is at the opening quote.
std::string ReadQuoted(std::string_view s, std::size_t& pos) {
    if (pos >= s.size() || s[pos] != '"') throw std::runtime_error("expected '\"'");
    std::string out;
    for (++pos; pos < s.size(); ++pos) {
        const char c = s[pos];
        if (c == '"') {
            ++pos;
            return out;
        }
        if (c == '\\') {
            if (++pos >= s.size()) break;
            switch (s[pos]) {
                case 'n':
                    out += '\n';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '"':
                    out += '"';
                    break;
                default:
                    throw std::runtime_error("unknown escape");
            }
            continue;
        }
        out += c;
    }
    throw std::runtime_error("unterminated label value");
}

Sample ParseSample(std::string_view line) {
    Sample s;
    std::size_t pos = 0;
    s.name = ReadName(line, pos);
    if (s.name.empty()) throw std::runtime_error("no metric name");
    if (pos < line.size() && line[pos] == '{') {
        ++pos;
        while (pos < line.size() && line[pos] != '}') {
            const std::string label = ReadName(line, pos);
            if (label.empty() || pos >= line.size() || line[pos] != '=') {
                throw std::runtime_error("bad label");
            }
            ++pos;
            std::string value = ReadQuoted(line, pos);
            if (!s.labels.emplace(label, std::move(value)).second) {
                throw std::runtime_error("label " + label + " twice");
            }
            if (pos < line.size() && line[pos] == ',') ++pos;
        }
        if (pos >= line.size()) throw std::runtime_error("unterminated label set");
        ++pos;
    }
    if (pos >= line.size() || line[pos] != ' ') throw std::runtime_error("no value");
    const std::string rest(line.substr(pos + 1));
    char* end = nullptr;
    s.value = std::strtod(rest.c_str(), &end);
    if (end == rest.c_str() || (*end != '\0' && *end != ' ')) throw std::runtime_error("bad value");
    return s;
}

}  // namespace

std::vector<const Sample*> Exposition::Select(
    std::string_view name, const std::map<std::string, std::string>& match) const {
    std::vector<const Sample*> out;
    for (const auto& s : samples) {
        if (s.name != name) continue;
        bool all = true;
        for (const auto& [k, v] : match) {
            auto it = s.labels.find(k);
            if (it == s.labels.end() || it->second != v) {
                all = false;
                break;
            }
        }
        if (all) out.push_back(&s);
    }
    return out;
}

std::optional<double> Exposition::Sum(std::string_view name,
                                      const std::map<std::string, std::string>& match) const {
    const auto found = Select(name, match);
    if (found.empty()) return std::nullopt;
    double sum = 0;
    for (const auto* s : found) sum += s->value;
    return sum;
}

Exposition ParseExposition(std::string_view text) {
    Exposition out;
    std::set<std::string> helps;
    std::set<std::string> closed;  // families whose series have ended
    std::set<std::pair<std::string, std::map<std::string, std::string>>> series;
    std::string current;  // the family of the last TYPE line
    std::size_t line_no = 0;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        if (nl == std::string_view::npos) throw std::runtime_error("text does not end in \\n");
        const std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl + 1);
        ++line_no;
        if (line.empty()) continue;
        try {
            if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
                std::size_t pos = 7;
                const std::string name = ReadName(line, pos);
                if (line.starts_with("# HELP ")) {
                    if (!helps.insert(name).second) Fail(line_no, line, "second HELP");
                    continue;
                }
                if (out.types.count(name)) Fail(line_no, line, "second TYPE");
                if (!current.empty()) closed.insert(current);
                current = name;
                out.types[name] = std::string(line.substr(pos + 1));
                out.families.push_back(name);
                continue;
            }
            if (line.starts_with("#")) continue;
            Sample s = ParseSample(line);
            if (current.empty()) Fail(line_no, line, "sample before any TYPE");
            if (s.name != current) {
                Fail(line_no, line,
                     closed.count(s.name) ? "series of a family that has ended"
                                          : "sample outside its family (" + current + ")");
            }
            if (!series.insert({s.name, s.labels}).second) Fail(line_no, line, "series twice");
            out.samples.push_back(std::move(s));
        } catch (const std::runtime_error& e) {
            if (std::string_view(e.what()).starts_with("line ")) throw;
            Fail(line_no, line, e.what());
        }
    }
    for (const auto& name : out.families) {
        if (!helps.count(name)) throw std::runtime_error("no HELP for " + name);
    }
    return out;
}

}  // namespace mfsmon::test
