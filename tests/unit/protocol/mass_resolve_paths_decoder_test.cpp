// DecodeMassResolvePaths against every recorded MATOCL_MASS_RESOLVE_PATHS answer (the
// missing-files state: mfscli resolves the inodes of the missing chunks), compared with the
// paths the same mfscli run printed (3.0.117 `-n -p` "missing files:" lines, 4.59.2 -j
// "missing[].paths"), the request payload against the recorded request, plus synthetic answers
// for what no recording has (psize 0, hard links, several records) and malformed ones.
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
#include "model/missing_chunk.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"
#include "protocol/mass_resolve_paths_decoder.h"

namespace mfsmon::test {
namespace {

using model::InodePaths;
using model::Version;
using protocol::Command;
using protocol::DecodeMassResolvePaths;
using protocol::kMatoclMassResolvePaths;
using protocol::MassResolvePathsPayload;

// missing-files only: 3.0.117 -SMF and -SIN, 4.59.2 -SMF.
constexpr std::size_t kV3Answers = 2;
constexpr std::size_t kV4Answers = 1;

// The answer bytes for these records, laid out as the master writes them.
std::vector<std::uint8_t> Answer(const std::vector<InodePaths>& records) {
    std::vector<std::uint8_t> p;
    for (const auto& r : records) {
        PutU32(p, r.inode);
        std::uint32_t psize = 0;
        for (const auto& path : r.paths) psize += 4 + static_cast<std::uint32_t>(path.size());
        PutU32(p, psize);
        for (const auto& path : r.paths) {
            PutU32(p, static_cast<std::uint32_t>(path.size()));
            p.insert(p.end(), path.begin(), path.end());
        }
    }
    return p;
}

std::vector<std::uint32_t> Inodes(const std::vector<std::uint8_t>& request) {
    if (request.size() % 4 != 0) throw std::runtime_error("request is not N x inode:32");
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < request.size(); i += 4) {
        out.push_back((std::uint32_t{request[i]} << 24) | (std::uint32_t{request[i + 1]} << 16) |
                      (std::uint32_t{request[i + 2]} << 8) | std::uint32_t{request[i + 3]});
    }
    return out;
}

void ExpectSameRecords(const std::vector<InodePaths>& decoded,
                       const std::vector<InodePaths>& expected) {
    ASSERT_EQ(decoded.size(), expected.size());
    for (std::size_t i = 0; i < decoded.size(); ++i) {
        SCOPED_TRACE(testing::Message() << "record " << i + 1);
        EXPECT_FIELD_EQ(decoded[i].inode, expected[i].inode);
        EXPECT_FIELD_EQ(decoded[i].paths, expected[i].paths);
    }
}

// --- what mfscli printed ---------------------------------------------------------------------

// The paths mfscli printed for each inode: 3.0.117 one "missing files:" line per path, 4.59.2
// one JSON entry per chunk with all its paths.
std::map<std::uint32_t, std::set<std::string>> PrintedPaths(const RecordedAnswer& rec) {
    std::map<std::uint32_t, std::set<std::string>> out;
    if (rec.version == kV3) {
        const auto text = ReadMfscliText(rec.option_dir / "mfscli.txt");
        for (const auto& row : text.Table("missing files:")) {
            if (row.size() != 6) throw std::runtime_error("missing files line of a wrong size");
            out[static_cast<std::uint32_t>(ParseU64(row[2]))].insert(row[1]);
        }
    } else {
        const auto json = ReadMfscliJson(rec.option_dir / "mfscli.json");
        for (const auto& m : json.at("dataset").at("info").at("missing")) {
            auto& paths = out[m.at("inode").get<std::uint32_t>()];
            for (const auto& p : m.at("paths")) paths.insert(p.get<std::string>());
        }
    }
    return out;
}

// --- every recorded answer -------------------------------------------------------------------

TEST(MassResolvePathsRecordings, EveryAnswerIsFoundAndListedInTheManifests) {
    ExpectAnswersMatchManifest(kV3, kMatoclMassResolvePaths, kV3Answers);
    ExpectAnswersMatchManifest(kV4, kMatoclMassResolvePaths, kV4Answers);
}

class RecordedMassResolvePaths : public RecordedAnswerTest {};

TEST_P(RecordedMassResolvePaths, MatchesTheRequestAndWhatMfscliPrinted) {
    const RecordedAnswer& rec = GetParam();
    ASSERT_NO_FATAL_FAILURE(ReadAnswer(kMatoclMassResolvePaths));
    const auto records = DecodeMassResolvePaths(packet.payload, master);
    ASSERT_TRUE(records.ok()) << records.error().message;

    // The request: mfsmon's encoding of mfscli's inodes is mfscli's request, byte for byte.
    const auto request = RequestPayloadBefore(rec, true);
    const auto asked = Inodes(request);
    EXPECT_FIELD_EQ(MassResolvePathsPayload(asked), request);
    // One record per inode asked (the recordings answer in the order asked).
    ASSERT_EQ(records->size(), asked.size());
    for (std::size_t i = 0; i < asked.size(); ++i) EXPECT_FIELD_EQ((*records)[i].inode, asked[i]);

    const auto printed = PrintedPaths(rec);
    EXPECT_EQ(printed.size(), records->size());
    for (const auto& r : *records) {
        SCOPED_TRACE(r.inode);
        ASSERT_TRUE(printed.count(r.inode)) << "mfscli printed no path for this inode";
        ASSERT_FALSE(r.paths.empty()) << "the recordings have no trash/sustained file";
        EXPECT_FIELD_EQ(std::set<std::string>(r.paths.begin(), r.paths.end()), printed.at(r.inode));
    }
}

MFSMON_INSTANTIATE_RECORDED(RecordedMassResolvePaths, FindMasterAnswersOrEmpty,
                            kMatoclMassResolvePaths);

std::vector<std::uint8_t> RecordedPayload(std::string_view version) {
    return OnlyMasterAnswerPayload(version, "missing-files", "SMF", kMatoclMassResolvePaths);
}

// The recorded bytes, written out (wire protocol section 10): a regression net that does not
// depend on mfscli's output.
TEST(MassResolvePathsDecoder, RecordedAnswersAsWrittenOut) {
    const auto v3 = DecodeMassResolvePaths(RecordedPayload(kV3), kVersion3);
    ASSERT_TRUE(v3.ok()) << v3.error().message;
    ExpectSameRecords(
        *v3, {{56, {"goal1/b2_000012"}}, {44, {"goal1/b2_000000"}}, {62, {"goal1/b2_000018"}}});
    const auto v4 = DecodeMassResolvePaths(RecordedPayload(kV4), kVersion4);
    ASSERT_TRUE(v4.ok()) << v4.error().message;
    ExpectSameRecords(*v4, {{59, {"goal1/b2_000015"}}});
}

// --- what no recording has -------------------------------------------------------------------

TEST(MassResolvePathsDecoder, EmptyRecordHardLinksAndSeveralRecords) {
    const std::vector<InodePaths> records = {
        {7, {}},                                 // psize 0: trash or sustained ("./META")
        {8, {"a/one", "b/hard link to one"}},    // two paths: a hard link
        {9, {"c/with\nnewline and \xff byte"}},  // any bytes, kept as sent
        {0xFFFFFFFF, {""}},                      // an empty path still tiles
        {7, {"d/seven again"}},                  // records are not merged
    };
    const auto payload = Answer(records);
    for (const Version& master : {Version{2, 0, 0, false}, kVersion3, kVersion4}) {
        SCOPED_TRACE(master.ToString());
        const auto decoded = DecodeMassResolvePaths(payload, master);
        ASSERT_TRUE(decoded.ok()) << decoded.error().message;
        ExpectSameRecords(*decoded, records);
    }
    // psize 0 alone: an 8-byte answer, one record, no paths.
    const auto meta = DecodeMassResolvePaths(Answer({{44, {}}}), kVersion3);
    ASSERT_TRUE(meta.ok()) << meta.error().message;
    ASSERT_EQ(meta->size(), 1u);
    EXPECT_EQ((*meta)[0].inode, 44u);
    EXPECT_TRUE((*meta)[0].paths.empty());
}

TEST(MassResolvePathsDecoder, EmptyAnswerIsNoRecords) {
    const auto decoded = DecodeMassResolvePaths({}, kVersion4);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_TRUE(decoded->empty());
}

TEST(MassResolvePathsDecoder, RequestPayloadIsInodesBigEndian) {
    EXPECT_TRUE(MassResolvePathsPayload({}).empty());
    const std::vector<std::uint32_t> inodes = {1, 0x01020304, 0xFFFFFFFF};
    EXPECT_EQ(MassResolvePathsPayload(inodes),
              (std::vector<std::uint8_t>{0, 0, 0, 1, 1, 2, 3, 4, 0xFF, 0xFF, 0xFF, 0xFF}));
}

// --- malformed answers ---------------------------------------------------------------------

// Every prefix of a three-record answer cuts a head, a path length or a path, unless it ends on
// a record boundary; each error names the record (from 1) and is one line although the paths
// hold newlines.
TEST(MassResolvePathsDecoder, EveryTruncationIsAnErrorNamingTheRecordButRecordBoundaries) {
    const std::vector<InodePaths> records = {{44, {"x\ny"}}, {45, {}}, {46, {"p\n", "q"}}};
    const auto payload = Answer(records);
    std::map<std::size_t, std::size_t> boundaries;  // bytes -> records complete
    std::size_t at = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
        boundaries[at] = i;
        at += Answer({records[i]}).size();
    }
    ASSERT_EQ(at, payload.size());
    for (std::size_t n = 0; n < payload.size(); ++n) {
        SCOPED_TRACE(testing::Message() << n << " bytes");
        const auto r = DecodeMassResolvePaths(std::span(payload).first(n), kVersion3);
        if (boundaries.count(n)) {
            ASSERT_TRUE(r.ok()) << r.error().message;
            EXPECT_EQ(r->size(), boundaries.at(n));
            continue;
        }
        ASSERT_FALSE(r.ok()) << "a cut record decoded";
        EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
        std::size_t record = 1;
        for (const auto& [start, complete] : boundaries) {
            if (start < n) record = complete + 1;
        }
        EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_MASS_RESOLVE_PATHS", std::to_string(n),
                                            "3.0.117", "record " + std::to_string(record)}))
            << r.error().message;
        EXPECT_EQ(r.error().message.find_first_of("\r\n"), std::string::npos) << r.error().message;
    }
}

TEST(MassResolvePathsDecoder, OneExtraByteIsAnErrorNamingTheNextRecord) {
    for (const auto& [version, master] : kRecordedVersions) {
        auto payload = RecordedPayload(version);
        const auto n = DecodeMassResolvePaths(payload, master)->size();
        payload.push_back(0);
        const auto r = DecodeMassResolvePaths(payload, master);
        ASSERT_FALSE(r.ok()) << version;
        EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_MASS_RESOLVE_PATHS",
                                            "record " + std::to_string(n + 1), "1 bytes left"}))
            << r.error().message;
    }
}

// The lengths inside a record must tile it exactly (mfscli: "MFS packet malformed").
TEST(MassResolvePathsDecoder, LengthsThatDoNotTileTheRecordAreErrors) {
    struct Case {
        const char* what;
        std::vector<std::uint8_t> payload;
        const char* mentions;
    };
    std::vector<Case> cases;
    for (std::uint32_t psize = 1; psize < 4; ++psize) {
        // psize 1..3: too short for a path length; the bytes are there.
        std::vector<std::uint8_t> p;
        PutU32(p, 44);
        PutU32(p, psize);
        p.resize(p.size() + psize, 0);
        cases.push_back({"psize shorter than a path length", p, "a path length needs 4"});
    }
    {
        // A path running past psize although the payload holds its bytes.
        std::vector<std::uint8_t> p;
        PutU32(p, 44);
        PutU32(p, 6);
        PutU32(p, 3);
        p.insert(p.end(), {'a', 'b', 'c'});
        cases.push_back({"pleng past psize", p, "pleng 3 but 2 bytes are left of psize 6"});
    }
    {
        // psize leaves 2 bytes after the last path.
        std::vector<std::uint8_t> p;
        PutU32(p, 44);
        PutU32(p, 7);
        PutU32(p, 1);
        p.insert(p.end(), {'a', 0, 0});
        cases.push_back({"bytes left after the last path", p, "path 2"});
    }
    {
        // psize past the end of the payload.
        std::vector<std::uint8_t> p;
        PutU32(p, 44);
        PutU32(p, 0xFFFFFFFF);
        PutU32(p, 0);
        cases.push_back({"psize past the payload", p, "psize 4294967295 but 4 bytes follow"});
    }
    {
        // A good record, then a second one whose pleng is huge.
        auto p = Answer({{44, {"ok"}}});
        PutU32(p, 45);
        PutU32(p, 4);
        PutU32(p, 0xFFFFFFF0);
        cases.push_back({"second record's pleng", p, "record 2"});
    }
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        const auto r = DecodeMassResolvePaths(c.payload, kVersion4);
        ASSERT_FALSE(r.ok()) << "decoded";
        EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
        EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_MASS_RESOLVE_PATHS", "inode", c.mentions}))
            << r.error().message;
    }
}

// --- the layout table's rule for this answer --------------------------------------------------

TEST(MassResolvePathsLayoutRules, TheRuleDecodesAtBothEndsOfItsRangeAndNotPastThem) {
    int rules = 0;
    const auto payload = Answer({{44, {"a"}}, {45, {}}});
    for (const auto& r : protocol::LayoutRules()) {
        if (r.command != Command::kMassResolvePaths) continue;
        ++rules;
        EXPECT_EQ(r.request, protocol::RequestForm::kInodeList);
        EXPECT_EQ(r.sizing, protocol::Sizing::kRecords);
        for (const Version& v : RangeEnds(r)) {
            SCOPED_TRACE(v.ToString());
            const auto found = protocol::FindLayout(r.command, v, r.request,
                                                    static_cast<std::uint32_t>(payload.size()));
            ASSERT_TRUE(found.ok()) << found.error().message;
            EXPECT_EQ(*found, r.layout);
            const auto decoded = DecodeMassResolvePaths(payload, v);
            ASSERT_TRUE(decoded.ok()) << decoded.error().message;
            EXPECT_EQ(decoded->size(), 2u);
        }
        for (const Version& v : JustOutside(r)) {
            SCOPED_TRACE(v.ToString());
            const auto decoded = DecodeMassResolvePaths(payload, v);
            ASSERT_FALSE(decoded.ok());
            EXPECT_TRUE(MentionsAll(decoded.error(), {"MATOCL_MASS_RESOLVE_PATHS", v.ToString()}))
                << decoded.error().message;
        }
    }
    EXPECT_EQ(rules, 1);
    // The request form is fixed: nothing else is a MASS_RESOLVE_PATHS request.
    EXPECT_FALSE(protocol::FindLayout(Command::kMassResolvePaths, kVersion3,
                                      protocol::RequestForm::kEmpty, 0)
                     .ok());
}

}  // namespace
}  // namespace mfsmon::test
