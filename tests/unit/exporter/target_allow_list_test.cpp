// TargetAllowList: which --allow-target entries parse (host, host:port, [v6]:port, v4/v6 CIDR)
// and which /probe targets they let through (CIDRs match numeric addresses only, IPv4 also
// written as IPv4-mapped IPv6; names case-insensitively; ports when the entry has one).
#include "exporter/target_allow_list.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace mfsmon::exporter {
namespace {

// ---- parsing ---------------------------------------------------------------------------------

struct ParseCase {
    const char* name;
    std::string text;
    bool ok;
    // When ok: a host entry's lower-case host and port, or a CIDR's prefix over 128 bits.
    std::string host;
    std::optional<std::uint16_t> port;
    bool cidr = false;
    int prefix_bits = 0;
};

void PrintTo(const ParseCase& c, std::ostream* os) {
    *os << c.name << " (\"" << c.text << "\")";
}

ParseCase Host(const char* name, std::string text, std::string host,
               std::optional<std::uint16_t> port = std::nullopt) {
    return {name, std::move(text), true, std::move(host), port};
}
ParseCase Cidr(const char* name, std::string text, int prefix_bits) {
    return {name, std::move(text), true, "", std::nullopt, true, prefix_bits};
}
ParseCase Refused(const char* name, std::string text) {
    return {name, std::move(text), false, "", std::nullopt};
}

class AllowEntryParseTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(AllowEntryParseTest, Parse) {
    const ParseCase& c = GetParam();
    auto entry = TargetAllowList::ParseEntry(c.text);
    if (!c.ok) {
        ASSERT_FALSE(entry.ok()) << "accepted";
        EXPECT_EQ(entry.error().kind, ErrorKind::kInvalidArgument);
        EXPECT_NE(entry.error().message.find("--allow-target"), std::string::npos)
            << entry.error().message;
        EXPECT_EQ(entry.error().message.find('\n'), std::string::npos);
        return;
    }
    ASSERT_TRUE(entry.ok()) << entry.error().message;
    EXPECT_EQ(entry->cidr, c.cidr);
    if (c.cidr) {
        EXPECT_EQ(entry->prefix_bits, c.prefix_bits);
    } else {
        EXPECT_EQ(entry->host, c.host);
        EXPECT_EQ(entry->port, c.port);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Entries, AllowEntryParseTest,
    ::testing::Values(
        Cidr("V4Cidr", "10.0.0.0/8", 96 + 8), Cidr("V4CidrAll", "0.0.0.0/0", 96),
        Cidr("V4CidrOneAddress", "192.0.2.7/32", 128), Cidr("V6Cidr", "fd00::/8", 8),
        Cidr("V6CidrOneAddress", "::1/128", 128), Cidr("V6CidrAll", "::/0", 0),
        Refused("V4PrefixTooLong", "10.0.0.0/33"), Refused("V6PrefixTooLong", "fd00::/129"),
        Refused("NegativePrefix", "10.0.0.0/-1"), Refused("EmptyPrefix", "10.0.0.0/"),
        Refused("PrefixWithJunk", "10.0.0.0/8x"), Refused("PrefixWithPlus", "10.0.0.0/+8"),
        Refused("NameCidr", "mfsmaster/24"), Refused("EmptyCidrAddress", "/8"),
        Refused("BracketedCidr", "[fd00::]/8"), Refused("TwoSlashes", "10.0.0.0/8/8"),
        Host("Name", "host", "host"), Host("NameWithPort", "Host:9421", "host", 9421),
        Host("UpperCaseName", "MFSMaster.Example.COM", "mfsmaster.example.com"),
        Host("V4Address", "192.0.2.7", "192.0.2.7"), Host("V6Bracketed", "[::1]:9421", "::1", 9421),
        Host("V6Bare", "fd00::1", "fd00::1"), Host("V6BracketedNoPort", "[fd00::1]", "fd00::1"),
        Refused("Empty", ""), Refused("Space", "a b"), Refused("ControlChar", "a\tb"),
        Refused("PortZero", "host:0"), Refused("PortTooBig", "host:65536"),
        Refused("EmptyPort", "host:"), Refused("EmptyHost", ":9421"),
        Refused("UnclosedBracket", "[::1"), Refused("EmptyBrackets", "[]:9421"),
        Refused("JunkAfterBracket", "[::1]x"), Refused("TooLong", std::string(256, 'a'))),
    [](const ::testing::TestParamInfo<ParseCase>& info) { return std::string(info.param.name); });

// ---- matching --------------------------------------------------------------------------------

struct MatchCase {
    const char* name;
    std::vector<std::string> entries;
    std::string host;
    std::uint16_t port;
    bool allowed;
};

void PrintTo(const MatchCase& c, std::ostream* os) {
    *os << c.name << " (" << c.host << ":" << c.port << ")";
}

class AllowListMatchTest : public ::testing::TestWithParam<MatchCase> {};

TEST_P(AllowListMatchTest, Allows) {
    const MatchCase& c = GetParam();
    TargetAllowList list;
    for (const auto& text : c.entries) {
        auto entry = TargetAllowList::ParseEntry(text);
        ASSERT_TRUE(entry.ok()) << text << ": " << entry.error().message;
        list.Add(*entry);
    }
    EXPECT_EQ(list.Restricted(), !c.entries.empty());
    EXPECT_EQ(list.Allows(c.host, c.port), c.allowed);
}

const std::vector<std::string> kTen = {"10.0.0.0/8"};

INSTANTIATE_TEST_SUITE_P(
    Targets, AllowListMatchTest,
    ::testing::Values(
        MatchCase{"EmptyListAllowsAll", {}, "anything.example", 1, true},
        MatchCase{"EmptyListAllowsAddresses", {}, "192.0.2.1", 9421, true},
        MatchCase{"V4InCidr", kTen, "10.1.2.3", 9421, true},
        MatchCase{"V4AtNetworkStart", kTen, "10.0.0.0", 9421, true},
        MatchCase{"V4AtNetworkEnd", kTen, "10.255.255.255", 9421, true},
        MatchCase{"V4OutsideCidr", kTen, "11.0.0.1", 9421, false},
        MatchCase{"V4JustBelowCidr", kTen, "9.255.255.255", 9421, false},
        MatchCase{"V4MappedInV4Cidr", kTen, "::ffff:10.1.2.3", 9421, true},
        MatchCase{"V4MappedOutsideV4Cidr", kTen, "::ffff:11.1.2.3", 9421, false},
        MatchCase{"CidrIgnoresPort", kTen, "10.1.2.3", 1, true},
        MatchCase{"NameNeverMatchedByCidr", {"0.0.0.0/0"}, "localhost", 9421, false},
        MatchCase{"V6NotInV4AllCidr", {"0.0.0.0/0"}, "fd00::1", 9421, false},
        MatchCase{"V4InV4AllCidr", {"0.0.0.0/0"}, "203.0.113.9", 9421, true},
        MatchCase{"V6InV6Cidr", {"fd00::/8"}, "fd12:3456::1", 9421, true},
        MatchCase{"V6OutsideV6Cidr", {"fd00::/8"}, "fe80::1", 9421, false},
        MatchCase{"V6CidrOddPrefixIn", {"2001:db8::/33"}, "2001:db8:7fff::1", 9421, true},
        MatchCase{"V6CidrOddPrefixOut", {"2001:db8::/33"}, "2001:db8:8000::1", 9421, false},
        MatchCase{"V4CidrOddPrefixIn", {"192.0.2.128/25"}, "192.0.2.200", 9421, true},
        MatchCase{"V4CidrOddPrefixOut", {"192.0.2.128/25"}, "192.0.2.127", 9421, false},
        MatchCase{"V4NotInV6Cidr", {"fd00::/8"}, "10.1.2.3", 9421, false},
        MatchCase{"OneAddressCidr", {"192.0.2.7/32"}, "192.0.2.7", 9421, true},
        MatchCase{"OneAddressCidrOther", {"192.0.2.7/32"}, "192.0.2.8", 9421, false},
        MatchCase{"NameAnyPort", {"mfsmaster"}, "mfsmaster", 19421, true},
        MatchCase{"NameCaseInsensitive", {"MfsMaster"}, "MFSMASTER", 9421, true},
        MatchCase{"OtherName", {"mfsmaster"}, "mfsmaster2", 9421, false},
        MatchCase{"NamePrefixIsNotAMatch", {"mfs"}, "mfsmaster", 9421, false},
        MatchCase{"PortSpecificSamePort", {"mfsmaster:9421"}, "mfsmaster", 9421, true},
        MatchCase{"PortSpecificOtherPort", {"mfsmaster:9421"}, "mfsmaster", 9422, false},
        MatchCase{"V6BracketedEntryPort", {"[fd00::1]:9421"}, "fd00::1", 9421, true},
        MatchCase{"V6BracketedEntryOtherPort", {"[fd00::1]:9421"}, "fd00::1", 9422, false},
        MatchCase{"V6WrittenDifferently", {"[::1]:9421"}, "0:0:0:0:0:0:0:1", 9421, true},
        MatchCase{"V4AddressEntry", {"192.0.2.7"}, "192.0.2.7", 9421, true},
        MatchCase{"V4AddressEntryOther", {"192.0.2.7"}, "192.0.2.70", 9421, false},
        MatchCase{"SecondEntryMatches", {"mfsmaster", "10.0.0.0/8"}, "10.9.9.9", 9421, true},
        MatchCase{"NoEntryMatches", {"mfsmaster", "10.0.0.0/8"}, "evil.example", 9421, false},
        MatchCase{"ShortV4IsNotNumeric", kTen, "10.1", 9421, false},
        MatchCase{"LeadingZerosAreNotNumeric", kTen, "010.0.0.1", 9421, false},
        MatchCase{"EmptyHostRefused", {"mfsmaster"}, "", 9421, false}),
    [](const ::testing::TestParamInfo<MatchCase>& info) { return std::string(info.param.name); });

TEST(AllowListTest, EntryStoresTheMappedNetwork) {
    auto e = TargetAllowList::ParseEntry("10.1.0.0/16");
    ASSERT_TRUE(e.ok());
    const std::uint8_t want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 0, 0};
    EXPECT_TRUE(std::equal(std::begin(want), std::end(want), std::begin(e->network)));
    EXPECT_EQ(e->prefix_bits, 112);
}

// A default-constructed string_view (data() == nullptr) is a valid empty target; the
// address check must not pass its null pointer to memcpy (undefined behaviour, which
// -fsanitize=undefined reports: this test fails in the MFSMON_SANITIZE build).
TEST(AllowListTest, NullEmptyTargetIsRefusedWithoutUndefinedBehaviour) {
    TargetAllowList list;
    auto entry = TargetAllowList::ParseEntry("10.0.0.0/8");
    ASSERT_TRUE(entry.ok());
    list.Add(*entry);
    EXPECT_FALSE(list.Allows(std::string_view(), 9421));
}

}  // namespace
}  // namespace mfsmon::exporter
