#include "cli/option_values.h"

#include "common/decimal.h"

#include <functional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mfsmon::cli {
namespace {

using mfsmon::ParseDecimal;
using ::testing::HasSubstr;

TEST(ParseDecimal, AcceptsPlainDecimals) {
    EXPECT_EQ(ParseDecimal("10"), 10.0);
    EXPECT_EQ(ParseDecimal("0.5"), 0.5);
    EXPECT_EQ(ParseDecimal("-2"), -2.0);
    EXPECT_EQ(ParseDecimal(".5"), 0.5);
}

TEST(ParseDecimal, RejectsEverythingElse) {
    for (const char* bad : {"", "-", ".", "1e3", "inf", "nan", "0x10", "+1", "1.2.3", " 1", "1 ",
                            "10s", "1,5", "--1", "123456789012345678901234567890123"}) {
        EXPECT_FALSE(ParseDecimal(bad).has_value()) << bad;
    }
}

TEST(ParseSeconds, BoundsAndMessages) {
    EXPECT_EQ(*ParseSeconds("10", "timeout", 0, 3600, true), 10.0);
    EXPECT_EQ(*ParseSeconds("0.001", "timeout", 0, 3600, true), 0.001);
    EXPECT_EQ(*ParseSeconds("0", "settle", 0, 3600, false), 0.0);
    for (const char* bad : {"0", "-1", "3600.5", "abc", "", "1e3", "10s"}) {
        auto r = ParseSeconds(bad, "timeout", 0, 3600, true);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_THAT(r.error().message,
                    HasSubstr("timeout must be a number of seconds in (0, 3600]"));
    }
    EXPECT_FALSE(ParseSeconds("-0.1", "settle", 0, 3600, false).ok());
}

TEST(ParsePort, Range) {
    EXPECT_EQ(*ParsePort("1"), 1);
    EXPECT_EQ(*ParsePort("9421"), 9421);
    EXPECT_EQ(*ParsePort("65535"), 65535);
    for (const char* bad : {"0", "65536", "70000", "-1", "abc", "", "94 21", "9421x", "1.5",
                            "000009421", "99999999999"}) {
        auto r = ParsePort(bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_THAT(r.error().message, HasSubstr("port must be a whole number from 1 to 65535"));
    }
}

TEST(ParseHostPort, Forms) {
    auto plain = ParseHostPort("master");
    EXPECT_EQ(plain->host, "master");
    EXPECT_FALSE(plain->port);
    auto with_port = ParseHostPort("10.0.0.1:9521");
    EXPECT_EQ(with_port->host, "10.0.0.1");
    EXPECT_EQ(with_port->port, 9521);
    auto v6 = ParseHostPort("::1");
    EXPECT_EQ(v6->host, "::1");
    EXPECT_FALSE(v6->port);
    auto v6b = ParseHostPort("[fe80::1]:9421");
    EXPECT_EQ(v6b->host, "fe80::1");
    EXPECT_EQ(v6b->port, 9421);
    auto v6c = ParseHostPort("[::1]");
    EXPECT_EQ(v6c->host, "::1");
    EXPECT_FALSE(v6c->port);
}

TEST(ParseHostPort, RejectsWithClearMessage) {
    const std::pair<const char*, const char*> cases[] = {
        {"", "1 to 255 printable characters"},
        {"a b", "without spaces"},
        {"tab\there", "without spaces"},
        {"master:", "empty port"},
        {":9421", "empty host name"},
        {"master:0", "port must be"},
        {"master:http", "port must be"},
        {"[::1", "without a matching ']'"},
        {"[]", "without a matching ']'"},
        {"[::1]x", "expected ':PORT'"},
        {"[::1]:", "empty port"},
    };
    for (const auto& [text, message] : cases) {
        auto r = ParseHostPort(text);
        ASSERT_FALSE(r.ok()) << text;
        EXPECT_THAT(r.error().message, HasSubstr(message)) << text;
        EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
    }
    EXPECT_FALSE(ParseHostPort(std::string(256, 'a')).ok());
}

TEST(ParseHostPort, HostileBytesAreNotEchoedRaw) {
    auto r = ParseHostPort("bad\x1b[31mhost\n");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message.find('\x1b'), std::string::npos);
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
}

TEST(CheckFormat, TextOrJson) {
    EXPECT_TRUE(CheckFormat("text").ok());
    EXPECT_TRUE(CheckFormat("json").ok());
    EXPECT_THAT(CheckFormat("xml").error().message, HasSubstr("format must be text or json"));
    EXPECT_FALSE(CheckFormat("JSON").ok());
}

// ---- the CLI11 side ----------------------------------------------------------------------

// What CLI11 says when `args` are parsed with the options `add` puts on an app; "" if fine.
std::string ParseError(const std::function<void(CLI::App&)>& add, const std::string& args) {
    CLI::App app;
    add(app);
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        return e.what();
    }
    return {};
}

TEST(AddSeconds, NamesTheOptionByItsLongNameAndKeepsItsLimit) {
    double timeout = 10, settle = 0;
    auto add = [&](CLI::App& app) {
        AddSeconds(&app, "-t,--timeout", timeout, "", {.max = 3600, .zero_allowed = false});
        AddSeconds(&app, "--settle", settle, "", {.max = 60, .zero_allowed = true});
    };
    EXPECT_EQ(ParseError(add, "-t 2.5 --settle 0"), "");
    EXPECT_EQ(timeout, 2.5);
    EXPECT_THAT(ParseError(add, "-t 0"),
                HasSubstr("timeout must be a number of seconds in (0, 3600], got '0'"));
    EXPECT_THAT(ParseError(add, "--settle 61"),
                HasSubstr("settle must be a number of seconds in [0, 60], got '61'"));
}

TEST(SplitHostPort, TakesThePortOutOfTheHostUnlessPortSaysOtherwise) {
    std::string host = "mfsmaster";
    std::uint16_t port = 9421;
    auto add = [&](CLI::App& app) {
        AddHostPort(&app, host, port);
        app.callback([&app, &host, &port] { SplitHostPort(app, host, port); });
    };
    EXPECT_EQ(ParseError(add, "-H master:9521"), "");
    EXPECT_EQ(host, "master");
    EXPECT_EQ(port, 9521);
    EXPECT_EQ(ParseError(add, "-H [::1]:9521 -P 9521"), "");
    EXPECT_EQ(host, "::1");
    EXPECT_THAT(ParseError(add, "-H master:9521 -P 9421"),
                HasSubstr("port 9521 in --host differs from --port 9421"));
}

TEST(AddRanges, CheckedWhileParsingThenLaidOverTheDefaults) {
    ReplicaRangeTexts ranges;
    RangeTexts used;
    auto add = [&](CLI::App& app) {
        AddRanges(&app, "--missing", ranges.missing, "", "");
        AddUsages(&app, "--used", used, "", "");
    };
    EXPECT_THAT(ParseError(add, "--missing-warning x"), HasSubstr("--missing-warning"));
    EXPECT_THAT(ParseError(add, "--used-critical 5parsecs"), HasSubstr("--used-critical"));
    EXPECT_EQ(ParseError(add, "--missing-warning 5 --used-warning 80%"), "");

    const health::ReplicasThresholds t = ReplicasThresholdsOf(ranges);
    ASSERT_TRUE(t.missing.warning);
    EXPECT_EQ(t.missing.warning->text(), "5");
    ASSERT_TRUE(t.missing.critical);  // not given: the default stays
    EXPECT_EQ(t.missing.critical->text(), "0");

    health::UsageThresholds usage;
    Override(usage, used);
    ASSERT_TRUE(usage.warning);
    EXPECT_EQ(usage.warning->text(), "80%");
    EXPECT_FALSE(usage.critical);
}

TEST(Milliseconds, RoundsToTheNearest) {
    EXPECT_EQ(Milliseconds(10).count(), 10000);
    EXPECT_EQ(Milliseconds(0.0004).count(), 0);
    EXPECT_EQ(Milliseconds(0.0005).count(), 1);
}

}  // namespace
}  // namespace mfsmon::cli
