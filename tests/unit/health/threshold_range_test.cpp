#include "health/threshold_range.h"

#include <gtest/gtest.h>

namespace mfsmon::health {
namespace {

Range Parse(const char* text) {
    auto r = Range::Parse(text);
    EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
    return std::move(r).value();
}

TEST(ThresholdRange, PlainNumberAlertsOutsideZeroToN) {
    Range r = Parse("10");
    EXPECT_FALSE(r.Alerts(0));
    EXPECT_FALSE(r.Alerts(10));
    EXPECT_TRUE(r.Alerts(10.5));
    EXPECT_TRUE(r.Alerts(-1));
}

TEST(ThresholdRange, ZeroAlertsOnAnyPositiveCount) {
    Range r = Parse("0");
    EXPECT_FALSE(r.Alerts(0));
    EXPECT_TRUE(r.Alerts(1));
}

TEST(ThresholdRange, OpenEndAlertsBelowStart) {
    Range r = Parse("10:");
    EXPECT_TRUE(r.Alerts(9.99));
    EXPECT_FALSE(r.Alerts(10));
    EXPECT_FALSE(r.Alerts(1e12));
}

TEST(ThresholdRange, TildeStartIsMinusInfinity) {
    Range r = Parse("~:10");
    EXPECT_FALSE(r.Alerts(-1e12));
    EXPECT_FALSE(r.Alerts(10));
    EXPECT_TRUE(r.Alerts(11));
}

TEST(ThresholdRange, StartEndAlertsOutside) {
    Range r = Parse("10:20");
    EXPECT_TRUE(r.Alerts(9));
    EXPECT_FALSE(r.Alerts(10));
    EXPECT_FALSE(r.Alerts(20));
    EXPECT_TRUE(r.Alerts(21));
}

TEST(ThresholdRange, AtInvertsToInsideInclusive) {
    Range r = Parse("@10:20");
    EXPECT_FALSE(r.Alerts(9));
    EXPECT_TRUE(r.Alerts(10));
    EXPECT_TRUE(r.Alerts(15));
    EXPECT_TRUE(r.Alerts(20));
    EXPECT_FALSE(r.Alerts(21));
}

TEST(ThresholdRange, TildeColonNeverAlerts) {
    Range r = Parse("~:");
    EXPECT_FALSE(r.Alerts(-1e300));
    EXPECT_FALSE(r.Alerts(1e300));
}

TEST(ThresholdRange, DecimalsAndNegatives) {
    Range r = Parse("-5.5:2.25");
    EXPECT_TRUE(r.Alerts(-6));
    EXPECT_FALSE(r.Alerts(-5.5));
    EXPECT_FALSE(r.Alerts(2.25));
    EXPECT_TRUE(r.Alerts(2.26));
}

TEST(ThresholdRange, KeepsTextForPerfdata) {
    EXPECT_EQ(Parse("@1:5").text(), "@1:5");
}

TEST(ThresholdRange, RejectsMalformedWithClearMessage) {
    for (const char* bad : {"",     "@",     ":",   ":5",  "abc",
                            "10:5", "1:2:3", "inf", "nan", "1e3",
                            "0x10", "10 ",   " 10", "~",   "~:abc",
                            "@@1",  "1..2",  "-",   "+",   "99999999999999999999999999999999999"}) {
        auto r = Range::Parse(bad);
        ASSERT_FALSE(r.ok()) << "accepted '" << bad << "'";
        EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
        EXPECT_NE(r.error().message.find("invalid threshold range"), std::string::npos);
        EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
    }
}

TEST(Thresholds, CriticalWinsOverWarning) {
    Thresholds t{Parse("5"), Parse("10")};
    EXPECT_EQ(t.Evaluate(3), State::kOk);
    EXPECT_EQ(t.Evaluate(6), State::kWarning);
    EXPECT_EQ(t.Evaluate(11), State::kCritical);
}

TEST(Thresholds, NoRangesIsAlwaysOk) {
    Thresholds t;
    EXPECT_EQ(t.Evaluate(1e9), State::kOk);
}

}  // namespace
}  // namespace mfsmon::health
