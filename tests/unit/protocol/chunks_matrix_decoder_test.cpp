// DecodeChunksMatrix against every recorded MATOCL_CHUNKS_MATRIX answer, compared cell by cell
// and class by class with what the same mfscli run printed (3.0.117 `-n -p` text, 4.59.2 `-j`
// JSON). The master version is taken from the INFO answer recorded before the matrix on the
// same connection, as mfsmon does.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fixture_loader.h"
#include "model/chunk_matrix.h"
#include "protocol/chunks_matrix_decoder.h"
#include "protocol/command_ids.h"
#include "protocol/info_decoder.h"

namespace mfsmon::test {
namespace {

using model::ChunkClass;
using model::ChunkMatrices;
using model::Matrix;
using model::RowMeaning;
using model::Version;
using protocol::DecodeChunksMatrix;
using protocol::kMatoclChunksMatrix;
using protocol::kMatoclInfo;

// 3.0.117: -SIC and -SIN in all 8 states (-SIN prints the all matrix too), "-SIC -m 1" in
// the 7 states before missing-files. 4.59.2: -SIC in all 8 states.
constexpr std::size_t kV3MatrixAnswers = 8 + 8 + 7;
constexpr std::size_t kV4MatrixAnswers = 8;

constexpr Version kVersion3{3, 0, 117, false};
constexpr Version kVersion4{4, 59, 2, false};

// mfscli's class names: 3.0.117 "chunkclass <name>:" lines and 4.59.2 JSON summary keys.
struct ClassName {
    ChunkClass cls;
    const char* text;  // 3.0.117 -n -p
    const char* json;  // 4.59.2 -j summary
};
constexpr ClassName kClassNames[] = {
    {ChunkClass::kMissing, "missing", "missing"},
    {ChunkClass::kEndangered, "endangered", "endangered"},
    {ChunkClass::kUndergoal, "undergoal", "undergoal"},
    {ChunkClass::kStable, "stable", "stable"},
    {ChunkClass::kOvergoal, "overgoal", "overgoal"},
    {ChunkClass::kPendingDeletion, "pending deletion", "pending_deletion"},
    {ChunkClass::kReadyToRemove, "to be removed", "ready_to_remove"},
};

// The version of the INFO answer that precedes `matrix` in its option folder.
Version MasterVersionBefore(const RecordedAnswer& matrix) {
    std::optional<Version> version;
    for (const auto& f : MasterAnswersIn(matrix.option_dir, kMatoclInfo)) {
        if (f.sequence > matrix.file.sequence) continue;
        const auto info = protocol::DecodeInfo(ReadPacket(f.path).payload);
        if (!info) throw std::runtime_error(f.path.string() + ": " + info.error().message);
        version = info->version;
    }
    if (!version) throw std::runtime_error("no INFO answer before " + matrix.Label());
    return *version;
}

void ExpectSameMatrix(const Matrix& decoded, const Matrix& expected) {
    for (int r = 0; r < model::kMatrixSize; ++r) {
        for (int c = 0; c < model::kMatrixSize; ++c) {
            SCOPED_TRACE(testing::Message() << "cell [" << r << "][" << c << "]");
            EXPECT_FIELD_EQ(decoded[r][c], expected[r][c]);
        }
    }
}

Matrix Add(const Matrix& a, const Matrix& b) {
    Matrix out{};
    for (int r = 0; r < model::kMatrixSize; ++r) {
        for (int c = 0; c < model::kMatrixSize; ++c) out[r][c] = a[r][c] + b[r][c];
    }
    return out;
}

// --- 3.0.117 ---------------------------------------------------------------------------------

// Compares one matrix with mfscli's "<title>\tgoal/copies/chunks:\tG\tC\tN" lines (only
// non-zero cells are printed, so every other cell must be 0) and its 7 chunkclass lines.
void CheckAgainstText(const Matrix& decoded, const MfscliText& text, const std::string& title) {
    const auto rows = text.Table(title);
    Matrix expected{};
    std::map<std::string, std::uint64_t> classes;
    for (const auto& f : rows) {
        if (f.size() == 5 && f[1] == "goal/copies/chunks:") {
            const auto goal = ParseU64(f[2]);
            const auto copies = ParseU64(f[3]);
            ASSERT_LE(goal, 10u);
            ASSERT_LE(copies, 10u);
            ASSERT_EQ(expected[goal][copies], 0u) << "cell printed twice";
            expected[goal][copies] = static_cast<std::uint32_t>(ParseU64(f[4]));
        } else if (f.size() == 3 && f[1].starts_with("chunkclass ") && f[1].ends_with(":")) {
            const auto name = f[1].substr(11, f[1].size() - 12);
            ASSERT_TRUE(classes.emplace(name, ParseU64(f[2])).second) << "class printed twice";
        } else {
            ADD_FAILURE() << "unexpected '" << title << "' line in " << text.path.string();
        }
    }
    ASSERT_EQ(classes.size(), 7u) << "chunkclass lines in " << text.path.string();
    ExpectSameMatrix(decoded, expected);

    const auto counts = model::Summarize(decoded);
    for (const auto& n : kClassNames) {
        SCOPED_TRACE(n.text);
        ASSERT_TRUE(classes.count(n.text));
        EXPECT_FIELD_EQ(counts[n.cls], classes.at(n.text));
        // The model's names are meant to be mfscli's.
        EXPECT_FIELD_EQ(model::ChunkClassName(n.cls), n.text);
    }
}

void CheckV3(const RecordedAnswer& rec, const ChunkMatrices& m) {
    EXPECT_EQ(m.rows, RowMeaning::kGoal);
    EXPECT_FALSE(m.copies.has_value());
    EXPECT_FALSE(m.ec8.has_value());
    EXPECT_FALSE(m.ec4.has_value());

    // mfscli -n -p does not print the progress byte (wire protocol section 5): these are the
    // recorded values. Settling is the state recorded right after chunkservers came back; its
    // "-SIC -m 1" run came ~3 s after -SIN, when the master's new-chunk delay had passed.
    const bool settling = rec.state == "settling" && rec.option != "SIC_-m_1";
    EXPECT_FIELD_EQ(m.progress, settling ? 2u : 0u);
    EXPECT_EQ(model::ProgressText(m.progress).empty(), !settling);

    const auto text = ReadMfscliText(rec.option_dir / "mfscli.txt");
    // -SIC and -SIN print matrix 0 ("all"); "-SIC -m 1" prints matrix 1 ("regular").
    const bool regular = rec.option == "SIC_-m_1";
    ASSERT_TRUE(regular || rec.option == "SIC" || rec.option == "SIN") << rec.option;
    EXPECT_TRUE(text.Table(regular ? "all chunks matrix:" : "regular chunks matrix:").empty());
    CheckAgainstText(regular ? m.combined.regular : m.combined.all, text,
                     regular ? "regular chunks matrix:" : "all chunks matrix:");
}

// --- 4.59.2 ----------------------------------------------------------------------------------

// mfscli -j names of the 8 matrices, in wire order, with the decoded matrix each one is.
std::vector<std::pair<std::string, const Matrix*>> JsonMatrices(const ChunkMatrices& m) {
    return {
        {"allchunks", &m.combined.all},       {"regularchunks", &m.combined.regular},
        {"allchunks_copies", &m.copies->all}, {"regularchunks_copies", &m.copies->regular},
        {"allchunks_ec8", &m.ec8->all},       {"regularchunks_ec8", &m.ec8->regular},
        {"allchunks_ec4", &m.ec4->all},       {"regularchunks_ec4", &m.ec4->regular},
    };
}

Matrix MatrixFromJson(const nlohmann::json& cells) {
    Matrix out{};
    for (const auto& cell : cells) {
        // Labels are raw indices written as "N", "1+N", "4+N", "8+N" (layouts note section 2).
        const int r = JsonMatrixIndex(cell.at("target").get<std::string>());
        const int c = JsonMatrixIndex(cell.at("current").get<std::string>());
        if (out[r][c] != 0) throw std::runtime_error("matrix cell listed twice");
        out[r][c] = cell.at("chunks").get<std::uint32_t>();
    }
    return out;
}

void CheckV4(const RecordedAnswer& rec, const ChunkMatrices& m) {
    EXPECT_EQ(m.rows, RowMeaning::kRedundancyLevel);
    ASSERT_TRUE(m.copies.has_value());
    ASSERT_TRUE(m.ec8.has_value());
    ASSERT_TRUE(m.ec4.has_value());

    const auto json = ReadMfscliJson(rec.option_dir / "mfscli.json");
    const auto& chunks = json.at("dataset").at("info").at("chunks");
    EXPECT_FIELD_EQ(m.progress, chunks.at("progress_status").get<std::uint32_t>());
    if (m.progress == 0) {
        EXPECT_EQ(chunks.at("progress_str").get<std::string>(), "counters are valid");
    }

    const auto& summary = chunks.at("summary");
    std::set<std::string> known = {"summary", "progress_status", "progress_str"};
    for (const auto& [name, decoded] : JsonMatrices(m)) {
        SCOPED_TRACE(name);
        known.insert(name);
        ExpectSameMatrix(*decoded, MatrixFromJson(chunks.at(name)));
        const auto counts = model::Summarize(*decoded);
        const auto& s = summary.at(name);
        EXPECT_EQ(s.size(), 7u);
        for (const auto& n : kClassNames) {
            SCOPED_TRACE(n.json);
            EXPECT_FIELD_EQ(counts[n.cls], s.at(n.json).get<std::uint64_t>());
        }
    }
    EXPECT_EQ(summary.size(), 8u);
    for (const auto& [key, value] : chunks.items()) {
        // The storage_class_* keys say which class was asked for: all (the empty request).
        if (!known.count(key) && !key.starts_with("storage_class_")) {
            ADD_FAILURE() << "mfscli printed chunks." << key << ", which this test does not check";
        }
    }
    EXPECT_EQ(chunks.at("storage_class_id").get<int>(), -1);

    // Every chunk is in exactly one storage mode, so the combined matrices are the sums.
    ExpectSameMatrix(m.combined.all, Add(Add(m.copies->all, m.ec8->all), m.ec4->all));
    ExpectSameMatrix(m.combined.regular,
                     Add(Add(m.copies->regular, m.ec8->regular), m.ec4->regular));
}

// --- every recorded answer -------------------------------------------------------------------

TEST(MatrixRecordings, EveryAnswerIsFoundAndListedInTheManifests) {
    ExpectAnswersMatchManifest(kV3, kMatoclChunksMatrix, kV3MatrixAnswers);
    ExpectAnswersMatchManifest(kV4, kMatoclChunksMatrix, kV4MatrixAnswers);
}

class RecordedMatrix : public ::testing::TestWithParam<RecordedAnswer> {};

TEST_P(RecordedMatrix, MatchesWhatMfscliPrinted) {
    const RecordedAnswer& rec = GetParam();
    const Packet packet = ReadPacket(rec.file.path);
    ASSERT_EQ(packet.type, kMatoclChunksMatrix);
    const Version master = MasterVersionBefore(rec);
    EXPECT_EQ(master.ToString(), rec.version);
    const auto m = DecodeChunksMatrix(packet.payload, master);
    ASSERT_TRUE(m.ok()) << m.error().message;
    if (rec.version == kV3) {
        CheckV3(rec, *m);
    } else {
        CheckV4(rec, *m);
    }
}

std::string ParamName(const ::testing::TestParamInfo<RecordedAnswer>& p) {
    return p.param.TestName();
}

INSTANTIATE_TEST_SUITE_P(V3, RecordedMatrix,
                         ::testing::ValuesIn(FindMasterAnswersOrEmpty(kV3, kMatoclChunksMatrix)),
                         ParamName);
INSTANTIATE_TEST_SUITE_P(V4, RecordedMatrix,
                         ::testing::ValuesIn(FindMasterAnswersOrEmpty(kV4, kMatoclChunksMatrix)),
                         ParamName);

// --- negative cases on real bytes --------------------------------------------------------------

std::vector<std::uint8_t> RealMatrixPayload(std::string_view version) {
    const auto answers =
        MasterAnswersIn(VersionDir(version) / "healthy" / "SIC", kMatoclChunksMatrix);
    if (answers.size() != 1) throw std::runtime_error("expected one healthy/SIC matrix");
    return ReadPacket(answers[0].path).payload;
}

bool MentionsAll(const Error& e, std::initializer_list<const char*> words) {
    for (const char* w : words) {
        if (e.message.find(w) == std::string::npos) return false;
    }
    return true;
}

TEST(ChunksMatrixDecoder, EveryTruncationOf3xAnswerIsAnError) {
    const auto payload = RealMatrixPayload(kV3);
    ASSERT_EQ(payload.size(), 969u);  // progress + 2 x 484 (wire protocol section 5)
    for (std::size_t n = 0; n < payload.size(); ++n) {
        const auto r = DecodeChunksMatrix(std::span(payload).first(n), kVersion3);
        EXPECT_FALSE(r.ok()) << "a " << n << "-byte prefix decoded";
        if (!r.ok()) {
            EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
        }
    }
}

TEST(ChunksMatrixDecoder, EveryTruncationOf4xAnswerIsAnErrorButTheTwoMatrixLength) {
    const auto payload = RealMatrixPayload(kV4);
    ASSERT_EQ(payload.size(), 3873u);  // progress + 8 x 484 (layouts note section 2)
    const auto full = DecodeChunksMatrix(payload, kVersion4);
    ASSERT_TRUE(full.ok()) << full.error().message;
    for (std::size_t n = 0; n < payload.size(); ++n) {
        const auto r = DecodeChunksMatrix(std::span(payload).first(n), kVersion4);
        // A 4.x master may answer with only the all/regular pair (969 bytes, the 3.x size);
        // the 6-matrix 2905 is a pre-4.26 layout and an error from 4.59.2.
        if (n != 969) {
            EXPECT_FALSE(r.ok()) << "a " << n << "-byte prefix decoded";
            continue;
        }
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->rows, RowMeaning::kRedundancyLevel);
        ExpectSameMatrix(r->combined.all, full->combined.all);
        ExpectSameMatrix(r->combined.regular, full->combined.regular);
    }
}

TEST(ChunksMatrixDecoder, OneExtraByteIsAnError) {
    for (const auto& [version, master] : {std::pair{kV3, kVersion3}, std::pair{kV4, kVersion4}}) {
        auto payload = RealMatrixPayload(version);
        payload.push_back(0);
        EXPECT_FALSE(DecodeChunksMatrix(payload, master).ok()) << version;
    }
}

TEST(ChunksMatrixDecoder, ThreeXLengthRowsDependOnTheMasterVersion) {
    const auto payload = RealMatrixPayload(kV3);
    const auto as3 = DecodeChunksMatrix(payload, kVersion3);
    const auto as4 = DecodeChunksMatrix(payload, kVersion4);
    ASSERT_TRUE(as3.ok()) << as3.error().message;
    ASSERT_TRUE(as4.ok()) << as4.error().message;
    EXPECT_EQ(as3->rows, RowMeaning::kGoal);
    EXPECT_EQ(as4->rows, RowMeaning::kRedundancyLevel);
    // Same bytes, same cells: only what the row index means differs.
    EXPECT_EQ(as4->progress, as3->progress);
    ExpectSameMatrix(as4->combined.all, as3->combined.all);
    ExpectSameMatrix(as4->combined.regular, as3->combined.regular);
    EXPECT_FALSE(as4->copies.has_value());
    EXPECT_FALSE(as4->ec8.has_value());
    EXPECT_FALSE(as4->ec4.has_value());
}

TEST(ChunksMatrixDecoder, FourXLengthFromThreeXMasterNamesCommandLengthAndVersion) {
    const auto payload = RealMatrixPayload(kV4);
    const auto r = DecodeChunksMatrix(payload, kVersion3);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
    EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_CHUNKS_MATRIX", "3873", "3.0.117"}))
        << r.error().message;
    // The 6-matrix length is 4.x-only too.
    const auto r6 = DecodeChunksMatrix(std::span(payload).first(2905), kVersion3);
    ASSERT_FALSE(r6.ok());
    EXPECT_TRUE(MentionsAll(r6.error(), {"MATOCL_CHUNKS_MATRIX", "2905", "3.0.117"}))
        << r6.error().message;
}

TEST(ChunksMatrixDecoder, UnknownVersionsAreErrors) {
    for (const auto& [master, shown] : {std::pair{Version{5, 0, 0, false}, "5.0.0"},
                                        std::pair{Version{1, 5, 0, false}, "1.5.0"}}) {
        for (const auto version : {kV3, kV4}) {
            SCOPED_TRACE(std::string(shown) + " with a " + std::string(version) + " answer");
            const auto r = DecodeChunksMatrix(RealMatrixPayload(version), master);
            ASSERT_FALSE(r.ok());
            EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
            EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_CHUNKS_MATRIX", shown}))
                << r.error().message;
        }
    }
}

// --- one storage class's matrices (request 00 + class id, 4.44+) --------------------------------

TEST(ChunksMatrixDecoder, ClassIdAnswerHasTheAllClassesLayoutFrom444On) {
    // The master fills the same 8 matrices, counted over one class (matoclserv.c
    // matoclserv_chunks_matrix); the bytes of a recorded answer stand in for such an answer.
    const auto payload = RealMatrixPayload(kV4);
    const auto all = DecodeChunksMatrix(payload, kVersion4);
    ASSERT_TRUE(all.ok()) << all.error().message;
    for (const auto master : {kVersion4, Version{4, 44, 0, false}}) {
        const auto one = DecodeChunksMatrix(payload, master, protocol::RequestForm::kClassId);
        ASSERT_TRUE(one.ok()) << one.error().message;
        ExpectSameMatrix(one->combined.all, all->combined.all);
        ASSERT_TRUE(one->ec4.has_value());
        ExpectSameMatrix(one->ec4->regular, all->ec4->regular);
    }
    // Only the 8-matrix length answers a class id request.
    EXPECT_FALSE(DecodeChunksMatrix(std::span(payload).first(969), kVersion4,
                                    protocol::RequestForm::kClassId)
                     .ok());
}

TEST(ChunksMatrixDecoder, ClassIdRequestIsUnknownBefore444) {
    const auto payload = RealMatrixPayload(kV4);
    for (const auto master : {Version{4, 43, 9, false}, kVersion3}) {
        const auto r = DecodeChunksMatrix(payload, master, protocol::RequestForm::kClassId);
        ASSERT_FALSE(r.ok()) << master.ToString();
        EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
    }
    const auto r =
        DecodeChunksMatrix(payload, Version{4, 43, 9, false}, protocol::RequestForm::kClassId);
    EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_CHUNKS_MATRIX", "class id", "4.43.9"}))
        << r.error().message;
}

TEST(ChunksMatrixRequest, ClassIdFormOnlyWhereTheMasterAcceptsIt) {
    using protocol::AcceptsForm;
    using protocol::Command;
    using protocol::RequestForm;
    // 3.0.117 closes the connection on a 2-byte CHUNKS_MATRIX request (wire protocol notes).
    EXPECT_FALSE(AcceptsForm(Command::kChunksMatrix, kVersion3, RequestForm::kClassId));
    EXPECT_FALSE(
        AcceptsForm(Command::kChunksMatrix, Version{4, 43, 9, false}, RequestForm::kClassId));
    EXPECT_TRUE(
        AcceptsForm(Command::kChunksMatrix, Version{4, 44, 0, false}, RequestForm::kClassId));
    EXPECT_TRUE(AcceptsForm(Command::kChunksMatrix, kVersion4, RequestForm::kClassId));
    EXPECT_TRUE(AcceptsForm(Command::kChunksMatrix, kVersion3, RequestForm::kEmpty));
    // The all-classes form stays the one ChooseRequest picks.
    EXPECT_EQ(protocol::ChooseRequest(Command::kChunksMatrix, kVersion4).value(),
              RequestForm::kEmpty);
    EXPECT_EQ(protocol::ClassMatrixPayload(7), (std::vector<std::uint8_t>{0x00, 0x07}));
    EXPECT_EQ(protocol::ClassMatrixPayload(255), (std::vector<std::uint8_t>{0x00, 0xFF}));
}

}  // namespace
}  // namespace mfsmon::test
