// DecodeMissingChunks against every recorded MATOCL_MISSING_CHUNKS answer, compared with what
// the same mfscli run printed (3.0.117 `-n -p` "missing files:" lines, 4.59.2 -j "missing"),
// plus synthetic answers for what no recording has (16-byte entries, types other than 0) and
// the layout table's rules at both ends of their version ranges. mfscli prints one line per
// path, with paths from the MASS_RESOLVE_PATHS answer of the same run, so that answer is
// decoded here too (its own checks are in mass_resolve_paths_decoder_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "decoder_test_support.h"
#include "fixture_loader.h"
#include "model/missing_chunk.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"
#include "protocol/mass_resolve_paths_decoder.h"
#include "protocol/missing_chunks_decoder.h"

namespace mfsmon::test {
namespace {

using model::MissingChunk;
using model::MissingType;
using model::Version;
using protocol::Command;
using protocol::DecodeMissingChunks;
using protocol::kMatoclMassResolvePaths;
using protocol::kMatoclMissingChunks;
using protocol::RequestForm;

// 3.0.117: -SMF and -SIN in all 8 states. 4.59.2: -SMF in all 8 states. Only missing-files has
// entries (3.0.117: 3, 4.59.2: 1); the others are 0 bytes.
constexpr std::size_t kV3Answers = 8 + 8;
constexpr std::size_t kV4Answers = 8;

// mfscli's text for a chunk none of whose inode's paths came back.
constexpr std::string_view kUnknownPath = " * unknown path * (deleted file)";

// The form of the request recorded just before `rec`: mfscli's choice for this master.
RequestForm RequestFormBefore(const RecordedAnswer& rec) {
    return FormOfRequest(RequestPayloadBefore(rec, true),
                         {RequestForm::kEmpty, RequestForm::kMode1});
}

// Decoded paths by inode, from the MASS_RESOLVE_PATHS answer recorded after `rec`; mfscli asks
// for none when the list is empty.
std::optional<std::map<std::uint32_t, std::vector<std::string>>> PathsAfter(
    const RecordedAnswer& rec, const Version& master) {
    const auto answers = MasterAnswersIn(rec.option_dir, kMatoclMassResolvePaths);
    if (answers.empty()) return std::nullopt;
    if (answers.size() != 1 || answers[0].sequence < rec.file.sequence) {
        throw std::runtime_error("unexpected MASS_RESOLVE_PATHS answers near " + rec.Label());
    }
    const auto records =
        protocol::DecodeMassResolvePaths(ReadPacket(answers[0].path).payload, master);
    if (!records) throw std::runtime_error(records.error().message);
    std::map<std::uint32_t, std::vector<std::string>> out;
    for (const auto& r : *records) {
        auto& paths = out[r.inode];
        // mfscli: a record without paths is "./META" (trash or sustained).
        if (r.paths.empty()) paths.push_back("./META");
        paths.insert(paths.end(), r.paths.begin(), r.paths.end());
    }
    return out;
}

std::vector<std::uint8_t> Entries(std::initializer_list<MissingChunk> chunks, bool typed) {
    std::vector<std::uint8_t> p;
    for (const auto& c : chunks) {
        for (int s = 56; s >= 0; s -= 8) p.push_back(static_cast<std::uint8_t>(c.chunk_id >> s));
        for (int s = 24; s >= 0; s -= 8) p.push_back(static_cast<std::uint8_t>(c.inode >> s));
        for (int s = 24; s >= 0; s -= 8) p.push_back(static_cast<std::uint8_t>(c.index >> s));
        if (typed) p.push_back(c.type_raw.value_or(0));
    }
    return p;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// --- 3.0.117 ---------------------------------------------------------------------------------

// mfscli's rows (path, inode, index, chunk id, type): one per path of the chunk's inode, or
// one "unknown path" row. mfscli sorts them; both sides are sorted here before comparing.
using Row = std::vector<std::string>;

void CheckV3(const RecordedAnswer& rec, const std::vector<MissingChunk>& chunks,
             const Version& master) {
    const auto text = ReadMfscliText(rec.option_dir / "mfscli.txt");
    std::vector<Row> printed;
    for (const auto& row : text.Table("missing files:")) {
        ASSERT_EQ(row.size(), 6u) << "missing files line in " << text.path.string();
        printed.emplace_back(row.begin() + 1, row.end());
    }
    const auto paths = PathsAfter(rec, master);
    // mfscli resolves paths exactly when there is something to resolve.
    EXPECT_EQ(paths.has_value(), !chunks.empty());

    std::vector<Row> decoded;
    for (const auto& c : chunks) {
        ASSERT_TRUE(c.type_raw.has_value()) << "mode 1 entries carry a type";
        std::vector<std::string> names = {std::string(kUnknownPath)};
        if (paths && paths->count(c.inode)) names = paths->at(c.inode);
        for (const auto& name : names) {
            decoded.push_back({name, std::to_string(c.inode), std::to_string(c.index),
                               fmt::format("{:016X}", c.chunk_id),
                               std::string(model::MissingTypeText(c.type()))});
        }
    }
    std::sort(printed.begin(), printed.end());
    std::sort(decoded.begin(), decoded.end());
    ASSERT_EQ(decoded.size(), printed.size());
    for (std::size_t i = 0; i < decoded.size(); ++i) {
        for (std::size_t f = 0; f < decoded[i].size(); ++f) {
            SCOPED_TRACE(testing::Message() << "row " << i << " field " << f);
            EXPECT_FIELD_EQ(decoded[i][f], printed[i][f]);
        }
    }
}

// --- 4.59.2 ----------------------------------------------------------------------------------

void CheckV4(const RecordedAnswer& rec, const std::vector<MissingChunk>& chunks,
             const Version& master) {
    const auto json = ReadMfscliJson(rec.option_dir / "mfscli.json");
    const auto& missing = json.at("dataset").at("info").at("missing");
    ASSERT_TRUE(missing.is_array());
    ASSERT_EQ(missing.size(), chunks.size());
    const auto paths = PathsAfter(rec, master);
    EXPECT_EQ(paths.has_value(), !chunks.empty());

    // One JSON entry per chunk; matched by (inode, index, chunk id), as mfscli sorts them.
    const auto key = [](std::uint32_t inode, std::uint32_t index, const std::string& id) {
        return std::tuple{inode, index, id};
    };
    std::map<std::tuple<std::uint32_t, std::uint32_t, std::string>, const nlohmann::json*> byKey;
    for (const auto& m : missing) {
        EXPECT_EQ(m.size(), 6u) << m.dump();
        const auto k = key(m.at("inode").get<std::uint32_t>(), m.at("index").get<std::uint32_t>(),
                           m.at("chunkid").get<std::string>());
        ASSERT_TRUE(byKey.emplace(k, &m).second) << "listed twice: " << m.dump();
    }
    for (const auto& c : chunks) {
        const std::string id = fmt::format("{:016X}", c.chunk_id);
        SCOPED_TRACE(id);
        const auto it = byKey.find(key(c.inode, c.index, id));
        ASSERT_NE(it, byKey.end()) << "mfscli did not list this chunk";
        const auto& m = *it->second;
        CountComparison();  // inode, index and chunk id: matched by the key above
        CountComparison();
        CountComparison();
        ASSERT_TRUE(c.type_raw.has_value()) << "mode 1 entries carry a type";
        EXPECT_FIELD_EQ(*c.type_raw, m.at("type").get<std::uint32_t>());
        // 4.59.2 -j words it "No copy" where 3.0.117 printed "NO COPY".
        EXPECT_FIELD_EQ(Lower(model::MissingTypeText(c.type())),
                        Lower(m.at("type_txt").get<std::string>()));
        if (paths && paths->count(c.inode)) {
            EXPECT_FIELD_EQ(paths->at(c.inode), m.at("paths").get<std::vector<std::string>>());
        } else {
            EXPECT_FIELD_EQ(std::string(kUnknownPath), m.at("paths").get<std::string>());
        }
    }
}

// --- every recorded answer -------------------------------------------------------------------

TEST(MissingChunksRecordings, EveryAnswerIsFoundAndListedInTheManifests) {
    ExpectAnswersMatchManifest(kV3, kMatoclMissingChunks, kV3Answers);
    ExpectAnswersMatchManifest(kV4, kMatoclMissingChunks, kV4Answers);
}

class RecordedMissingChunks : public RecordedAnswerTest {};

TEST_P(RecordedMissingChunks, MatchesWhatMfscliPrinted) {
    const RecordedAnswer& rec = GetParam();
    ASSERT_NO_FATAL_FAILURE(ReadAnswer(kMatoclMissingChunks));
    const RequestForm form = RequestFormBefore(rec);
    // mfsmon would have sent what mfscli sent.
    ASSERT_NO_FATAL_FAILURE(ExpectSameRequestAsMfscli(Command::kMissingChunks, form));
    const auto chunks = DecodeMissingChunks(packet.payload, master, form);
    ASSERT_TRUE(chunks.ok()) << chunks.error().message;
    // The list comes from a completed check-loop pass: only the missing-files state has one.
    EXPECT_EQ(chunks->empty(), rec.state != "missing-files");
    if (rec.version == kV3) {
        CheckV3(rec, *chunks, master);
    } else {
        CheckV4(rec, *chunks, master);
    }
}

MFSMON_INSTANTIATE_RECORDED(RecordedMissingChunks, FindMasterAnswersOrEmpty, kMatoclMissingChunks);

// --- what no recording has -------------------------------------------------------------------

std::vector<std::uint8_t> RecordedPayload(std::string_view version) {
    return OnlyMasterAnswerPayload(version, "missing-files", "SMF", kMatoclMissingChunks);
}

TEST(MissingChunksDecoder, EmptyRequestHas16ByteEntriesWithoutType) {
    const auto payload =
        Entries({{0x0102030405060708, 44, 0, {}}, {0xFFFFFFFFFFFFFFFF, 0xFFFFFFFF, 7, {}}}, false);
    ASSERT_EQ(payload.size(), 32u);
    for (const Version& master : {Version{2, 0, 0, false}, kVersion3, kVersion4}) {
        SCOPED_TRACE(master.ToString());
        const auto chunks = DecodeMissingChunks(payload, master, RequestForm::kEmpty);
        ASSERT_TRUE(chunks.ok()) << chunks.error().message;
        ASSERT_EQ(chunks->size(), 2u);
        EXPECT_FIELD_EQ((*chunks)[0].chunk_id, 0x0102030405060708u);
        EXPECT_FIELD_EQ((*chunks)[0].inode, 44u);
        EXPECT_FIELD_EQ((*chunks)[0].index, 0u);
        EXPECT_FIELD_EQ((*chunks)[1].chunk_id, 0xFFFFFFFFFFFFFFFFu);
        EXPECT_FIELD_EQ((*chunks)[1].inode, 0xFFFFFFFFu);
        EXPECT_FIELD_EQ((*chunks)[1].index, 7u);
        for (const auto& c : *chunks) {
            EXPECT_FALSE(c.type_raw.has_value());
            // No type sent: nothing is claimed about why the chunk is missing.
            EXPECT_EQ(c.type(), MissingType::kOther);
        }
    }
}

TEST(MissingChunksDecoder, TypesAreMfscliWords) {
    struct Case {
        std::uint8_t raw;
        MissingType type;
        const char* text;
    };
    // 3.0.117 mfscli: 0 NO COPY, 1 INVALID COPIES, 2 WRONG VERSIONS, else OTHER; 4.x adds 3.
    const Case cases[] = {
        {0, MissingType::kNoCopy, "NO COPY"},
        {1, MissingType::kInvalidCopies, "INVALID COPIES"},
        {2, MissingType::kWrongVersions, "WRONG VERSIONS"},
        {3, MissingType::kPartialEc, "PARTIAL EC"},
        {4, MissingType::kOther, "OTHER"},
        {255, MissingType::kOther, "OTHER"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(static_cast<int>(c.raw));
        const auto chunks = DecodeMissingChunks(Entries({{0x29, 44, 3, c.raw}}, true), kVersion4,
                                                RequestForm::kMode1);
        ASSERT_TRUE(chunks.ok()) << chunks.error().message;
        ASSERT_EQ(chunks->size(), 1u);
        EXPECT_FIELD_EQ((*chunks)[0].type_raw, std::optional<std::uint8_t>(c.raw));
        EXPECT_FIELD_EQ((*chunks)[0].type(), c.type);
        EXPECT_FIELD_EQ(model::MissingTypeText((*chunks)[0].type()), c.text);
        EXPECT_FIELD_EQ((*chunks)[0].index, 3u);
    }
}

// 272 bytes are 16 entries of 17 bytes and 17 of 16: only the request says which.
TEST(MissingChunksDecoder, TheRequestFormNotDivisibilityPicksTheEntrySize) {
    std::vector<std::uint8_t> payload(272, 0);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i);
    const auto typed = DecodeMissingChunks(payload, kVersion3, RequestForm::kMode1);
    const auto plain = DecodeMissingChunks(payload, kVersion3, RequestForm::kEmpty);
    ASSERT_TRUE(typed.ok()) << typed.error().message;
    ASSERT_TRUE(plain.ok()) << plain.error().message;
    EXPECT_EQ(typed->size(), 16u);
    EXPECT_EQ(plain->size(), 17u);
    EXPECT_EQ((*typed)[1].chunk_id, 0x1112131415161718u);
    EXPECT_EQ((*plain)[1].chunk_id, 0x1011121314151617u);
}

TEST(MissingChunksDecoder, EmptyListIsNoEntries) {
    for (const auto form : {RequestForm::kEmpty, RequestForm::kMode1}) {
        const auto chunks = DecodeMissingChunks({}, kVersion4, form);
        ASSERT_TRUE(chunks.ok()) << chunks.error().message;
        EXPECT_TRUE(chunks->empty());
    }
}

// --- malformed answers ---------------------------------------------------------------------

TEST(MissingChunksDecoder, EveryTruncationIsAnErrorButWholeEntries) {
    for (const RecordedVersion& v : kRecordedVersions) {
        SCOPED_TRACE(std::string(v.name));
        const auto payload = RecordedPayload(v.name);
        const auto full = DecodeMissingChunks(payload, v.master, RequestForm::kMode1);
        ASSERT_TRUE(full.ok()) << full.error().message;
        // A shorter list is a valid answer: the first entries, unchanged.
        ExpectEveryCutIsAnErrorButWholeEntries(
            payload, 17, {"MATOCL_MISSING_CHUNKS", v.name, "N x 17"},
            [&](std::span<const std::uint8_t> cut) {
                return DecodeMissingChunks(cut, v.master, RequestForm::kMode1);
            },
            [&](const MissingChunk& c, std::size_t i) {
                EXPECT_EQ(c.chunk_id, (*full)[i].chunk_id);
                EXPECT_EQ(c.inode, (*full)[i].inode);
            });
    }
}

TEST(MissingChunksDecoder, OneExtraByteIsAnError) {
    for (const auto& [version, master] : kRecordedVersions) {
        auto payload = RecordedPayload(version);
        payload.push_back(0);
        const auto r = DecodeMissingChunks(payload, master, RequestForm::kMode1);
        ASSERT_FALSE(r.ok()) << version;
        EXPECT_TRUE(
            MentionsAll(r.error(), {"MATOCL_MISSING_CHUNKS", std::to_string(payload.size())}))
            << r.error().message;
    }
    // The same for 16-byte entries.
    const auto r =
        DecodeMissingChunks(std::vector<std::uint8_t>(33, 0), kVersion3, RequestForm::kEmpty);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_MISSING_CHUNKS", "33", "N x 16"}))
        << r.error().message;
}

TEST(MissingChunksDecoder, RequestFormsNoRuleKnowsAreErrors) {
    const auto early =
        DecodeMissingChunks(RecordedPayload(kV3), Version{3, 0, 24, false}, RequestForm::kMode1);
    ASSERT_FALSE(early.ok());
    EXPECT_TRUE(MentionsAll(early.error(), {"MATOCL_MISSING_CHUNKS", "mode 1", "3.0.24"}))
        << early.error().message;
    EXPECT_FALSE(DecodeMissingChunks({}, kVersion3, RequestForm::kPver1).ok());
    EXPECT_FALSE(DecodeMissingChunks({}, Version{5, 0, 0, false}, RequestForm::kMode1).ok());
}

// --- the layout table's rules for this answer -------------------------------------------------

TEST(MissingChunksLayoutRules, EachRuleDecodesAtBothEndsOfItsRangeAndNotPastThem) {
    int rules = 0;
    for (const auto& r : protocol::LayoutRules()) {
        if (r.command != Command::kMissingChunks) continue;
        ++rules;
        ASSERT_EQ(r.sizing, protocol::Sizing::kEntries);
        const bool typed = r.request == RequestForm::kMode1;
        EXPECT_FIELD_EQ(r.length, typed ? 17u : 16u);
        const auto payload = Entries({{1, 2, 3, 2}, {4, 5, 6, 1}}, typed);
        for (const Version& v : RangeEnds(r)) {
            SCOPED_TRACE(std::to_string(r.length) + "-byte entries from master " + v.ToString());
            const auto found = protocol::FindLayout(r.command, v, r.request,
                                                    static_cast<std::uint32_t>(payload.size()));
            ASSERT_TRUE(found.ok()) << found.error().message;
            EXPECT_EQ(*found, r.layout);
            const auto chunks = DecodeMissingChunks(payload, v, r.request);
            ASSERT_TRUE(chunks.ok()) << chunks.error().message;
            ASSERT_EQ(chunks->size(), 2u);
            EXPECT_EQ((*chunks)[1].index, 6u);
            EXPECT_EQ((*chunks)[1].type_raw.has_value(), typed);
            if (typed) {
                EXPECT_EQ((*chunks)[1].type(), MissingType::kInvalidCopies);
            }
        }
        ExpectRuleEndsWithItsRange(r, 2 * r.length);
    }
    EXPECT_EQ(rules, 3);
}

// The boundaries the reference gives (wire protocol sections 10 and 13): mfscli sends mode 1
// for (>= 2.0.71 and < 3.0.0) or >= 3.0.25, else the empty request.
TEST(MissingChunksLayoutRules, VersionBoundariesFromTheReference) {
    const FormBoundary cases[] = {
        {{1, 7, 31}, RequestForm::kEmpty, false, std::nullopt},
        {{2, 0, 0}, RequestForm::kEmpty, true, RequestForm::kEmpty},
        {{2, 0, 70}, RequestForm::kMode1, false, RequestForm::kEmpty},
        {{2, 0, 71}, RequestForm::kMode1, true, RequestForm::kMode1},
        {{2, 255, 127}, RequestForm::kMode1, true, RequestForm::kMode1},
        {{3, 0, 0}, RequestForm::kMode1, false, RequestForm::kEmpty},
        {{3, 0, 24}, RequestForm::kEmpty, true, RequestForm::kEmpty},
        {{3, 0, 25}, RequestForm::kMode1, true, RequestForm::kMode1},
        {{3, 0, 117}, RequestForm::kEmpty, true, RequestForm::kMode1},
        {{4, 59, 2}, RequestForm::kMode1, true, RequestForm::kMode1},
        {{5, 0, 0}, RequestForm::kEmpty, false, std::nullopt},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.version.ToString());
        const bool typed = c.form == RequestForm::kMode1;
        CountComparison();
        EXPECT_EQ(DecodeMissingChunks(Entries({{1, 2, 3, 0}}, typed), c.version, c.form).ok(),
                  c.accepted);
        ASSERT_NO_FATAL_FAILURE(ExpectChosenRequest(Command::kMissingChunks, c.version, c.chosen));
    }
}

}  // namespace
}  // namespace mfsmon::test
