// How long one probe may take. Prometheus sends its scrape timeout in the request header
// X-Prometheus-Scrape-Timeout-Seconds; answering within it minus a margin (blackbox_exporter's
// --timeout-offset, 0.5 s by default) means that a master that hangs gives `mfsmon_up 0`
// before Prometheus gives up on the scrape, instead of a scrape failure with no cause.
// --timeout caps it (a client cannot make the exporter wait longer than the admin allows).
#pragma once

#include <chrono>
#include <string_view>

namespace mfsmon::exporter {

struct BudgetSettings {
    std::chrono::milliseconds cap{10000};   // --timeout
    std::chrono::milliseconds margin{500};  // --timeout-offset
    std::chrono::milliseconds floor{100};   // never less: a budget of 0 could not even connect
};

// `header` is the header's value, or empty when absent. A value that is not a positive
// number of seconds is ignored (the cap applies).
std::chrono::milliseconds ScrapeBudget(std::string_view header, const BudgetSettings& settings);

}  // namespace mfsmon::exporter
