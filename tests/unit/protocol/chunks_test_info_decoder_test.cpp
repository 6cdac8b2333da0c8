// DecodeChunksTestInfo against every recorded MATOCL_CHUNKSTEST_INFO answer, compared with what
// the same mfscli run printed (3.0.117 `-n -p` "chunk loop" lines, 4.59.2 -j "chunk_loop"),
// plus synthetic answers for the layouts no recording has (52 and 60 bytes) and the layout
// table's rules at both ends of their version ranges. The master version is taken from the INFO
// answer recorded before the answer on the same connection, as mfsmon does.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "decoder_test_support.h"
#include "fixture_loader.h"
#include "model/chunk_loop.h"
#include "protocol/chunks_test_info_decoder.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"

namespace mfsmon::test {
namespace {

using model::ChunkLoopInfo;
using model::Version;
using protocol::Command;
using protocol::DecodeChunksTestInfo;
using protocol::kMatoclChunksTestInfo;
using protocol::Layout;

// 3.0.117: -SIL and -SIN in all 8 states. 4.59.2: -SIL in all 8 states.
constexpr std::size_t kV3Answers = 8 + 8;
constexpr std::size_t kV4Answers = 8;

// The counters after loop start and end, in the order mfscli unpacks each length (3.0.117's
// struct.unpack for 52, 60 and 72 bytes; 4.59.2's ChunkTestInfo96), under the names the model
// promises: 4.x mfscli -j keys, 3.x snake_case names of mfscli's columns.
const std::vector<std::string> kKeys52 = {"invalid_deleted",
                                          "invalid_not_deleted",
                                          "unused_deleted",
                                          "unused_not_deleted",
                                          "disk_clean_deleted",
                                          "disk_clean_not_deleted",
                                          "over_goal_deleted",
                                          "over_goal_not_deleted",
                                          "under_goal_replicated",
                                          "under_goal_not_replicated",
                                          "rebalance"};
const std::vector<std::string> kKeys60 = {"invalid_deleted",
                                          "invalid_not_deleted",
                                          "unused_deleted",
                                          "unused_not_deleted",
                                          "disk_clean_deleted",
                                          "disk_clean_not_deleted",
                                          "over_goal_deleted",
                                          "over_goal_not_deleted",
                                          "under_goal_replicated",
                                          "under_goal_not_replicated",
                                          "rebalance",
                                          "locked_unused",
                                          "locked_used"};
const std::vector<std::string> kKeys72 = {"invalid_deleted",
                                          "invalid_not_deleted",
                                          "unused_deleted",
                                          "unused_not_deleted",
                                          "disk_clean_deleted",
                                          "disk_clean_not_deleted",
                                          "over_goal_deleted",
                                          "over_goal_not_deleted",
                                          "under_goal_replicated",
                                          "under_goal_not_replicated",
                                          "wrong_labels_replicated",
                                          "wrong_labels_not_replicated",
                                          "rebalance",
                                          "wrong_labels_dont_match",
                                          "locked_unused",
                                          "locked_used"};
const std::vector<std::string> kKeys96 = {"fixed_chunks",
                                          "forced_keep",
                                          "del_invalid_copies",
                                          "del_no_longer_needed",
                                          "del_wrong_version",
                                          "del_duplicate_ecpart",
                                          "del_excess_ecpart",
                                          "del_excess_copy",
                                          "del_mfr_ecpart",
                                          "del_mfr_copy",
                                          "rep_dupserver_ecpart",
                                          "rep_needed_ecpart",
                                          "rep_needed_copy",
                                          "rep_wronglabels_ecpart",
                                          "rep_wronglabels_copy",
                                          "rep_split_copy_into_ecparts",
                                          "rep_join_ecparts_into_copy",
                                          "rep_recover_ecpart",
                                          "rep_calculate_ecchksum",
                                          "locked_unused",
                                          "locked_used",
                                          "rep_replicate_rebalance"};

const std::vector<std::string>& KeysFor(std::uint32_t length) {
    switch (length) {
        case 52:
            return kKeys52;
        case 60:
            return kKeys60;
        case 72:
            return kKeys72;
        case 96:
            return kKeys96;
    }
    throw std::runtime_error("no key list for " + std::to_string(length) + " bytes");
}

std::vector<std::string> KeysOf(const ChunkLoopInfo& loop) {
    std::vector<std::string> keys;
    for (const auto& c : loop.counters) keys.emplace_back(c.key);
    return keys;
}

// `length` bytes of big-endian u32 values 1000, 1001, ...: every field tells where it was read.
std::vector<std::uint8_t> Numbered(std::uint32_t length) {
    std::vector<std::uint8_t> p(length, 0);
    for (std::uint32_t i = 0; i + 4 <= length; i += 4) {
        const std::uint32_t v = 1000 + i / 4;
        p[i] = static_cast<std::uint8_t>(v >> 24);
        p[i + 1] = static_cast<std::uint8_t>(v >> 16);
        p[i + 2] = static_cast<std::uint8_t>(v >> 8);
        p[i + 3] = static_cast<std::uint8_t>(v);
    }
    return p;
}

// --- 3.0.117 ---------------------------------------------------------------------------------

// Splits mfscli's "a/b" or "a/b/c" into numbers.
std::vector<std::uint64_t> SlashNumbers(const std::string& text) {
    std::vector<std::uint64_t> out;
    std::size_t start = 0;
    while (true) {
        const auto slash = text.find('/', start);
        out.push_back(ParseU64(text.substr(start, slash - start)));
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return out;
}

// What mfscli 3.0.117 prints for a 72-byte answer with data, line by line: the line's label
// (the fields between "chunk loop" and the value, joined by a space) and the numbers of its
// value, computed from the decoded counters the way mfscli computes them (done/done+not done).
std::map<std::string, std::vector<std::uint64_t>> MfscliLines72(const ChunkLoopInfo& loop,
                                                                std::set<std::string>& used) {
    const auto c = [&](const char* key) -> std::uint64_t {
        used.insert(key);
        const auto v = loop.Counter(key);
        if (!v) ADD_FAILURE() << "no counter " << key;
        return v.value_or(0);
    };
    const auto pair = [&](const char* done, const char* not_done) {
        return std::vector<std::uint64_t>{c(done), c(done) + c(not_done)};
    };
    return {
        {"start:", {loop.start}},
        {"end:", {loop.end}},
        {"deletions invalid:", pair("invalid_deleted", "invalid_not_deleted")},
        {"deletions unused:", pair("unused_deleted", "unused_not_deleted")},
        {"deletions disk clean:", pair("disk_clean_deleted", "disk_clean_not_deleted")},
        {"deletions over goal:", pair("over_goal_deleted", "over_goal_not_deleted")},
        {"replications under goal:", pair("under_goal_replicated", "under_goal_not_replicated")},
        {"replications wrong labels:",
         {c("wrong_labels_replicated"), c("wrong_labels_dont_match"),
          c("wrong_labels_replicated") + c("wrong_labels_not_replicated") +
              c("wrong_labels_dont_match")}},
        {"replications rebalance:", {c("rebalance")}},
        {"locked unused:", {c("locked_unused")}},
        {"locked used:", {c("locked_used")}},
    };
}

void CheckV3(const RecordedAnswer& rec, const ChunkLoopInfo& loop) {
    EXPECT_EQ(KeysOf(loop), kKeys72);
    const auto text = ReadMfscliText(rec.option_dir / "mfscli.txt");
    const auto rows = text.Table("chunk loop");
    ASSERT_FALSE(rows.empty()) << "no chunk loop lines in " << text.path.string();
    if (rows.size() == 1 && rows[0].size() == 2 && rows[0][1] == "no data") {
        // mfscli prints only this when loop start is 0, whatever else was sent.
        EXPECT_FIELD_EQ(loop.has_data(), false);
        return;
    }
    EXPECT_FIELD_EQ(loop.has_data(), true);

    std::map<std::string, std::vector<std::uint64_t>> printed;
    for (const auto& row : rows) {
        ASSERT_GE(row.size(), 3u) << "short chunk loop line in " << text.path.string();
        std::string label;
        for (std::size_t i = 1; i + 1 < row.size(); ++i) label += (i > 1 ? " " : "") + row[i];
        ASSERT_TRUE(printed.emplace(label, SlashNumbers(row.back())).second)
            << "'" << label << "' printed twice";
    }
    std::set<std::string> used;
    const auto expected = MfscliLines72(loop, used);
    EXPECT_EQ(printed.size(), expected.size());
    for (const auto& [label, numbers] : expected) {
        SCOPED_TRACE(label);
        const auto it = printed.find(label);
        ASSERT_NE(it, printed.end()) << "mfscli did not print this line";
        ASSERT_EQ(it->second.size(), numbers.size());
        for (std::size_t i = 0; i < numbers.size(); ++i) EXPECT_FIELD_EQ(numbers[i], it->second[i]);
    }
    // Every wire counter went into some printed line.
    EXPECT_EQ(used.size(), loop.counters.size());
}

// --- 4.59.2 ----------------------------------------------------------------------------------

void CheckV4(const RecordedAnswer& rec, const ChunkLoopInfo& loop) {
    EXPECT_EQ(KeysOf(loop), kKeys96);
    const auto json = ReadMfscliJson(rec.option_dir / "mfscli.json");
    const auto& cl = json.at("dataset").at("info").at("chunk_loop");
    if (cl.is_null()) {
        EXPECT_FIELD_EQ(loop.has_data(), false);
        return;
    }
    EXPECT_FIELD_EQ(loop.has_data(), true);
    EXPECT_FIELD_EQ(loop.start, cl.at("start_time").get<std::uint32_t>());
    EXPECT_FIELD_EQ(loop.end, cl.at("end_time").get<std::uint32_t>());
    std::set<std::string> known = {"start_time", "end_time", "start_time_str", "end_time_str"};
    for (const auto& c : loop.counters) {
        SCOPED_TRACE(std::string(c.key));
        ASSERT_TRUE(cl.contains(std::string(c.key))) << "mfscli has no such chunk_loop key";
        EXPECT_FIELD_EQ(c.value, cl.at(std::string(c.key)).get<std::uint32_t>());
        known.insert(std::string(c.key));
    }
    for (const auto& [key, value] : cl.items()) {
        if (!known.count(key))
            ADD_FAILURE() << "mfscli printed chunk_loop." << key << ", not decoded";
    }
}

// --- every recorded answer -------------------------------------------------------------------

TEST(ChunksTestInfoRecordings, EveryAnswerIsFoundAndListedInTheManifests) {
    ExpectAnswersMatchManifest(kV3, kMatoclChunksTestInfo, kV3Answers);
    ExpectAnswersMatchManifest(kV4, kMatoclChunksTestInfo, kV4Answers);
}

class RecordedChunksTestInfo : public RecordedAnswerTest {};

TEST_P(RecordedChunksTestInfo, MatchesWhatMfscliPrinted) {
    const RecordedAnswer& rec = GetParam();
    ASSERT_NO_FATAL_FAILURE(ReadAnswer(kMatoclChunksTestInfo));
    const auto loop = DecodeChunksTestInfo(packet.payload, master);
    ASSERT_TRUE(loop.ok()) << loop.error().message;
    if (rec.version == kV3) {
        CheckV3(rec, *loop);
    } else {
        CheckV4(rec, *loop);
    }
}

MFSMON_INSTANTIATE_RECORDED(RecordedChunksTestInfo, FindMasterAnswersOrEmpty,
                            kMatoclChunksTestInfo);

// --- recorded bytes mfscli does not show -----------------------------------------------------

std::vector<std::uint8_t> RecordedPayload(std::string_view version, std::string_view state) {
    return OnlyMasterAnswerPayload(version, state, "SIL", kMatoclChunksTestInfo);
}

// 3.0.117 sent loop start 0 with an end time and counters in four states (a pass it had not
// completed); mfscli printed only "no data". These are the recorded values, so a shifted
// field still shows here although mfscli printed none of them.
TEST(ChunksTestInfoDecoder, ThreeXPassWithoutStartKeepsItsCounters) {
    const auto loop = DecodeChunksTestInfo(RecordedPayload(kV3, "marked-for-removal"), kVersion3);
    ASSERT_TRUE(loop.ok()) << loop.error().message;
    EXPECT_FALSE(loop->has_data());
    EXPECT_EQ(loop->start, 0u);
    EXPECT_EQ(loop->end, 1795602071u);
    for (const auto& c : loop->counters) {
        SCOPED_TRACE(std::string(c.key));
        const std::map<std::string_view, std::uint32_t> nonzero = {
            {"over_goal_deleted", 1},
            {"under_goal_replicated", 146},
            {"under_goal_not_replicated", 120},
            {"rebalance", 1}};
        const auto it = nonzero.find(c.key);
        EXPECT_EQ(c.value, it == nonzero.end() ? 0u : it->second);
    }
}

TEST(ChunksTestInfoDecoder, CounterLooksUpByKey) {
    const auto loop = DecodeChunksTestInfo(RecordedPayload(kV4, "marked-for-removal"), kVersion4);
    ASSERT_TRUE(loop.ok()) << loop.error().message;
    EXPECT_EQ(loop->Counter("forced_keep"), std::optional<std::uint32_t>(36));
    EXPECT_EQ(loop->Counter("rep_replicate_rebalance"), std::optional<std::uint32_t>(1));
    EXPECT_EQ(loop->Counter("invalid_deleted"), std::nullopt);  // a 3.x name
    EXPECT_EQ(loop->Counter(""), std::nullopt);
}

// --- layouts no recording has ----------------------------------------------------------------

TEST(ChunksTestInfoDecoder, FiftyTwoAndSixtyByteLayoutsAsMfscliUnpacksThem) {
    for (const Version& master : {kVersion3, Version{2, 0, 0, false}}) {
        for (const std::uint32_t length : {52u, 60u}) {
            SCOPED_TRACE(std::to_string(length) + " bytes from " + master.ToString());
            const auto loop = DecodeChunksTestInfo(Numbered(length), master);
            ASSERT_TRUE(loop.ok()) << loop.error().message;
            EXPECT_EQ(loop->start, 1000u);
            EXPECT_EQ(loop->end, 1001u);
            EXPECT_EQ(KeysOf(*loop), KeysFor(length));
            for (std::size_t i = 0; i < loop->counters.size(); ++i) {
                EXPECT_FIELD_EQ(loop->counters[i].value, 1002u + i);
            }
            // 52 has no locked pair; neither has the wrong-labels counters of 72.
            EXPECT_EQ(loop->Counter("locked_used").has_value(), length == 60);
            EXPECT_FALSE(loop->Counter("wrong_labels_replicated").has_value());
            EXPECT_EQ(loop->Counter("rebalance"), std::optional<std::uint32_t>(1012));
        }
    }
}

TEST(ChunksTestInfoDecoder, SeventyTwoAndNinetySixPutEachCounterWhereMfscliReadsIt) {
    for (const auto& [length, master] : {std::pair{72u, kVersion3}, std::pair{96u, kVersion4}}) {
        SCOPED_TRACE(length);
        const auto loop = DecodeChunksTestInfo(Numbered(length), master);
        ASSERT_TRUE(loop.ok()) << loop.error().message;
        EXPECT_EQ(KeysOf(*loop), KeysFor(length));
        for (std::size_t i = 0; i < loop->counters.size(); ++i) {
            EXPECT_FIELD_EQ(loop->counters[i].value, 1002u + i);
        }
    }
}

// --- malformed answers ---------------------------------------------------------------------

TEST(ChunksTestInfoDecoder, EveryTruncationOf3xAnswerIsAnErrorButTheShorterLayouts) {
    const auto payload = RecordedPayload(kV3, "missing-files");
    ASSERT_EQ(payload.size(), 72u);
    for (std::size_t n = 0; n < payload.size(); ++n) {
        const auto r = DecodeChunksTestInfo(std::span(payload).first(n), kVersion3);
        // mfscli picks the 3.x layout by length, so 52 and 60 bytes are valid answers too.
        if (n == 52 || n == 60) {
            ASSERT_TRUE(r.ok()) << r.error().message;
            EXPECT_EQ(KeysOf(*r), KeysFor(static_cast<std::uint32_t>(n)));
            continue;
        }
        ASSERT_FALSE(r.ok()) << "a " << n << "-byte prefix decoded";
        EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
        EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_CHUNKSTEST_INFO", "3.0.117"}))
            << r.error().message;
    }
}

TEST(ChunksTestInfoDecoder, EveryTruncationOf4xAnswerIsAnError) {
    const auto payload = RecordedPayload(kV4, "marked-for-removal");
    ASSERT_EQ(payload.size(), 96u);
    for (std::size_t n = 0; n < payload.size(); ++n) {
        const auto r = DecodeChunksTestInfo(std::span(payload).first(n), kVersion4);
        ASSERT_FALSE(r.ok()) << "a " << n << "-byte prefix decoded";
        EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
    }
}

TEST(ChunksTestInfoDecoder, OneExtraByteIsAnError) {
    for (const auto& [version, master] : kRecordedVersions) {
        auto payload = RecordedPayload(version, "healthy");
        payload.push_back(0);
        const auto r = DecodeChunksTestInfo(payload, master);
        ASSERT_FALSE(r.ok()) << version;
        EXPECT_TRUE(MentionsAll(r.error(),
                                {"MATOCL_CHUNKSTEST_INFO", std::to_string(payload.size()).c_str()}))
            << r.error().message;
    }
}

TEST(ChunksTestInfoDecoder, LayoutOfTheOtherMajorVersionNamesLengthAndVersion) {
    const auto r4 = DecodeChunksTestInfo(RecordedPayload(kV4, "healthy"), kVersion3);
    ASSERT_FALSE(r4.ok());
    EXPECT_TRUE(MentionsAll(r4.error(), {"MATOCL_CHUNKSTEST_INFO", "96", "3.0.117"}))
        << r4.error().message;
    const auto r3 = DecodeChunksTestInfo(RecordedPayload(kV3, "healthy"), kVersion4);
    ASSERT_FALSE(r3.ok());
    EXPECT_TRUE(MentionsAll(r3.error(), {"MATOCL_CHUNKSTEST_INFO", "72", "4.59.2"}))
        << r3.error().message;
}

// --- the layout table's rules for this answer -------------------------------------------------

TEST(ChunksTestInfoLayoutRules, EachRuleDecodesAtBothEndsOfItsRangeAndNotPastThem) {
    int rules = 0;
    for (const auto& r : protocol::LayoutRules()) {
        if (r.command != Command::kChunksTestInfo) continue;
        ++rules;
        EXPECT_EQ(r.request, protocol::RequestForm::kEmpty);
        for (const Version& v : RangeEnds(r)) {
            SCOPED_TRACE(std::to_string(r.length) + " bytes from master " + v.ToString());
            const auto found = protocol::FindLayout(r.command, v, r.length);
            ASSERT_TRUE(found.ok()) << found.error().message;
            EXPECT_EQ(*found, r.layout);
            const auto loop = DecodeChunksTestInfo(Numbered(r.length), v);
            ASSERT_TRUE(loop.ok()) << loop.error().message;
            EXPECT_FIELD_EQ(KeysOf(*loop), KeysFor(r.length));
        }
        ExpectRuleEndsWithItsRange(r, r.length);
    }
    EXPECT_EQ(rules, 4);
}

// The boundaries the reference gives (wire protocol sections 11 and 16, layouts note section
// 5), written out so that a table range drifting from them fails.
TEST(ChunksTestInfoLayoutRules, VersionBoundariesFromTheReference) {
    struct Case {
        Version version;
        std::uint32_t length;
        bool accepted;
    };
    const Case cases[] = {
        {{1, 7, 31}, 72, false}, {{2, 0, 0}, 52, true},    {{3, 0, 117}, 60, true},
        {{3, 0, 117}, 72, true}, {{3, 0, 117}, 96, false}, {{4, 3, 9}, 96, false},
        {{4, 4, 0}, 96, true},   {{4, 4, 0}, 72, false},   {{4, 59, 2}, 96, true},
        {{5, 0, 0}, 96, false},
    };
    for (const auto& c : cases) {
        CountComparison();
        EXPECT_EQ(DecodeChunksTestInfo(Numbered(c.length), c.version).ok(), c.accepted)
            << c.length << " bytes from " << c.version.ToString();
    }
}

}  // namespace
}  // namespace mfsmon::test
