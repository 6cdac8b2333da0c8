// DecodeMlogList against every recorded MATOCL_MLOG_LIST answer, compared with what the same
// mfscli -SMB run printed (3.0.117 `-n -p` text, 4.59.2 `-j` JSON), with the master version
// from the INFO answer recorded before it on the same connection. The field offsets are
// checked on synthetic entries too: every recording holds the same single metalogger.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "decoder_test_support.h"
#include "fixture_loader.h"
#include "model/ipv4.h"
#include "model/metalogger.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"
#include "protocol/mlog_list_decoder.h"

namespace mfsmon::test {
namespace {

using model::Metalogger;
using model::Version;
using protocol::Command;
using protocol::DecodeMlogList;
using protocol::kMatoclMlogList;

// -SMB in the 7 states before missing-files (which did not record it), in both versions; the
// no-metalogger answers are empty.
constexpr std::size_t kV3MlogAnswers = 7;
constexpr std::size_t kV4MlogAnswers = 7;

// Decoded metaloggers by address; mfscli prints them sorted by address.
std::map<std::string, const Metalogger*> ByIp(const std::vector<Metalogger>& loggers) {
    std::map<std::string, const Metalogger*> out;
    for (const auto& m : loggers) {
        if (!out.emplace(model::Ipv4Text(m.ip), &m).second) {
            ADD_FAILURE() << "two metaloggers at " << model::Ipv4Text(m.ip);
        }
    }
    return out;
}

// 3.0.117: "metadata backup loggers:\t<host>\t<version>" (-n: the host is the address).
void CheckText(const RecordedAnswer& rec, const std::vector<Metalogger>& loggers) {
    const auto text = ReadMfscliText(rec.option_dir / "mfscli.txt");
    const auto rows = text.Table("metadata backup loggers:");
    EXPECT_EQ(rows.size(), text.rows.size()) << "other lines in " << text.path.string();
    EXPECT_FIELD_EQ(rows.size(), loggers.size());
    const auto by_ip = ByIp(loggers);
    std::set<std::string> seen;
    for (const auto& f : rows) {
        ASSERT_EQ(f.size(), 3u) << text.path.string();
        SCOPED_TRACE(f[1]);
        const auto it = by_ip.find(f[1]);
        ASSERT_NE(it, by_ip.end()) << "mfscli printed a metalogger that was not decoded";
        ASSERT_TRUE(seen.insert(f[1]).second) << "mfscli printed it twice";
        EXPECT_FIELD_EQ(model::Ipv4Text(it->second->ip), f[1]);
        EXPECT_FIELD_EQ(it->second->version.ToString(), f[2]);
    }
}

// 4.59.2: dataset.metaloggers[] = {hostname, ip, strver, version, pro}.
void CheckJson(const RecordedAnswer& rec, const std::vector<Metalogger>& loggers) {
    const auto json = ReadMfscliJson(rec.option_dir / "mfscli.json");
    EXPECT_TRUE(json.at("errors").empty());
    const auto& dataset = json.at("dataset");
    EXPECT_EQ(dataset.size(), 1u) << "mfscli printed more than the metalogger list";
    const auto& list = dataset.at("metaloggers");
    EXPECT_FIELD_EQ(list.size(), loggers.size());
    const auto by_ip = ByIp(loggers);
    std::set<std::string> seen;
    for (const auto& item : list) {
        const auto ip = item.at("ip").get<std::string>();
        SCOPED_TRACE(ip);
        const auto it = by_ip.find(ip);
        ASSERT_NE(it, by_ip.end()) << "mfscli printed a metalogger that was not decoded";
        ASSERT_TRUE(seen.insert(ip).second) << "mfscli printed it twice";
        const Metalogger& m = *it->second;
        EXPECT_FIELD_EQ(model::Ipv4Text(m.ip), ip);
        EXPECT_FIELD_EQ(model::Ipv4Text(m.ip), item.at("hostname").get<std::string>());  // -n
        EXPECT_FIELD_EQ(m.version.ToString(), item.at("strver").get<std::string>());
        const Version without_pro{m.version.major, m.version.mid, m.version.minor};
        EXPECT_FIELD_EQ(without_pro.ToString(), item.at("version").get<std::string>());
        EXPECT_FIELD_EQ(m.version.pro, item.at("pro").get<bool>());
        EXPECT_EQ(item.size(), 5u) << "mfscli printed a key this test does not check";
    }
}

// --- every recorded answer ---------------------------------------------------------------------

TEST(MlogListRecordings, EveryAnswerIsFoundAndListedInTheManifests) {
    ExpectAnswersMatchManifest(kV3, kMatoclMlogList, kV3MlogAnswers);
    ExpectAnswersMatchManifest(kV4, kMatoclMlogList, kV4MlogAnswers);
}

class RecordedMlogList : public RecordedAnswerTest {};

TEST_P(RecordedMlogList, MatchesWhatMfscliPrinted) {
    const RecordedAnswer& rec = GetParam();
    ASSERT_NO_FATAL_FAILURE(ReadAnswer(kMatoclMlogList));
    ASSERT_EQ(rec.option, "SMB");
    const auto loggers = DecodeMlogList(packet.payload, master);
    ASSERT_TRUE(loggers.ok()) << loggers.error().message;
    EXPECT_EQ(loggers->size() * 8, packet.payload.size());
    // The recorded cluster ran one metalogger, stopped in no-metalogger.
    EXPECT_EQ(loggers->size(), rec.state == "no-metalogger" ? 0u : 1u);
    if (rec.version == kV3) {
        CheckText(rec, *loggers);
    } else {
        CheckJson(rec, *loggers);
    }
}

MFSMON_INSTANTIATE_RECORDED(RecordedMlogList, FindMasterAnswersOrEmpty, kMatoclMlogList);

// --- negative cases on real bytes --------------------------------------------------------------

std::vector<std::uint8_t> RealMlogPayload(std::string_view version) {
    return OnlyMasterAnswerPayload(version, "healthy", "SMB", kMatoclMlogList);
}

TEST(MlogListDecoder, EveryTruncationIsAnErrorButWholeEntries) {
    for (const RecordedVersion& v : kRecordedVersions) {
        SCOPED_TRACE(std::string(v.name));
        const auto one = RealMlogPayload(v.name);
        ASSERT_EQ(one.size(), 8u);
        // Three copies of the recorded entry: real bytes, more than one entry.
        std::vector<std::uint8_t> payload;
        for (int i = 0; i < 3; ++i) payload.insert(payload.end(), one.begin(), one.end());
        const auto full = DecodeMlogList(payload, v.master);
        ASSERT_TRUE(full.ok()) << full.error().message;
        ASSERT_EQ(full->size(), 3u);
        ExpectEveryCutIsAnErrorButWholeEntries(
            payload, 8, {"MATOCL_MLOG_LIST", v.name},
            [&](std::span<const std::uint8_t> cut) { return DecodeMlogList(cut, v.master); },
            [&](const Metalogger& m, std::size_t) {
                EXPECT_EQ(m.ip, (*full)[0].ip);
                EXPECT_EQ(m.version, (*full)[0].version);
            });
    }
}

TEST(MlogListDecoder, OneExtraByteIsAnError) {
    for (const auto& [version, master] : kRecordedVersions) {
        auto payload = RealMlogPayload(version);
        payload.push_back(0);
        const auto r = DecodeMlogList(payload, master);
        ASSERT_FALSE(r.ok()) << version;
        EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_MLOG_LIST", "9"})) << r.error().message;
    }
}

TEST(MlogListDecoder, EmptyAnswerIsAnEmptyList) {
    for (const auto& master : {kVersion3, kVersion4}) {
        const auto r = DecodeMlogList({}, master);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_TRUE(r->empty());
    }
}

TEST(MlogListDecoder, UnknownMasterVersionsAreErrors) {
    const auto payload = RealMlogPayload(kV3);
    for (const auto& [master, shown] : {std::pair{Version{1, 7, 31, false}, "1.7.31"},
                                        std::pair{Version{5, 0, 0, false}, "5.0.0"}}) {
        const auto r = DecodeMlogList(payload, master);
        ASSERT_FALSE(r.ok()) << shown;
        EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
        EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_MLOG_LIST", shown})) << r.error().message;
    }
}

// The entry's version has a 16-bit major (unlike CSERV_LIST's 8 bits) and the INFO patch rule.
TEST(MlogListDecoder, VersionIsASixteenBitMajorWithTheInfoPatchRule) {
    struct Case {
        std::uint8_t bytes[4];
        const char* shown;
    };
    const Case cases[] = {
        {{0x00, 0x03, 0x00, 0xEA}, "3.0.117"}, {{0x00, 0x03, 0x00, 0xEB}, "3.0.117 PRO"},
        {{0x00, 0x04, 0x3B, 0x04}, "4.59.2"},  {{0x00, 0x04, 0x0A, 0x05}, "4.10.5"},
        {{0x01, 0x02, 0x03, 0x08}, "258.3.4"}, {{0x00, 0x00, 0x00, 0x00}, "0.0.0"},
    };
    for (const auto& c : cases) {
        std::vector<std::uint8_t> payload(c.bytes, c.bytes + 4);
        for (const std::uint8_t b : {0x0A, 0x00, 0x00, 0x01}) payload.push_back(b);
        const auto r = DecodeMlogList(payload, kVersion4);
        ASSERT_TRUE(r.ok()) << r.error().message;
        ASSERT_EQ(r->size(), 1u);
        EXPECT_EQ((*r)[0].version.ToString(), c.shown);
        EXPECT_EQ((*r)[0].ip, 0x0A000001u);
        EXPECT_EQ(model::Ipv4Text((*r)[0].ip), "10.0.0.1");
    }
}

// --- the layout table's MLOG_LIST rule ---------------------------------------------------------

TEST(MlogListLayoutRules, DecodeAtBothEndsOfTheirRange) {
    int rules = 0;
    for (const auto& r : protocol::LayoutRules()) {
        if (r.command != Command::kMlogList) continue;
        ++rules;
        // N x 8 for the empty request (wire protocol section 8, layouts note section 6a).
        EXPECT_EQ(r.sizing, protocol::Sizing::kEntries);
        EXPECT_FIELD_EQ(r.length, 8u);
        EXPECT_EQ(r.request, protocol::RequestForm::kEmpty);
        for (const Version& v : RangeEnds(r)) {
            SCOPED_TRACE("master " + v.ToString());
            // Offsets from the reference: major:16 at 0, mid at 2, minor_x2 at 3, ip at 4.
            const std::vector<std::uint8_t> payload = {
                0x00, 0x03, 0x00, 0xEA, 0xC6, 0x12, 0x00, 0x0A,  // 3.0.117 at 198.18.0.10
                0x00, 0x04, 0x3B, 0x05, 0x7F, 0x00, 0x00, 0x01,  // 4.59.2 PRO at 127.0.0.1
            };
            const auto loggers = DecodeMlogList(payload, v);
            ASSERT_TRUE(loggers.ok()) << loggers.error().message;
            ASSERT_EQ(loggers->size(), 2u);
            EXPECT_EQ((*loggers)[0].version.ToString(), "3.0.117");
            EXPECT_EQ((*loggers)[0].ip, 0xC612000Au);
            EXPECT_EQ((*loggers)[1].version.ToString(), "4.59.2 PRO");
            EXPECT_EQ((*loggers)[1].ip, 0x7F000001u);
            for (const std::size_t bad : {7u, 9u, 12u, 20u}) {
                EXPECT_FALSE(DecodeMlogList(std::vector<std::uint8_t>(bad, 0), v).ok())
                    << bad << " bytes decoded";
            }
        }
        for (const Version& v : JustOutside(r)) {
            SCOPED_TRACE("master " + v.ToString());
            CountComparison();
            EXPECT_FALSE(protocol::FindLayout(Command::kMlogList, v, 8).ok());
            EXPECT_FALSE(DecodeMlogList(std::vector<std::uint8_t>(8, 0), v).ok());
        }
    }
    EXPECT_EQ(rules, 1);
}

// mfscli 3.0.117 reads N x 8 from any master (only `length % 8`); the table starts at 2.0, the
// oldest INFO layout mfsmon reads, and ends before 5.0, as every rule does.
TEST(MlogListLayoutRules, VersionBoundariesFromTheReference) {
    const std::pair<Version, bool> cases[] = {
        {{1, 7, 31}, false}, {{2, 0, 0}, true},  {{3, 0, 117}, true},
        {{4, 59, 2}, true},  {{5, 0, 0}, false},
    };
    for (const auto& [version, accepted] : cases) {
        CountComparison();
        EXPECT_EQ(protocol::FindLayout(Command::kMlogList, version, 16).ok(), accepted)
            << version.ToString();
        const auto form = protocol::ChooseRequest(Command::kMlogList, version);
        EXPECT_EQ(form.ok(), accepted) << version.ToString();
        if (form.ok()) {
            EXPECT_EQ(*form, protocol::RequestForm::kEmpty);
        }
    }
}

}  // namespace
}  // namespace mfsmon::test
