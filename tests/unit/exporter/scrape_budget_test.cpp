// ScrapeBudget: the header X-Prometheus-Scrape-Timeout-Seconds minus the margin, between the
// floor and the cap; a header that is not a positive number of seconds leaves the cap.
#include "exporter/scrape_budget.h"

#include <chrono>
#include <string>

#include <gtest/gtest.h>

namespace mfsmon::exporter {
namespace {

using std::chrono::milliseconds;

struct BudgetCase {
    const char* name;
    std::string header;
    long long cap_ms;
    long long margin_ms;
    long long floor_ms;
    long long expected_ms;
};

void PrintTo(const BudgetCase& c, std::ostream* os) {
    *os << c.name << " (header \"" << c.header << "\")";
}

class ScrapeBudgetTest : public ::testing::TestWithParam<BudgetCase> {};

TEST_P(ScrapeBudgetTest, Budget) {
    const BudgetCase& c = GetParam();
    const BudgetSettings settings{milliseconds(c.cap_ms), milliseconds(c.margin_ms),
                                  milliseconds(c.floor_ms)};
    EXPECT_EQ(ScrapeBudget(c.header, settings).count(), c.expected_ms);
}

// The exporter's defaults: --timeout 10 s, --timeout-offset 0.5 s, floor 0.1 s.
BudgetCase Default(const char* name, std::string header, long long expected_ms) {
    return {name, std::move(header), 10000, 500, 100, expected_ms};
}

INSTANTIATE_TEST_SUITE_P(
    Headers, ScrapeBudgetTest,
    ::testing::Values(
        // Not a positive number of seconds: the cap.
        Default("Absent", "", 10000), Default("Garbage", "abc", 10000),
        Default("TrailingUnit", "10s", 10000), Default("TrailingSpace", "10 ", 10000),
        Default("Negative", "-5", 10000), Default("Zero", "0", 10000),
        Default("NegativeZero", "-0", 10000), Default("NaN", "nan", 10000),
        Default("Infinity", "inf", 10000), Default("NegativeInfinity", "-inf", 10000),
        Default("HugeExponent", "1e300", 10000), Default("Overflow", "1e999", 10000),
        Default("LongerThan32Chars", std::string(31, '0') + "05", 10000),
        Default("OnlyADot", ".", 10000),
        // A number: minus the margin, within floor and cap.
        Default("TenSeconds", "10", 9500), Default("FiveSeconds", "5", 4500),
        Default("Fraction", "2.25", 1750), Default("MarginToTheCap", "10.5", 10000),
        Default("BelowTheFloor", "0.2", 100), Default("ExactlyTheFloor", "0.6", 100),
        Default("JustAboveTheFloor", "0.65", 150), Default("Tiny", "0.000001", 100),
        Default("CapSmallerThanHeader", "30", 10000), Default("Exponent", "5e0", 4500),
        BudgetCase{"NoMargin", "10", 10000, 0, 100, 10000},
        BudgetCase{"SmallCap", "30", 3000, 500, 100, 3000},
        BudgetCase{"LargeCap", "30", 60000, 500, 100, 29500},
        BudgetCase{"HigherFloor", "1", 10000, 500, 2000, 2000}),
    [](const ::testing::TestParamInfo<BudgetCase>& info) { return std::string(info.param.name); });

// The floor is "never less" (scrape_budget.h): also when the cap itself is set below it and the
// header is absent or unusable. (--timeout is at least 0.1 s today, equal to the default floor,
// so the exporter itself cannot get here; ScrapeBudget alone can.)
TEST(ScrapeBudgetFloorTest, CapBelowTheFloorStillGivesTheFloor) {
    const BudgetSettings settings{milliseconds(50), milliseconds(500), milliseconds(100)};
    EXPECT_EQ(ScrapeBudget("10", settings), milliseconds(100));
    EXPECT_EQ(ScrapeBudget("", settings), milliseconds(100));
    EXPECT_EQ(ScrapeBudget("garbage", settings), milliseconds(100));
}

}  // namespace
}  // namespace mfsmon::exporter
