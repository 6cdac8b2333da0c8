#include "history/sample_codec.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include "store_test_support.h"

namespace mfsmon::history {
namespace {

using Bytes = std::vector<std::uint8_t>;

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();

model::TrendSample FullSample() {
    model::TrendSample s = test::MakeSample(1796280000123, 0x1122334455667788ULL, 4);
    s.matrix_progress = 3;
    model::StorageClassCounts c;
    c.class_id = 9;
    c.all[model::ChunkClass::kMissing] = 2;
    c.regular[model::ChunkClass::kPendingDeletion] = 5;
    s.classes.push_back(c);
    s.servers[1].maintenance = true;
    s.servers[2].connected = false;
    s.servers[3].mfr_status = 2;
    s.disks_known = true;
    s.marked_disks.push_back({"198.18.0.10:9422", "/mnt/hdd1/", 1234});
    s.marked_disks.push_back({"198.18.0.11:9422", "", 0});
    return s;
}

model::TrendSample MaxSample() {
    model::TrendSample s;
    s.time_ms = std::numeric_limits<std::int64_t>::min();
    s.metadata_id = kU64Max;
    s.matrix_progress = 255;
    s.loop_start = std::numeric_limits<std::uint32_t>::max();
    s.loop_end = 0;
    model::ClassCounts max;
    for (auto& n : max.counts) n = kU64Max;
    for (int r = 0; r < 11; ++r) s.rows.push_back({static_cast<std::uint8_t>(10 - r), max, max});
    for (int c = 0; c < 256; ++c) s.classes.push_back({static_cast<std::uint8_t>(c), max, max});
    s.servers.push_back({std::string(4096, 'x'), 65535, true, true, 0xFFFFFFFFu, 255});
    s.marked_disks.push_back({std::string(4096, 's'), std::string(4096, 'p'), 0xFFFFFFFFu});
    return s;
}

void ExpectRoundTrip(const model::TrendSample& s) {
    const Bytes bytes = EncodeSample(s);
    auto back = DecodeSample(bytes);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, s);
    EXPECT_EQ(EncodeSample(*back), bytes);
}

// An independent writer for hand-made values: LEB128, then the CRC the decoder expects.
struct Builder {
    Builder() {
        // magic "mT", format 1 (pushed one by one: GCC 12 warns on a vector member
        // initialised from a braced list)
        for (std::uint8_t b : {0x6D, 0x54, 0x01}) out.push_back(b);
    }
    Bytes out;
    Builder& V(std::uint64_t v) {
        while (v >= 0x80) {
            out.push_back(static_cast<std::uint8_t>(v | 0x80));
            v >>= 7;
        }
        out.push_back(static_cast<std::uint8_t>(v));
        return *this;
    }
    Builder& Raw(Bytes b) {
        out.insert(out.end(), b.begin(), b.end());
        return *this;
    }
    Builder& Zeros(int n) {
        for (int i = 0; i < n; ++i) V(0);
        return *this;
    }
    // time 0, metadata 0, progress 0, flags 0
    Builder& Header() { return Zeros(4); }
    Bytes Sealed() const { return Seal(out); }

    static Bytes Seal(Bytes b) {
        const auto crc =
            static_cast<std::uint32_t>(crc32(0, b.data(), static_cast<uInt>(b.size())));
        for (int shift = 24; shift >= 0; shift -= 8)
            b.push_back(static_cast<std::uint8_t>(crc >> shift));
        return b;
    }
};

std::string DecodeError(const Bytes& bytes) {
    auto r = DecodeSample(bytes);
    if (r.ok()) return "(decoded)";
    EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
    return r.error().message;
}

TEST(SampleCodec, EmptySampleRoundTripsInFewBytes) {
    ExpectRoundTrip(model::TrendSample{});
    // magic 2, format 1, eight one-byte fields (time, id, progress, flags, 4 counts), CRC 4
    EXPECT_EQ(EncodeSample(model::TrendSample{}).size(), 2u + 1 + 8 + 4);
}

TEST(SampleCodec, FullSampleRoundTrips) {
    ExpectRoundTrip(FullSample());
}

TEST(SampleCodec, MaxValuesRoundTrip) {
    ExpectRoundTrip(MaxSample());
    model::TrendSample s;
    s.time_ms = std::numeric_limits<std::int64_t>::max();
    s.loop_end = 1;
    ExpectRoundTrip(s);
    s.time_ms = -1;
    ExpectRoundTrip(s);
}

TEST(SampleCodec, HealthyClusterSampleIsUnder100Bytes) {
    model::TrendSample s = test::MakeSample(1796280000123, 0x1122334455667788ULL, 0);
    EXPECT_LT(EncodeSample(s).size(), 100u);
}

TEST(SampleCodec, EveryTruncationIsRefused) {
    const Bytes full = EncodeSample(FullSample());
    for (std::size_t n = 0; n < full.size(); ++n) {
        const Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_FALSE(DecodeSample(cut).ok()) << "prefix of " << n << " bytes decoded";
    }
}

TEST(SampleCodec, EverySingleBitFlipIsRefused) {
    const Bytes full = EncodeSample(FullSample());
    for (std::size_t i = 0; i < full.size(); ++i) {
        for (int bit = 0; bit < 8; ++bit) {
            Bytes damaged = full;
            damaged[i] ^= static_cast<std::uint8_t>(1 << bit);
            EXPECT_FALSE(DecodeSample(damaged).ok()) << "byte " << i << " bit " << bit;
        }
    }
}

TEST(SampleCodec, NamesWhatIsWrong) {
    Bytes good = EncodeSample(FullSample());
    Bytes bad_magic = good;
    bad_magic[0] = 'X';
    EXPECT_EQ(DecodeError(bad_magic), "sample: bad magic");
    EXPECT_EQ(DecodeError({}), "sample: bad magic");
    Bytes format7 = good;
    format7[2] = 7;
    EXPECT_EQ(DecodeError(format7), "sample: unknown format 7");
    Bytes flipped = good;
    flipped[10] ^= 0x40;
    EXPECT_EQ(DecodeError(flipped), "sample: checksum mismatch");
    EXPECT_EQ(DecodeError({0x6D, 0x54, 0x01}), "sample: truncated in header");
}

TEST(SampleCodec, RefusesCountsOverTheirBounds) {
    EXPECT_EQ(DecodeError(Builder().Header().V(300).Sealed()), "sample: 300 rows is more than 11");
    EXPECT_EQ(DecodeError(Builder().Header().V(1).V(11).Zeros(14).Zeros(4).Sealed()),
              "sample: row index 11 is more than 10");
    EXPECT_EQ(DecodeError(Builder().Header().V(0).V(257).Sealed()),
              "sample: 257 classes is more than 256");
    EXPECT_EQ(DecodeError(Builder().Header().V(0).V(0).V(65537).Sealed()),
              "sample: 65537 servers is more than 65536");
    EXPECT_EQ(DecodeError(Builder().Header().Zeros(3).V((1 << 20) + 1).Sealed()),
              "sample: 1048577 disks is more than 1048576");
    EXPECT_EQ(DecodeError(Builder().Header().Zeros(2).V(1).V(4097).Sealed()),
              "sample: server name of 4097 bytes is longer than 4096");
    // csid over 16 bits
    EXPECT_EQ(DecodeError(Builder().Header().Zeros(2).V(1).V(0).V(65536).Sealed()),
              "sample: csid 65536 is more than 65535");
    EXPECT_EQ(DecodeError(Builder().Zeros(2).V(256).V(0).Zeros(4).Sealed()),
              "sample: matrix progress 256 is more than 255");
}

TEST(SampleCodec, RefusesMalformedLayouts) {
    // One row announced, three of its fifteen numbers present.
    EXPECT_EQ(DecodeError(Builder().Header().V(1).Zeros(3).Sealed()), "sample: truncated in rows");
    EXPECT_EQ(DecodeError(Builder().Header().Zeros(4).V(0).Sealed()), "sample: 1 trailing byte");
    EXPECT_EQ(DecodeError(Builder().Raw({0x80, 0x00}).Zeros(3).Zeros(4).Sealed()),
              "sample: overlong varint in header");
    EXPECT_EQ(DecodeError(Builder()
                              .Raw({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02})
                              .Zeros(3)
                              .Zeros(4)
                              .Sealed()),
              "sample: varint over 64 bits in header");
    EXPECT_EQ(DecodeError(Builder().Zeros(3).V(16).Zeros(4).Sealed()),
              "sample: unknown flags 0x10");
    EXPECT_EQ(DecodeError(Builder().Zeros(3).V(1).Sealed()), "sample: truncated in chunk loop");
    // A varint that never ends.
    EXPECT_EQ(DecodeError(Builder().Raw({0x80, 0x80}).Sealed()), "sample: truncated in header");
}

TEST(SampleCodec, TheBuilderMatchesTheEncoder) {
    // The hand-made values above are only meaningful if the builder writes what the encoder
    // writes: an empty sample, built by hand.
    EXPECT_EQ(Builder().Header().Zeros(4).Sealed(), EncodeSample(model::TrendSample{}));
}

}  // namespace
}  // namespace mfsmon::history
