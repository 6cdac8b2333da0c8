// DecodeFsTestInfo against every recorded MATOCL_FSTEST_INFO answer, compared with what the same
// mfscli run printed (3.0.117 `-n -p` "check loop" lines, 4.59.2 -j "fs_loop"), plus synthetic
// answers for what no recording has (the 36-byte head of the empty request, a non-empty
// message) and the layout table's rules at both ends of their version ranges. The master
// version comes from the INFO answer recorded before the answer, the request form from the
// request recorded just before it, as mfsmon has them.
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
#include "model/fs_check.h"
#include "protocol/command_ids.h"
#include "protocol/fs_test_info_decoder.h"
#include "protocol/layout_table.h"

namespace mfsmon::test {
namespace {

using model::FsCheckInfo;
using model::Version;
using protocol::Command;
using protocol::DecodeFsTestInfo;
using protocol::kMatoclFsTestInfo;
using protocol::RequestForm;

// 3.0.117: -SIL and -SIN in all 8 states. 4.59.2: -SIL in all 8 states.
constexpr std::size_t kV3Answers = 8 + 8;
constexpr std::size_t kV4Answers = 8;

// The form of the request recorded just before `rec`: mfscli's choice for this master.
RequestForm RequestFormBefore(const RecordedAnswer& rec) {
    return FormOfRequest(RequestPayloadBefore(rec, true),
                         {RequestForm::kEmpty, RequestForm::kPver1});
}

// A head of `head` bytes (36 or 44) holding 1000, 1001, ... and then msgleng, then `message`.
// `msgleng` defaults to the message's length.
std::vector<std::uint8_t> Synthetic(std::uint32_t head, std::string_view message,
                                    std::optional<std::uint32_t> msgleng = std::nullopt) {
    std::vector<std::uint8_t> p;
    for (std::uint32_t i = 0; i + 1 < head / 4; ++i) PutU32(p, 1000 + i);
    PutU32(p, msgleng.value_or(static_cast<std::uint32_t>(message.size())));
    p.insert(p.end(), message.begin(), message.end());
    return p;
}

// --- 3.0.117 ---------------------------------------------------------------------------------

// mfscli's "important messages:" lines: the message stripped, split at newlines, each line
// stripped (Python's str.strip, for the ASCII whitespace the master writes).
std::vector<std::string> MfscliMessageLines(std::string_view message) {
    const auto strip = [](std::string_view s) {
        const char* ws = " \t\n\r\v\f";
        const auto b = s.find_first_not_of(ws);
        if (b == std::string_view::npos) return std::string_view();
        return s.substr(b, s.find_last_not_of(ws) - b + 1);
    };
    std::vector<std::string> lines;
    std::string_view rest = strip(message);
    while (true) {
        const auto nl = rest.find('\n');
        lines.emplace_back(strip(rest.substr(0, nl)));
        if (nl == std::string_view::npos) break;
        rest = rest.substr(nl + 1);
    }
    return lines;
}

void CheckV3(const RecordedAnswer& rec, const FsCheckInfo& fs) {
    // mfscli 3.0.117 asks with pver 1 (>= 3.0.19): the trash/sustained counts are there.
    EXPECT_TRUE(fs.missing_trash_files.has_value());
    EXPECT_TRUE(fs.missing_sustained_files.has_value());
    const auto text = ReadMfscliText(rec.option_dir / "mfscli.txt");
    const auto rows = text.Table("check loop");
    const bool no_data = !text.Table("check loop: no data").empty();
    if (no_data) {
        EXPECT_TRUE(rows.empty()) << "both 'no data' and values in " << text.path.string();
        EXPECT_FIELD_EQ(fs.has_data(), false);
        return;
    }
    ASSERT_FALSE(rows.empty()) << "no check loop lines in " << text.path.string();
    EXPECT_FIELD_EQ(fs.has_data(), true);

    std::map<std::string, std::string> printed;
    std::vector<std::string> message_lines;
    for (const auto& row : rows) {
        ASSERT_EQ(row.size(), 3u) << "check loop line in " << text.path.string();
        if (row[1] == "important messages:") {
            message_lines.push_back(row[2]);
            continue;
        }
        ASSERT_TRUE(printed.emplace(row[1], row[2]).second) << row[1] << " printed twice";
    }
    const std::map<std::string, std::uint32_t> decoded = {
        {"start:", fs.loop_start},
        {"end:", fs.loop_end},
        {"files:", fs.files},
        {"under-goal files:", fs.undergoal_files},
        {"missing files:", fs.missing_files},
        {"missing trash files:", fs.missing_trash_files.value_or(0)},
        {"missing sustained files:", fs.missing_sustained_files.value_or(0)},
        {"chunks:", fs.chunks},
        {"under-goal chunks:", fs.undergoal_chunks},
        {"missing chunks:", fs.missing_chunks},
    };
    EXPECT_EQ(printed.size(), decoded.size());
    for (const auto& [label, value] : decoded) {
        SCOPED_TRACE(label);
        ASSERT_TRUE(printed.count(label)) << "mfscli did not print this line";
        EXPECT_FIELD_EQ(value, ParseU64(printed.at(label)));
    }
    // mfscli prints message lines only when msgleng > 0.
    EXPECT_FIELD_EQ(message_lines, fs.message.empty() ? std::vector<std::string>{}
                                                      : MfscliMessageLines(fs.message));
}

// --- 4.59.2 ----------------------------------------------------------------------------------

void CheckV4(const RecordedAnswer& rec, const FsCheckInfo& fs) {
    EXPECT_TRUE(fs.missing_trash_files.has_value());
    EXPECT_TRUE(fs.missing_sustained_files.has_value());
    const auto json = ReadMfscliJson(rec.option_dir / "mfscli.json");
    const auto& j = json.at("dataset").at("info").at("fs_loop");
    if (j.is_null()) {
        EXPECT_FIELD_EQ(fs.has_data(), false);
        return;
    }
    EXPECT_FIELD_EQ(fs.has_data(), true);
    const std::map<std::string, std::uint32_t> decoded = {
        {"start_time", fs.loop_start},
        {"end_time", fs.loop_end},
        {"files", fs.files},
        {"undergoal_files", fs.undergoal_files},
        {"missing_files", fs.missing_files},
        {"missing_trash_files", fs.missing_trash_files.value_or(0)},
        {"missing_sustained_files", fs.missing_sustained_files.value_or(0)},
        {"chunks", fs.chunks},
        {"undergoal_chunks", fs.undergoal_chunks},
        {"missing_chunks", fs.missing_chunks},
    };
    for (const auto& [key, value] : decoded) {
        SCOPED_TRACE(key);
        ASSERT_TRUE(j.contains(key)) << "mfscli did not print it";
        EXPECT_FIELD_EQ(value, j.at(key).get<std::uint32_t>());
    }
    for (const auto& [key, value] : j.items()) {
        if (!decoded.count(key) && key != "start_time_str" && key != "end_time_str") {
            ADD_FAILURE() << "mfscli printed fs_loop." << key << ", which this test does not check";
        }
    }
    // 4.59.2 -j does not print the message; the recordings have none.
    EXPECT_EQ(fs.message, "");
}

// --- every recorded answer -------------------------------------------------------------------

TEST(FsTestInfoRecordings, EveryAnswerIsFoundAndListedInTheManifests) {
    ExpectAnswersMatchManifest(kV3, kMatoclFsTestInfo, kV3Answers);
    ExpectAnswersMatchManifest(kV4, kMatoclFsTestInfo, kV4Answers);
}

class RecordedFsTestInfo : public RecordedAnswerTest {};

TEST_P(RecordedFsTestInfo, MatchesWhatMfscliPrinted) {
    const RecordedAnswer& rec = GetParam();
    ASSERT_NO_FATAL_FAILURE(ReadAnswer(kMatoclFsTestInfo));
    const RequestForm form = RequestFormBefore(rec);
    // mfsmon would have sent what mfscli sent.
    ASSERT_NO_FATAL_FAILURE(ExpectSameRequestAsMfscli(Command::kFsTestInfo, form));
    const auto fs = DecodeFsTestInfo(packet.payload, master, form);
    ASSERT_TRUE(fs.ok()) << fs.error().message;
    // Every recording has an empty message: the head is all of it.
    EXPECT_EQ(packet.payload.size(), 44u);
    if (rec.version == kV3) {
        CheckV3(rec, *fs);
    } else {
        CheckV4(rec, *fs);
    }
}

MFSMON_INSTANTIATE_RECORDED(RecordedFsTestInfo, FindMasterAnswersOrEmpty, kMatoclFsTestInfo);

// --- recorded bytes mfscli does not show -----------------------------------------------------

std::vector<std::uint8_t> RecordedPayload(std::string_view version, std::string_view state) {
    return OnlyMasterAnswerPayload(version, state, "SIL", kMatoclFsTestInfo);
}

// 4.59.2 sends loop start 0 with an end time before its first complete pass (layouts note
// section 6c); mfscli shows fs_loop null, and so must has_data().
TEST(FsTestInfoDecoder, FourXEndTimeWithoutStartIsNoData) {
    const auto fs =
        DecodeFsTestInfo(RecordedPayload(kV4, "healthy"), kVersion4, RequestForm::kPver1);
    ASSERT_TRUE(fs.ok()) << fs.error().message;
    EXPECT_FALSE(fs->has_data());
    EXPECT_EQ(fs->loop_start, 0u);
    EXPECT_EQ(fs->loop_end, 1795602159u);
}

// --- what no recording has -------------------------------------------------------------------

TEST(FsTestInfoDecoder, EmptyRequestHasThe36ByteHeadWithoutTrashCounts) {
    for (const Version& master : {Version{2, 0, 0, false}, kVersion3, kVersion4}) {
        SCOPED_TRACE(master.ToString());
        const auto fs = DecodeFsTestInfo(Synthetic(36, ""), master, RequestForm::kEmpty);
        ASSERT_TRUE(fs.ok()) << fs.error().message;
        // mfscli's pver 0 unpacking: loopstart loopend files ugfiles mfiles chunks ugchunks
        // mchunks msgbuffleng.
        EXPECT_FIELD_EQ(fs->loop_start, 1000u);
        EXPECT_FIELD_EQ(fs->loop_end, 1001u);
        EXPECT_FIELD_EQ(fs->files, 1002u);
        EXPECT_FIELD_EQ(fs->undergoal_files, 1003u);
        EXPECT_FIELD_EQ(fs->missing_files, 1004u);
        EXPECT_FALSE(fs->missing_trash_files.has_value());
        EXPECT_FALSE(fs->missing_sustained_files.has_value());
        EXPECT_FIELD_EQ(fs->chunks, 1005u);
        EXPECT_FIELD_EQ(fs->undergoal_chunks, 1006u);
        EXPECT_FIELD_EQ(fs->missing_chunks, 1007u);
        EXPECT_EQ(fs->message, "");
        EXPECT_TRUE(fs->has_data());
    }
}

TEST(FsTestInfoDecoder, Pver1HeadAsMfscliUnpacksIt) {
    const auto fs = DecodeFsTestInfo(Synthetic(44, ""), kVersion3, RequestForm::kPver1);
    ASSERT_TRUE(fs.ok()) << fs.error().message;
    // loopstart loopend files ugfiles mfiles mtfiles msfiles chunks ugchunks mchunks msgleng.
    EXPECT_FIELD_EQ(fs->loop_start, 1000u);
    EXPECT_FIELD_EQ(fs->loop_end, 1001u);
    EXPECT_FIELD_EQ(fs->files, 1002u);
    EXPECT_FIELD_EQ(fs->undergoal_files, 1003u);
    EXPECT_FIELD_EQ(fs->missing_files, 1004u);
    EXPECT_FIELD_EQ(fs->missing_trash_files, std::optional<std::uint32_t>(1005));
    EXPECT_FIELD_EQ(fs->missing_sustained_files, std::optional<std::uint32_t>(1006));
    EXPECT_FIELD_EQ(fs->chunks, 1007u);
    EXPECT_FIELD_EQ(fs->undergoal_chunks, 1008u);
    EXPECT_FIELD_EQ(fs->missing_chunks, 1009u);
}

TEST(FsTestInfoDecoder, MessageIsKeptAsSent) {
    // Report lines as the master writes them; bytes are kept, not interpreted (a stray
    // control byte and a non-UTF-8 byte included).
    const std::string message =
        "currently unavailable chunk 0000000000000029 (inode: 44 ; index: 0)\n"
        "+ currently unavailable reserved file 44: goal1/b2_000000\n\x01\xff";
    for (const auto& [head, form] :
         {std::pair{36u, RequestForm::kEmpty}, std::pair{44u, RequestForm::kPver1}}) {
        SCOPED_TRACE(head);
        const auto fs = DecodeFsTestInfo(Synthetic(head, message), kVersion3, form);
        ASSERT_TRUE(fs.ok()) << fs.error().message;
        EXPECT_FIELD_EQ(fs->message, message);
        EXPECT_EQ(MfscliMessageLines(fs->message).size(), 3u);
    }
    // mfscli's "first 100k": the master's buffer limit, not ours.
    const std::string full(100000, 'x');
    const auto fs = DecodeFsTestInfo(Synthetic(44, full), kVersion4, RequestForm::kPver1);
    ASSERT_TRUE(fs.ok()) << fs.error().message;
    EXPECT_EQ(fs->message.size(), 100000u);
}

// --- malformed answers ---------------------------------------------------------------------

TEST(FsTestInfoDecoder, MessageLengthMustMatchExactly) {
    const std::string message = "one line\n";
    const std::uint32_t n = static_cast<std::uint32_t>(message.size());
    for (const std::uint32_t msgleng : {0u, n - 1, n + 1, 0xFFFFFFFFu}) {
        SCOPED_TRACE(msgleng);
        const auto payload = Synthetic(44, message, msgleng);
        const auto fs = DecodeFsTestInfo(payload, kVersion3, RequestForm::kPver1);
        ASSERT_FALSE(fs.ok()) << "msgleng " << msgleng << " with " << n << " bytes decoded";
        EXPECT_EQ(fs.error().kind, ErrorKind::kProtocol);
        EXPECT_TRUE(MentionsAll(fs.error(), {"MATOCL_FSTEST_INFO", std::to_string(payload.size()),
                                             "3.0.117", std::to_string(msgleng)}))
            << fs.error().message;
        // The message text never reaches the error line.
        EXPECT_EQ(fs.error().message.find('\n'), std::string::npos);
    }
}

TEST(FsTestInfoDecoder, EveryTruncationIsAnError) {
    for (const auto& [version, master] : kRecordedVersions) {
        const auto payload = RecordedPayload(version, "missing-files");
        ASSERT_EQ(payload.size(), 44u);
        for (std::size_t n = 0; n < payload.size(); ++n) {
            const auto fs =
                DecodeFsTestInfo(std::span(payload).first(n), master, RequestForm::kPver1);
            ASSERT_FALSE(fs.ok()) << version << ": a " << n << "-byte prefix decoded";
            EXPECT_EQ(fs.error().kind, ErrorKind::kProtocol);
            EXPECT_TRUE(MentionsAll(fs.error(), {"MATOCL_FSTEST_INFO", std::string(version)}))
                << fs.error().message;
        }
        // Cut inside a message: the head announces more than follows.
        const auto with_message = Synthetic(44, "abcdef");
        for (std::size_t n = 44; n < with_message.size(); ++n) {
            EXPECT_FALSE(
                DecodeFsTestInfo(std::span(with_message).first(n), master, RequestForm::kPver1)
                    .ok())
                << n;
        }
    }
}

TEST(FsTestInfoDecoder, OneExtraByteIsAnError) {
    for (const auto& [version, master] : kRecordedVersions) {
        auto payload = RecordedPayload(version, "missing-files");
        payload.push_back(0);
        const auto fs = DecodeFsTestInfo(payload, master, RequestForm::kPver1);
        ASSERT_FALSE(fs.ok()) << version;
        EXPECT_TRUE(MentionsAll(fs.error(), {"MATOCL_FSTEST_INFO", "45", "0 message bytes"}))
            << fs.error().message;
    }
}

TEST(FsTestInfoDecoder, RequestFormsNoRuleKnowsAreErrors) {
    // pver 1 exists from 3.0.19 (and 2.0.66-2.x); mode 1 is not an FSTEST_INFO request.
    const auto early =
        DecodeFsTestInfo(Synthetic(44, ""), Version{3, 0, 18, false}, RequestForm::kPver1);
    ASSERT_FALSE(early.ok());
    EXPECT_TRUE(MentionsAll(early.error(), {"MATOCL_FSTEST_INFO", "pver 1", "3.0.18"}))
        << early.error().message;
    EXPECT_FALSE(DecodeFsTestInfo(Synthetic(44, ""), kVersion3, RequestForm::kMode1).ok());
    EXPECT_FALSE(
        DecodeFsTestInfo(Synthetic(44, ""), Version{5, 0, 0, false}, RequestForm::kPver1).ok());
}

// --- the layout table's rules for this answer -------------------------------------------------

TEST(FsTestInfoLayoutRules, EachRuleDecodesAtBothEndsOfItsRangeAndNotPastThem) {
    int rules = 0;
    for (const auto& r : protocol::LayoutRules()) {
        if (r.command != Command::kFsTestInfo) continue;
        ++rules;
        ASSERT_EQ(r.sizing, protocol::Sizing::kHead);
        const bool pver1 = r.request == RequestForm::kPver1;
        EXPECT_FIELD_EQ(r.length, pver1 ? 44u : 36u);
        for (const Version& v : RangeEnds(r)) {
            SCOPED_TRACE(std::to_string(r.length) + "-byte head from master " + v.ToString());
            for (const std::string_view message : {"", "x\n"}) {
                const auto payload = Synthetic(r.length, message);
                const auto found = protocol::FindLayout(r.command, v, r.request,
                                                        static_cast<std::uint32_t>(payload.size()));
                ASSERT_TRUE(found.ok()) << found.error().message;
                EXPECT_EQ(*found, r.layout);
                const auto fs = DecodeFsTestInfo(payload, v, r.request);
                ASSERT_TRUE(fs.ok()) << fs.error().message;
                EXPECT_EQ(fs->missing_trash_files.has_value(), pver1);
                EXPECT_EQ(fs->message, message);
            }
        }
        ExpectRuleEndsWithItsRange(r, r.length);
    }
    EXPECT_EQ(rules, 3);
}

// The boundaries the reference gives (wire protocol sections 10 and 13): mfscli sends pver 1
// for (>= 2.0.66 and < 3.0.0) or >= 3.0.19; the empty request works on every version.
TEST(FsTestInfoLayoutRules, VersionBoundariesFromTheReference) {
    const FormBoundary cases[] = {
        {{1, 7, 31}, RequestForm::kEmpty, false, std::nullopt},
        {{2, 0, 0}, RequestForm::kEmpty, true, RequestForm::kEmpty},
        {{2, 0, 65}, RequestForm::kPver1, false, RequestForm::kEmpty},
        {{2, 0, 66}, RequestForm::kPver1, true, RequestForm::kPver1},
        {{2, 255, 127}, RequestForm::kPver1, true, RequestForm::kPver1},
        {{3, 0, 0}, RequestForm::kPver1, false, RequestForm::kEmpty},
        {{3, 0, 18}, RequestForm::kEmpty, true, RequestForm::kEmpty},
        {{3, 0, 19}, RequestForm::kPver1, true, RequestForm::kPver1},
        {{3, 0, 117}, RequestForm::kEmpty, true, RequestForm::kPver1},
        {{4, 59, 2}, RequestForm::kPver1, true, RequestForm::kPver1},
        {{5, 0, 0}, RequestForm::kEmpty, false, std::nullopt},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.version.ToString());
        const std::uint32_t head = c.form == RequestForm::kPver1 ? 44 : 36;
        CountComparison();
        EXPECT_EQ(DecodeFsTestInfo(Synthetic(head, ""), c.version, c.form).ok(), c.accepted);
        ASSERT_NO_FATAL_FAILURE(ExpectChosenRequest(Command::kFsTestInfo, c.version, c.chosen));
    }
}

}  // namespace
}  // namespace mfsmon::test
