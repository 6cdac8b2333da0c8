// Gzip(): a gzip member that zlib inflates back to the input; AcceptsGzip(): which
// Accept-Encoding headers let the answer be compressed.
#include "exporter/gzip.h"

#include <zlib.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include <gtest/gtest.h>

namespace mfsmon::exporter {
namespace {

// Inflates one gzip member (windowBits 15 + 16: gzip only, not zlib or raw). nullopt when
// zlib finds it broken, or when bytes follow the member.
std::optional<std::string> Gunzip(const std::string& gz) {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return std::nullopt;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
    z.avail_in = static_cast<uInt>(gz.size());
    std::string out;
    char buf[16384];
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
        if (rc == Z_BUF_ERROR && z.avail_in == 0) break;  // truncated input
    }
    const bool whole = rc == Z_STREAM_END && z.avail_in == 0;
    inflateEnd(&z);
    if (!whole) return std::nullopt;
    return out;
}

std::string Text(std::size_t size) {
    std::string s;
    for (std::size_t i = 0; s.size() < size; ++i) {
        s += "mfsmon_disk_used_bytes{master=\"m:9421\",server=\"10.0.0." + std::to_string(i % 7) +
             ":9422\"} " + std::to_string(i * 7919) + "\n";
    }
    s.resize(size);
    return s;
}

std::string Random(std::size_t size) {
    std::mt19937 rng(42);
    std::string s(size, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
}

TEST(GzipTest, RoundTripsText) {
    const std::string data = Text(200000);
    const std::string gz = Gzip(data);
    ASSERT_FALSE(gz.empty());
    EXPECT_LT(gz.size(), data.size() / 4) << "repeated metric text should compress well";
    EXPECT_EQ(Gunzip(gz), data);
}

TEST(GzipTest, HasTheGzipMagic) {
    const std::string gz = Gzip("hello");
    ASSERT_GE(gz.size(), 18u);  // 10-byte header, 8-byte trailer
    EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
    EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
    EXPECT_EQ(static_cast<unsigned char>(gz[2]), 8);  // deflate
    EXPECT_EQ(Gunzip(gz), "hello");
}

TEST(GzipTest, RoundTripsIncompressibleData) {
    const std::string data = Random(100000);
    const std::string gz = Gzip(data);
    ASSERT_FALSE(gz.empty());
    EXPECT_EQ(Gunzip(gz), data);
}

TEST(GzipTest, RoundTripsBinaryWithZeros) {
    std::string data(1000, '\0');
    data[500] = 'x';
    EXPECT_EQ(Gunzip(Gzip(data)), data);
}

TEST(GzipTest, EmptyInputIsAValidEmptyMember) {
    const std::string gz = Gzip("");
    ASSERT_FALSE(gz.empty()) << "an empty body still needs a gzip header and trailer";
    EXPECT_EQ(Gunzip(gz), std::string());
}

TEST(GzipTest, TruncatedOutputIsDetectedByTheChecker) {
    // Guards the helper above: a member cut short is not taken for the data.
    const std::string gz = Gzip(Text(10000));
    EXPECT_FALSE(Gunzip(gz.substr(0, gz.size() - 4)).has_value());
}

// ---- Accept-Encoding -------------------------------------------------------------------------

struct AcceptCase {
    const char* name;
    std::string header;
    bool gzip;
};

void PrintTo(const AcceptCase& c, std::ostream* os) {
    *os << c.name << " (\"" << c.header << "\")";
}

class AcceptsGzipTest : public ::testing::TestWithParam<AcceptCase> {};

TEST_P(AcceptsGzipTest, Accepts) {
    EXPECT_EQ(AcceptsGzip(GetParam().header), GetParam().gzip);
}

INSTANTIATE_TEST_SUITE_P(
    Headers, AcceptsGzipTest,
    ::testing::Values(
        AcceptCase{"Gzip", "gzip", true}, AcceptCase{"UpperCase", "GZIP", true},
        AcceptCase{"XGzip", "x-gzip", true}, AcceptCase{"Star", "*", true},
        AcceptCase{"Prometheus", "gzip", true},
        AcceptCase{"AmongOthers", "deflate, gzip;q=0.5", true},
        AcceptCase{"WithSpaces", "  deflate ,  gzip ; q=0.5 ", true},
        AcceptCase{"FirstOfSeveral", "gzip, deflate, br", true},
        AcceptCase{"QualityOne", "gzip;q=1", true}, AcceptCase{"QualityOneDot", "gzip;q=1.0", true},
        AcceptCase{"SmallQuality", "gzip;q=0.001", true},
        AcceptCase{"UpperCaseQ", "gzip;Q=0.5", true},
        AcceptCase{"OtherParameterFirst", "gzip;level=1;q=0.5", true},
        AcceptCase{"QualityZero", "gzip;q=0", false},
        AcceptCase{"QualityZeroSpaced", "gzip; q=0.000", false},
        AcceptCase{"QualityZeroDot", "gzip;q=0.", false},
        AcceptCase{"QualityZeroUpperQ", "gzip;Q=0", false},
        AcceptCase{"StarRefused", "*;q=0", false},
        AcceptCase{"RefusedThenStarRefused", "gzip;q=0, *;q=0", false},
        AcceptCase{"StarRefusedGzipAllowed", "*;q=0, gzip", true},
        AcceptCase{"Identity", "identity", false}, AcceptCase{"Empty", "", false},
        AcceptCase{"Deflate", "deflate", false}, AcceptCase{"Br", "br", false},
        AcceptCase{"GzipAsPrefix", "gzipx", false}, AcceptCase{"GzipInside", "xgzip", false},
        AcceptCase{"OnlyCommas", ",,,", false}, AcceptCase{"OnlySemicolon", ";", false},
        // RFC 9110 12.5.3: "*" matches any coding not listed in the field; gzip refused by
        // name stays refused.
        AcceptCase{"GzipRefusedButStar", "gzip;q=0, *", false},
        AcceptCase{"GzipRefusedButStarFirst", "*, gzip;q=0", false}),
    [](const ::testing::TestParamInfo<AcceptCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace mfsmon::exporter
