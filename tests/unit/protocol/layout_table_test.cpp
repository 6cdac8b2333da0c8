// The layout table against the decoders and against the byte sizes in the reference notes:
// every rule's length is what the decoders accept for that version range (and nothing next to
// it), and no two rules for one command claim the same (version, length).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "decoder_test_support.h"
#include "fixture_loader.h"
#include "model/chunk_matrix.h"
#include "protocol/chunks_matrix_decoder.h"
#include "protocol/command_ids.h"
#include "protocol/info_decoder.h"
#include "protocol/layout_table.h"

namespace mfsmon::test {
namespace {

using model::Version;
using protocol::Command;
using protocol::Layout;
using protocol::LayoutRule;

// What each layout carries, from the reference notes (wire protocol sections 4, 5 and 16,
// layouts note sections 1 and 2), to compute its length independently of the table.
struct InfoShape {
    bool exports_checksum;  // all but 121
    bool free_space;        // 137, 149; 4.10+
    bool time_tail;         // usec_time:64 last_changelog_time:32
    bool four_x;            // metadata id, last-store meta version/checksum, copy/part counters
    bool ec_split;          // 4.26+: EC4 chunk count and parts next to EC8
};

std::optional<InfoShape> InfoShapeOf(Layout layout) {
    switch (layout) {
        case Layout::kInfo121:
            return InfoShape{false, false, false, false, false};
        case Layout::kInfo129:
            return InfoShape{true, false, false, false, false};
        case Layout::kInfo137:
            return InfoShape{true, true, false, false, false};
        case Layout::kInfo149:
            return InfoShape{true, true, true, false, false};
        case Layout::kInfo173:
            return InfoShape{true, false, false, true, false};
        case Layout::kInfo181:
            return InfoShape{true, true, false, true, false};
        case Layout::kInfo193:
            return InfoShape{true, true, true, true, false};
        case Layout::kInfo205:
            return InfoShape{true, true, true, true, true};
        default:
            return std::nullopt;
    }
}

std::uint32_t InfoLength(const InfoShape& s) {
    // version:32, memusage syscpu usercpu totalspace availspace:64, trashspace:64
    // trashnodes:32 sustainedspace:64 sustainednodes:32, allnodes dirnodes filenodes chunks:32,
    // two chunk counters:32 (3.x all/regular copies; 4.x copy/EC chunks), laststore ts:32
    // ms:32 status:8, 4 HA state bytes, leaderip:32 state_change_time:32, meta_version:64.
    std::uint32_t n = 4 + 5 * 8 + (8 + 4 + 8 + 4) + 4 * 4 + 2 * 4 + (4 + 4 + 1) + 4 + (4 + 4) + 8;
    if (s.exports_checksum) n += 8;
    if (s.free_space) n += 8;
    if (s.time_tail) n += 8 + 4;
    // metadata_id:64 laststore_meta_version:64 laststore_checksum:32 chunk_copies:64
    // ec_parts:64 hypothetical_copies:64.
    if (s.four_x) n += 8 + 8 + 4 + 8 + 8 + 8;
    if (s.ec_split) n += 4 + 8;  // ec4chunks:32 ec4_parts:64
    return n;
}

// progress:8 + N matrices of 11 x 11 x u32.
std::optional<std::uint32_t> MatrixCount(Layout layout) {
    switch (layout) {
        case Layout::kMatrixGoal2:
        case Layout::kMatrixLevel2:
            return 2;
        case Layout::kMatrixLevel6:
            return 6;
        case Layout::kMatrixLevel8:
            return 8;
        default:
            return std::nullopt;
    }
}

// The INFO version word for `v` (wire protocol sections 2 and 16).
std::vector<std::uint8_t> InfoPayload(const Version& v, std::uint32_t length) {
    std::vector<std::uint8_t> p(length, 0);
    const bool plain_patch = v.major < 2 || (v.major == 4 && v.mid <= 10);
    p.at(0) = static_cast<std::uint8_t>(v.major >> 8);
    p.at(1) = static_cast<std::uint8_t>(v.major);
    p.at(2) = v.mid;
    p.at(3) = static_cast<std::uint8_t>(plain_patch ? v.minor : v.minor * 2);
    return p;
}

// Decodes a payload of `length` for this rule's command from master `v`; true if accepted.
bool Accepts(const LayoutRule& rule, const Version& v, std::uint32_t length) {
    if (rule.command == Command::kInfo) return protocol::DecodeInfo(InfoPayload(v, length)).ok();
    return protocol::DecodeChunksMatrix(std::vector<std::uint8_t>(length, 0), v).ok();
}

// The INFO and MATRIX rules: exact lengths, checked here against their decoders. The rules of
// the other commands are checked beside their decoders' tests.
bool IsInfoOrMatrix(const LayoutRule& r) {
    return r.command == Command::kInfo || r.command == Command::kChunksMatrix;
}

std::string Describe(const LayoutRule& r) {
    return std::string(protocol::AnswerName(r.command)) + " " + std::to_string(r.length) +
           " bytes, " + r.from.ToString() + " <= v < " + r.before.ToString();
}

TEST(LayoutTable, IsNotEmptyAndRangesAreProper) {
    const auto rules = protocol::LayoutRules();
    ASSERT_FALSE(rules.empty());
    for (const auto& r : rules) EXPECT_LT(r.from, r.before) << Describe(r);
}

TEST(LayoutTable, LengthsAreTheReferenceSizes) {
    for (const auto& r : protocol::LayoutRules()) {
        if (!IsInfoOrMatrix(r)) continue;
        SCOPED_TRACE(Describe(r));
        if (r.command == Command::kInfo) {
            const auto shape = InfoShapeOf(r.layout);
            ASSERT_TRUE(shape.has_value()) << "an INFO rule with a matrix layout";
            EXPECT_FIELD_EQ(r.length, InfoLength(*shape));
        } else {
            const auto n = MatrixCount(r.layout);
            ASSERT_TRUE(n.has_value()) << "a matrix rule with an INFO layout";
            EXPECT_FIELD_EQ(r.length, 1 + *n * 484u);
        }
    }
}

TEST(LayoutTable, NoTwoRulesOverlap) {
    const auto rules = protocol::LayoutRules();
    for (std::size_t i = 0; i < rules.size(); ++i) {
        for (std::size_t j = i + 1; j < rules.size(); ++j) {
            const auto& a = rules[i];
            const auto& b = rules[j];
            if (a.command != b.command || a.request != b.request || a.sizing != b.sizing ||
                a.length != b.length) {
                continue;
            }
            const bool disjoint = !(a.from < b.before) || !(b.from < a.before);
            EXPECT_TRUE(disjoint) << Describe(a) << " overlaps " << Describe(b);
        }
    }
}

TEST(LayoutTable, DecodersAcceptEachRuleAtBothEndsOfItsRange) {
    for (const auto& r : protocol::LayoutRules()) {
        if (!IsInfoOrMatrix(r)) continue;
        for (const Version& v : RangeEnds(r)) {
            SCOPED_TRACE(Describe(r) + ", master " + v.ToString());
            const auto found = protocol::FindLayout(r.command, v, r.length);
            ASSERT_TRUE(found.ok()) << found.error().message;
            EXPECT_EQ(*found, r.layout);
            if (r.command == Command::kInfo) {
                const auto info = protocol::DecodeInfo(InfoPayload(v, r.length));
                ASSERT_TRUE(info.ok()) << info.error().message;
                EXPECT_EQ(info->version, v);
                EXPECT_EQ(info->layout_length, r.length);
                const auto shape = *InfoShapeOf(r.layout);
                EXPECT_EQ(info->exports_checksum.has_value(), shape.exports_checksum);
                EXPECT_EQ(info->free_space.has_value(), shape.free_space);
                EXPECT_EQ(info->usec_time.has_value(), shape.time_tail);
                EXPECT_EQ(info->all_copies.has_value(), !shape.four_x);
                EXPECT_EQ(info->copy_chunks.has_value(), shape.four_x);
                EXPECT_EQ(info->metadata_id.has_value(), shape.four_x);
                EXPECT_EQ(info->ec4_chunks.has_value(), shape.ec_split);
            } else {
                const auto m =
                    protocol::DecodeChunksMatrix(std::vector<std::uint8_t>(r.length, 0), v);
                ASSERT_TRUE(m.ok()) << m.error().message;
                // 3.x rows are goals; every 4.x layout counts redundancy levels.
                EXPECT_EQ(m->rows, v.major < 4 ? model::RowMeaning::kGoal
                                               : model::RowMeaning::kRedundancyLevel);
                const auto n = *MatrixCount(r.layout);
                EXPECT_EQ(m->copies.has_value(), n >= 6);
                EXPECT_EQ(m->ec8.has_value(), n >= 6);
                EXPECT_EQ(m->ec4.has_value(), n == 8);
            }
            // Lengths are exact, not minimums: a field more or a byte less is an error. (+-4, not
            // +-8: the 3.x INFO layouts are 8 bytes apart and all valid.)
            for (const int delta : {-4, -1, 1, 4}) {
                EXPECT_FALSE(Accepts(r, v, r.length + delta)) << "length " << r.length + delta;
            }
        }
    }
}

TEST(LayoutTable, RuleDoesNotReachPastItsRange) {
    for (const auto& r : protocol::LayoutRules()) {
        if (!IsInfoOrMatrix(r)) continue;
        SCOPED_TRACE(Describe(r));
        ExpectRuleEndsWithItsRange(r, r.length);
    }
}

// The version boundaries the reference notes give (wire protocol sections 2, 5 and 16;
// layouts note sections 1 and 2), written out here so a table range that drifts from them
// fails even when the table stays consistent with itself.
TEST(LayoutTable, VersionBoundariesFromTheReference) {
    struct Case {
        Command command;
        Version version;
        std::uint32_t length;
        bool accepted;
    };
    const Case cases[] = {
        // INFO: 121/129/137/149 for 2.0+ (chosen by length, like mfscli), none on 4.x.
        {Command::kInfo, {1, 7, 31}, 121, false},
        {Command::kInfo, {2, 0, 0}, 121, true},
        {Command::kInfo, {3, 0, 117}, 137, true},
        {Command::kInfo, {3, 0, 117}, 149, true},
        {Command::kInfo, {4, 59, 2}, 149, false},
        // 173 from 4.4, 181 from 4.10, 193 from 4.17, 205 from 4.26.
        {Command::kInfo, {4, 3, 9}, 173, false},
        {Command::kInfo, {4, 4, 0}, 173, true},
        {Command::kInfo, {4, 9, 9}, 173, true},
        {Command::kInfo, {4, 10, 0}, 173, false},
        {Command::kInfo, {4, 10, 0}, 181, true},
        {Command::kInfo, {4, 16, 9}, 181, true},
        {Command::kInfo, {4, 17, 0}, 181, false},
        {Command::kInfo, {4, 17, 0}, 193, true},
        {Command::kInfo, {4, 25, 9}, 193, true},
        {Command::kInfo, {4, 25, 9}, 205, false},
        {Command::kInfo, {4, 26, 0}, 193, false},
        {Command::kInfo, {4, 26, 0}, 205, true},
        {Command::kInfo, {4, 59, 2}, 205, true},
        {Command::kInfo, {3, 0, 117}, 205, false},
        // CHUNKS_MATRIX: 969 from 1.7 on (older masters answer per matrix); 6 matrices
        // before the EC8/EC4 split that INFO 205 shows at 4.26, 8 after it; never 6 or 8
        // on 3.x.
        {Command::kChunksMatrix, {1, 6, 27}, 969, false},
        {Command::kChunksMatrix, {1, 7, 0}, 969, true},
        {Command::kChunksMatrix, {3, 0, 117}, 969, true},
        {Command::kChunksMatrix, {3, 0, 117}, 2905, false},
        {Command::kChunksMatrix, {3, 0, 117}, 3873, false},
        {Command::kChunksMatrix, {4, 0, 0}, 969, true},
        {Command::kChunksMatrix, {4, 25, 9}, 2905, true},
        {Command::kChunksMatrix, {4, 25, 9}, 3873, false},
        {Command::kChunksMatrix, {4, 26, 0}, 2905, false},
        {Command::kChunksMatrix, {4, 26, 0}, 3873, true},
        {Command::kChunksMatrix, {4, 59, 2}, 969, true},
        {Command::kChunksMatrix, {4, 59, 2}, 3873, true},
        {Command::kChunksMatrix, {5, 0, 0}, 3873, false},
    };
    for (const auto& c : cases) {
        const auto found = protocol::FindLayout(c.command, c.version, c.length);
        CountComparison();
        EXPECT_EQ(found.ok(), c.accepted) << protocol::AnswerName(c.command) << " " << c.length
                                          << " bytes from " << c.version.ToString();
    }
}

}  // namespace
}  // namespace mfsmon::test
