// Building blocks of the Prometheus renderer (internal to src/render): a family being filled,
// and the list the families go to. Every label value goes through LabelValue, so no series
// can carry bytes the text format rejects, whatever a chunkserver or class name sent.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

namespace mfsmon::render::prom {

using ConstLabels = std::vector<std::pair<std::string, std::string>>;

struct LabelPair {
    std::string_view name;
    std::string_view value;
};

// `raw` as valid UTF-8 on one line: invalid sequences, control characters (C0, DEL, C1) and
// the Unicode line/paragraph separators become U+FFFD. Quotes and backslashes are kept; the
// text serializer escapes them.
std::string LabelValue(std::string_view raw);

// "0", "1", ... "10": a matrix row or column as a label value.
std::string_view IndexLabel(int index);

// One family being filled. Series keep the order they are added in.
class Family {
  public:
    Family(std::string_view name, std::string_view help, const ConstLabels& const_labels);

    void Add(std::initializer_list<LabelPair> labels, double value);
    void Add(double value) { Add({}, value); }
    // An enum: one series per possible value, `enum_label`=value, 1 for `current`, 0 else.
    void AddEnum(std::initializer_list<LabelPair> labels, std::string_view enum_label,
                 std::initializer_list<std::string_view> values, std::string_view current);

    bool empty() const { return family_.metric.empty(); }
    prometheus::MetricFamily Take() && { return std::move(family_); }

  private:
    prometheus::MetricFamily family_;
    const ConstLabels* const_labels_;
};

// Where the families of one scrape go. A family with no series is left out, so that its
// HELP/TYPE lines never appear alone.
class Sink {
  public:
    Sink(const ConstLabels& const_labels, std::vector<prometheus::MetricFamily>& out)
        : const_labels_(const_labels), out_(out) {}

    Family Gauge(std::string_view name, std::string_view help) const {
        return Family(name, help, const_labels_);
    }
    void Put(Family&& family);
    // A family of one series without labels of its own.
    void Single(std::string_view name, std::string_view help, double value);

  private:
    const ConstLabels& const_labels_;
    std::vector<prometheus::MetricFamily>& out_;
};

}  // namespace mfsmon::render::prom
