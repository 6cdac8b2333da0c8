// Test helpers over tests/fixtures: packets recorded from real mfscli runs, and what that same
// mfscli printed. mfscli's output is the ground truth the decoders are compared with, so these
// helpers parse it strictly: anything unexpected (a short file, a header that disagrees with
// the file size, a line that does not split as mfscli writes it) throws std::runtime_error
// naming the file. A broken or moved recording must fail the test that reads it, never
// quietly turn into "nothing to compare".
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace mfsmon::test {

inline constexpr std::string_view kV3 = "3.0.117";
inline constexpr std::string_view kV4 = "4.59.2";

std::filesystem::path FixturesDir();
std::filesystem::path VersionDir(std::string_view version);

// Sorted folder names: the states of a version ("healthy", ...), the options of a state
// ("SIC", "SIC_-m_1", ...).
std::vector<std::string> ListStates(std::string_view version);
std::vector<std::string> ListOptions(std::string_view version, std::string_view state);

// One recorded packet file, `NN-<peer>-<req|ans>-<type>.bin`, described by its name.
struct PacketFile {
    std::filesystem::path path;
    int sequence = 0;  // NN: the order the packets crossed the wire in
    std::string peer;  // "master" or "cs198.18.0.10_9422"
    bool answer = false;
    std::uint32_t type = 0;
};

// The packet files of one option folder, in wire order.
std::vector<PacketFile> ListPackets(const std::filesystem::path& option_dir);
// The master's answers of `type` in one option folder, in wire order.
std::vector<PacketFile> MasterAnswersIn(const std::filesystem::path& option_dir,
                                        std::uint32_t type);

// Where a recorded answer came from.
struct RecordedAnswer {
    std::string version;
    std::string state;
    std::string option;  // folder name: "SIC", "SIC_-m_1"
    std::filesystem::path option_dir;
    PacketFile file;

    std::string Label() const;     // "3.0.117/healthy/SIC/04-master-ans-517.bin"
    std::string TestName() const;  // Label() made fit for a GoogleTest parameter name
};

// GoogleTest prints a recorded answer as its Label() (in "where GetParam() = ..." lines).
void PrintTo(const RecordedAnswer& rec, std::ostream* os);

// Names the tests of an INSTANTIATE_TEST_SUITE_P over recorded answers by TestName().
std::string RecordedAnswerName(const ::testing::TestParamInfo<RecordedAnswer>& info);

// Every answer of `type` sent by the master under one version, found by walking
// <version>/<state>/<option>/ (no list of expected folders: a new recording is picked up).
std::vector<RecordedAnswer> FindMasterAnswers(std::string_view version, std::uint32_t type);
// The same, but an empty list instead of an exception: for INSTANTIATE_TEST_SUITE_P, which
// runs before main. The count tests call FindMasterAnswers and fail loudly instead.
std::vector<RecordedAnswer> FindMasterAnswersOrEmpty(std::string_view version, std::uint32_t type);

// The answers `find` returns, or an empty list if it throws: for INSTANTIATE_TEST_SUITE_P
// over another selection of answers.
std::vector<RecordedAnswer> AnswersOrEmpty(
    const std::function<std::vector<RecordedAnswer>()>& find);

// Every answer of `type` sent by the chunkservers (peer "cs<ip>_<port>") under one version;
// throws if an answer of that type came from another peer.
std::vector<RecordedAnswer> FindChunkserverAnswers(std::string_view version, std::uint32_t type);
// The same, but an empty list instead of an exception (see FindMasterAnswersOrEmpty).
std::vector<RecordedAnswer> FindChunkserverAnswersOrEmpty(std::string_view version,
                                                          std::uint32_t type);

// The payload of the one answer of `type` the master sent in <version>/<state>/<option>;
// throws unless there is exactly one.
std::vector<std::uint8_t> OnlyMasterAnswerPayload(std::string_view version, std::string_view state,
                                                  std::string_view option, std::uint32_t type);

// The payload of the request `rec` answers (type rec.file.type - 1, sent to the same peer):
// the last such request sent before it or, with `adjacent`, the packet just before it, which
// must be that request. Throws when there is none.
std::vector<std::uint8_t> RequestPayloadBefore(const RecordedAnswer& rec, bool adjacent = false);

// How many answers of `type` the states' manifest.json files list, and their payload lengths
// by "<state>/<file>": an index of the recordings kept apart from the folder walk.
std::map<std::string, std::uint32_t> ManifestAnswerLengths(std::string_view version,
                                                           std::uint32_t type);

// Asserts that `expected` answers of `type` are recorded for `version`, that each is listed in
// its state's manifest and that the manifest's payload length matches the file.
void ExpectAnswersMatchManifest(std::string_view version, std::uint32_t type, std::size_t expected);
// The same for the chunkservers' answers of `type` (FindChunkserverAnswers), each listed in
// its state's manifest whatever its peer.
void ExpectChunkserverAnswersMatchManifest(std::string_view version, std::uint32_t type,
                                           std::size_t expected);

struct Packet {
    std::uint32_t type = 0;
    std::vector<std::uint8_t> payload;
};

// Reads a whole recorded packet: 8-byte header (type:32 length:32, big endian) + payload.
// Throws unless the header's length equals the file size - 8.
Packet ReadPacket(const std::filesystem::path& file);

// 3.0.117 `mfscli -n -p` output: every non-empty line split at tabs. The first field is the
// table title with its colon ("master info:", "all chunks matrix:").
struct MfscliText {
    std::filesystem::path path;
    std::vector<std::vector<std::string>> rows;

    // The rows of one table, in file order.
    std::vector<std::vector<std::string>> Table(std::string_view title) const;
    // A two-column table ("master info:") as name -> value; throws on a repeated name or on a
    // row that is not exactly title, name, value.
    std::map<std::string, std::string> KeyValues(std::string_view title) const;
};
MfscliText ReadMfscliText(const std::filesystem::path& file);

// 4.59.2 `mfscli -j` output.
nlohmann::json ReadMfscliJson(const std::filesystem::path& file);

// A cell label of mfscli 4.59.2's JSON matrices ("2", "1+2", "4+2", "0") as the raw row or
// column index it really is: the number after the last '+', or the plain number (see
// moosefs-4x-layouts.md section 2, "Label quirks").
int JsonMatrixIndex(std::string_view label);

// Strict decimal parsing of mfscli's numbers: digits only, the whole string.
std::uint64_t ParseU64(std::string_view text);
// A fixed-point number with exactly `decimals` digits after the point, scaled to an integer
// ("0.015963306", 9 -> 15963306), so it is compared without floating-point rounding.
std::uint64_t ParseFixed(std::string_view text, int decimals);

// Counts value comparisons for the end-of-run summary ("field comparisons: N").
void CountComparison();
std::uint64_t ComparisonCount();

}  // namespace mfsmon::test

// EXPECT_EQ that is counted in the end-of-run summary.
#define EXPECT_FIELD_EQ(decoded, expected) \
    do {                                   \
        ::mfsmon::test::CountComparison(); \
        EXPECT_EQ(decoded, expected);      \
    } while (0)
