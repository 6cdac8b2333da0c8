// What the decoder tests share beyond reading the recordings (fixture_loader.h): the master
// versions of the recordings, the master version and request form an answer was read with,
// the instantiation of a parameterised test over the recorded answers, and the checks on
// error messages, layout rule ranges and cut answers that every decoder is put through.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "fixture_loader.h"
#include "model/version.h"
#include "protocol/layout_table.h"

namespace mfsmon::test {

// The master versions the recordings' INFO answers give.
inline constexpr model::Version kVersion3{3, 0, 117, false};
inline constexpr model::Version kVersion4{4, 59, 2, false};

// Each recorded version: its folder name and its master version.
struct RecordedVersion {
    std::string_view name;
    model::Version master;
};
inline constexpr RecordedVersion kRecordedVersions[] = {{kV3, kVersion3}, {kV4, kVersion4}};

// The version of the INFO answer recorded before `rec` in its option folder: the master
// version mfsmon would decode `rec` with, as it has it on that connection.
model::Version MasterVersionBefore(const RecordedAnswer& rec);

// The fixture of a parameterised test over recorded master answers (MFSMON_INSTANTIATE_RECORDED).
class RecordedAnswerTest : public ::testing::TestWithParam<RecordedAnswer> {
  protected:
    // Reads the recorded answer into `packet` (its type must be `type`) and the master version
    // of the INFO answer recorded before it into `master` (it must be the version its folder
    // names). Call it in ASSERT_NO_FATAL_FAILURE.
    void ReadAnswer(std::uint32_t type);
    // The request mfscli sent, of `form`, is the one mfsmon would send to `master`. Call it in
    // ASSERT_NO_FATAL_FAILURE.
    void ExpectSameRequestAsMfscli(protocol::Command command, protocol::RequestForm form) const;

    Packet packet;
    model::Version master;
};

// A row of a table of version boundaries from the reference notes: whether the layout table
// accepts an answer to a request of `form` from a master of `version`, and the form mfsmon
// chooses for that master.
struct FormBoundary {
    model::Version version;
    protocol::RequestForm form;
    bool accepted;
    std::optional<protocol::RequestForm> chosen;  // what ChooseRequest picks for this version
};

// ChooseRequest picks `chosen` for a master of `version`, or nothing when `chosen` is nullopt.
// Call it in ASSERT_NO_FATAL_FAILURE.
void ExpectChosenRequest(protocol::Command command, const model::Version& version,
                         std::optional<protocol::RequestForm> chosen);

// The form of a recorded request payload, one of `forms`; throws on any other payload. The
// payloads are written out here (wire protocol notes), apart from protocol::RequestPayload.
protocol::RequestForm FormOfRequest(const std::vector<std::uint8_t>& payload,
                                    std::initializer_list<protocol::RequestForm> forms);

// The last version before `v` that the version word can carry.
model::Version Previous(const model::Version& v);

// Appends `v` big-endian, as the master writes a u32.
void PutU32(std::vector<std::uint8_t>& out, std::uint32_t v);

// Whether the error message contains every one of `words`.
bool MentionsAll(const Error& e, std::initializer_list<std::string_view> words);

// A layout rule's range: the versions at both of its ends, and the versions just outside.
std::array<model::Version, 2> RangeEnds(const protocol::LayoutRule& r);
std::array<model::Version, 2> JustOutside(const protocol::LayoutRule& r);

// Just outside its range the rule does not give its layout to an answer of `length` bytes
// (the table finds another layout or none).
void ExpectRuleEndsWithItsRange(const protocol::LayoutRule& r, std::uint32_t length);

// Every prefix of an answer made of `entry`-byte entries, decoded by `decode`: cut inside an
// entry, a kProtocol error whose message mentions `words` and the prefix length; at an entry
// boundary, as many entries as it holds, the i-th checked by `same_entry(decoded, i)`.
template <typename Decode, typename SameEntry>
void ExpectEveryCutIsAnErrorButWholeEntries(std::span<const std::uint8_t> payload,
                                            std::size_t entry,
                                            std::initializer_list<std::string_view> words,
                                            Decode decode, SameEntry same_entry) {
    for (std::size_t n = 0; n < payload.size(); ++n) {
        SCOPED_TRACE(testing::Message() << n << " bytes");
        const auto r = decode(payload.first(n));
        if (n % entry != 0) {
            ASSERT_FALSE(r.ok()) << "a " << n << "-byte prefix decoded";
            EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
            EXPECT_TRUE(MentionsAll(r.error(), words) &&
                        MentionsAll(r.error(), {std::to_string(n)}))
                << r.error().message;
            continue;
        }
        // Whole entries are a shorter list (an empty one included), entry for entry.
        ASSERT_TRUE(r.ok()) << r.error().message;
        ASSERT_EQ(r->size(), n / entry);
        for (std::size_t i = 0; i < r->size(); ++i) same_entry((*r)[i], i);
    }
}

}  // namespace mfsmon::test

// Instantiates the parameterised suite `suite` as V3/suite and V4/suite, one test per recorded
// answer that `find(version, ...)` returns (a ...OrEmpty finder: this runs before main), each
// named by RecordedAnswer::TestName().
#define MFSMON_INSTANTIATE_RECORDED(suite, find, ...)                                         \
    INSTANTIATE_TEST_SUITE_P(                                                                 \
        V3, suite, ::testing::ValuesIn(find(::mfsmon::test::kV3 __VA_OPT__(, ) __VA_ARGS__)), \
        ::mfsmon::test::RecordedAnswerName);                                                  \
    INSTANTIATE_TEST_SUITE_P(                                                                 \
        V4, suite, ::testing::ValuesIn(find(::mfsmon::test::kV4 __VA_OPT__(, ) __VA_ARGS__)), \
        ::mfsmon::test::RecordedAnswerName)
