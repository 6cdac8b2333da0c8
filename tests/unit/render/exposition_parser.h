// A strict reader of the Prometheus text exposition format (version 0.0.4), for the renderer's
// tests: it checks what promtool does not (one HELP and TYPE per family, a family's series
// together, no series twice) and lets a test read values back by name and labels.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mfsmon::test {

struct Sample {
    std::string name;
    std::map<std::string, std::string> labels;  // unescaped values
    double value = 0;
};

struct Exposition {
    std::vector<Sample> samples;               // in text order
    std::vector<std::string> families;         // names of the TYPE lines, in text order
    std::map<std::string, std::string> types;  // family name -> "gauge", ...

    // The samples of `name` whose labels include every pair of `match`.
    std::vector<const Sample*> Select(std::string_view name,
                                      const std::map<std::string, std::string>& match = {}) const;
    // The sum of Select(name, match), or nullopt when nothing matches.
    std::optional<double> Sum(std::string_view name,
                              const std::map<std::string, std::string>& match = {}) const;
    bool Has(std::string_view name) const { return !Select(name).empty(); }
};

// Parses `text`; throws std::runtime_error naming the line for anything malformed: a HELP or
// TYPE line repeated, a sample before its family's TYPE line, a sample of another name than
// its family, a family whose series are not together, the same series twice.
Exposition ParseExposition(std::string_view text);

}  // namespace mfsmon::test
