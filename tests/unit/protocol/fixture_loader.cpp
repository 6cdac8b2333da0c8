#include "fixture_loader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

namespace mfsmon::test {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void Fail(const std::string& what) {
    throw std::runtime_error(what);
}

std::vector<std::string> SortedSubdirs(const fs::path& dir) {
    if (!fs::is_directory(dir)) Fail(fmt::format("not a directory: {}", dir.string()));
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.is_directory()) names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

std::string ReadWholeFile(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) Fail(fmt::format("cannot open {}", file.string()));
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::uint32_t BigEndian32(const std::string& bytes, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<std::uint8_t>(bytes[at + i]);
    return v;
}

std::uint64_t g_comparisons = 0;

// Prints the comparison count once the whole run is over, for the test report.
class ComparisonReport : public ::testing::Environment {
  public:
    void TearDown() override {
        std::printf("[ protocol ] field comparisons: %llu\n",
                    static_cast<unsigned long long>(g_comparisons));
    }
};

[[maybe_unused]] ::testing::Environment* const kReport =
    ::testing::AddGlobalTestEnvironment(new ComparisonReport);

}  // namespace

fs::path FixturesDir() {
    return fs::path(MFSMON_FIXTURES_DIR);
}

fs::path VersionDir(std::string_view version) {
    return FixturesDir() / std::string(version);
}

std::vector<std::string> ListStates(std::string_view version) {
    return SortedSubdirs(VersionDir(version));
}

std::vector<std::string> ListOptions(std::string_view version, std::string_view state) {
    return SortedSubdirs(VersionDir(version) / std::string(state));
}

namespace {

bool AllDigits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "NN-<peer>-<req|ans>-<type>.bin" (std::regex is avoided: GCC 12 warns inside it under the
// sanitizer build's -Werror).
std::optional<PacketFile> ParsePacketName(const fs::path& path) {
    const std::string filename = path.filename().string();
    std::string_view name = filename;
    if (name.size() < 4 || name.substr(name.size() - 4) != ".bin") return std::nullopt;
    name.remove_suffix(4);
    const auto first = name.find('-');
    const auto last = name.rfind('-');
    if (first == std::string_view::npos || last <= first) return std::nullopt;
    std::string_view seq = name.substr(0, first);
    std::string_view type = name.substr(last + 1);
    std::string_view middle = name.substr(first + 1, last - first - 1);  // <peer>-<req|ans>
    const auto dash = middle.rfind('-');
    if (dash == std::string_view::npos || dash == 0 || !AllDigits(seq) || !AllDigits(type)) {
        return std::nullopt;
    }
    std::string_view dir = middle.substr(dash + 1);
    if (dir != "req" && dir != "ans") return std::nullopt;
    PacketFile f;
    f.path = path;
    f.sequence = std::stoi(std::string(seq));
    f.peer = std::string(middle.substr(0, dash));
    f.answer = dir == "ans";
    f.type = static_cast<std::uint32_t>(std::stoul(std::string(type)));
    return f;
}

}  // namespace

std::vector<PacketFile> ListPackets(const fs::path& option_dir) {
    std::vector<PacketFile> out;
    for (const auto& entry : fs::directory_iterator(option_dir)) {
        if (entry.path().extension() != ".bin") continue;
        auto f = ParsePacketName(entry.path());
        if (!f) Fail(fmt::format("unexpected packet file name {}", entry.path().string()));
        out.push_back(std::move(*f));
    }
    std::sort(out.begin(), out.end(),
              [](const PacketFile& a, const PacketFile& b) { return a.sequence < b.sequence; });
    return out;
}

std::vector<PacketFile> MasterAnswersIn(const fs::path& option_dir, std::uint32_t type) {
    std::vector<PacketFile> out;
    for (auto& f : ListPackets(option_dir)) {
        if (f.answer && f.type == type && f.peer == "master") out.push_back(std::move(f));
    }
    return out;
}

std::string RecordedAnswer::Label() const {
    return fmt::format("{}/{}/{}/{}", version, state, option, file.path.filename().string());
}

std::string RecordedAnswer::TestName() const {
    // "v" first: a parameter name must not start with a digit.
    std::string name = fmt::format("v{}", Label());
    const auto dot = name.rfind(".bin");
    if (dot != std::string::npos) name.erase(dot);
    for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
}

void PrintTo(const RecordedAnswer& rec, std::ostream* os) {
    *os << rec.Label();
}

std::string RecordedAnswerName(const ::testing::TestParamInfo<RecordedAnswer>& info) {
    return info.param.TestName();
}

namespace {

// The packet files under one version that `keep` accepts, walking <version>/<state>/<option>/.
template <typename Keep>
std::vector<RecordedAnswer> WalkPackets(std::string_view version, Keep keep) {
    std::vector<RecordedAnswer> out;
    for (const auto& state : ListStates(version)) {
        for (const auto& option : ListOptions(version, state)) {
            const fs::path dir = VersionDir(version) / state / option;
            for (const auto& f : ListPackets(dir)) {
                if (keep(f))
                    out.push_back(RecordedAnswer{std::string(version), state, option, dir, f});
            }
        }
    }
    return out;
}

// The payload lengths of the answers of `type` the manifests list, by "<state>/<file>"; only
// the master's with `master_only`.
std::map<std::string, std::uint32_t> ManifestLengths(std::string_view version, std::uint32_t type,
                                                     bool master_only) {
    std::map<std::string, std::uint32_t> out;
    for (const auto& state : ListStates(version)) {
        const fs::path file = VersionDir(version) / state / "manifest.json";
        const auto manifest = nlohmann::json::parse(ReadWholeFile(file));
        for (const auto& entry : manifest) {
            if (entry.at("type").get<std::uint32_t>() != type ||
                entry.at("direction").get<std::string>() != "answer" ||
                (master_only && entry.at("peer").get<std::string>() != "master")) {
                continue;
            }
            const auto key = state + "/" + entry.at("file").get<std::string>();
            if (!out.emplace(key, entry.at("payload_length").get<std::uint32_t>()).second) {
                Fail(fmt::format("{} lists {} twice", file.string(), key));
            }
        }
    }
    return out;
}

// `expected` answers found, each listed in `manifest` with its payload length.
void ExpectFoundInManifest(const std::vector<RecordedAnswer>& found,
                           const std::map<std::string, std::uint32_t>& manifest,
                           std::size_t expected) {
    EXPECT_EQ(found.size(), expected);
    EXPECT_EQ(manifest.size(), found.size());
    for (const auto& rec : found) {
        const auto it =
            manifest.find(rec.state + "/" + rec.option + "/" + rec.file.path.filename().string());
        ASSERT_NE(it, manifest.end()) << rec.Label() << " is not in its manifest";
        EXPECT_EQ(ReadPacket(rec.file.path).payload.size(), it->second) << rec.Label();
    }
}

}  // namespace

std::vector<RecordedAnswer> AnswersOrEmpty(
    const std::function<std::vector<RecordedAnswer>()>& find) {
    try {
        return find();
    } catch (const std::exception&) {
        return {};
    }
}

std::vector<RecordedAnswer> FindMasterAnswers(std::string_view version, std::uint32_t type) {
    return WalkPackets(version, [type](const PacketFile& f) {
        return f.answer && f.type == type && f.peer == "master";
    });
}

std::vector<RecordedAnswer> FindMasterAnswersOrEmpty(std::string_view version, std::uint32_t type) {
    return AnswersOrEmpty([&] { return FindMasterAnswers(version, type); });
}

std::vector<RecordedAnswer> FindChunkserverAnswers(std::string_view version, std::uint32_t type) {
    return WalkPackets(version, [type](const PacketFile& f) {
        if (!f.answer || f.type != type) return false;
        if (!f.peer.starts_with("cs")) {
            Fail(fmt::format("{}: a {} answer from '{}', not a chunkserver", f.path.string(), type,
                             f.peer));
        }
        return true;
    });
}

std::vector<RecordedAnswer> FindChunkserverAnswersOrEmpty(std::string_view version,
                                                          std::uint32_t type) {
    return AnswersOrEmpty([&] { return FindChunkserverAnswers(version, type); });
}

std::vector<std::uint8_t> OnlyMasterAnswerPayload(std::string_view version, std::string_view state,
                                                  std::string_view option, std::uint32_t type) {
    const fs::path dir = VersionDir(version) / std::string(state) / std::string(option);
    const auto answers = MasterAnswersIn(dir, type);
    if (answers.size() != 1) {
        Fail(fmt::format("expected one answer of type {} in {}, found {}", type, dir.string(),
                         answers.size()));
    }
    return ReadPacket(answers[0].path).payload;
}

std::vector<std::uint8_t> RequestPayloadBefore(const RecordedAnswer& rec, bool adjacent) {
    const std::uint32_t type = rec.file.type - 1;
    std::optional<PacketFile> request;
    for (const auto& f : ListPackets(rec.option_dir)) {
        if (f.answer || f.peer != rec.file.peer || f.sequence >= rec.file.sequence) continue;
        if (adjacent ? f.sequence == rec.file.sequence - 1 : f.type == type) request = f;
    }
    if (!request || request->type != type) {
        Fail(fmt::format("no request of type {} {}before {}", type, adjacent ? "just " : "",
                         rec.Label()));
    }
    return ReadPacket(request->path).payload;
}

std::map<std::string, std::uint32_t> ManifestAnswerLengths(std::string_view version,
                                                           std::uint32_t type) {
    return ManifestLengths(version, type, true);
}

Packet ReadPacket(const fs::path& file) {
    const std::string bytes = ReadWholeFile(file);
    if (bytes.size() < 8) {
        Fail(
            fmt::format("{}: {} bytes, shorter than a packet header", file.string(), bytes.size()));
    }
    Packet p;
    p.type = BigEndian32(bytes, 0);
    const std::uint32_t length = BigEndian32(bytes, 4);
    if (length != bytes.size() - 8) {
        Fail(fmt::format("{}: header says {} payload bytes, file holds {}", file.string(), length,
                         bytes.size() - 8));
    }
    p.payload.assign(bytes.begin() + 8, bytes.end());
    return p;
}

std::vector<std::vector<std::string>> MfscliText::Table(std::string_view title) const {
    std::vector<std::vector<std::string>> out;
    for (const auto& row : rows) {
        if (!row.empty() && row[0] == title) out.push_back(row);
    }
    return out;
}

std::map<std::string, std::string> MfscliText::KeyValues(std::string_view title) const {
    std::map<std::string, std::string> out;
    for (const auto& row : Table(title)) {
        if (row.size() != 3) {
            Fail(fmt::format("{}: '{}' row with {} fields, expected 3", path.string(), title,
                             row.size()));
        }
        if (!out.emplace(row[1], row[2]).second) {
            Fail(fmt::format("{}: '{}' repeats '{}'", path.string(), title, row[1]));
        }
    }
    return out;
}

MfscliText ReadMfscliText(const fs::path& file) {
    MfscliText out;
    out.path = file;
    const std::string text = ReadWholeFile(file);
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty()) {
            std::vector<std::string> fields;
            std::size_t f = 0;
            while (true) {
                const std::size_t tab = line.find('\t', f);
                fields.push_back(line.substr(f, tab == std::string::npos ? tab : tab - f));
                if (tab == std::string::npos) break;
                f = tab + 1;
            }
            out.rows.push_back(std::move(fields));
        }
        start = end + 1;
    }
    return out;
}

nlohmann::json ReadMfscliJson(const fs::path& file) {
    try {
        return nlohmann::json::parse(ReadWholeFile(file));
    } catch (const nlohmann::json::exception& e) {
        Fail(fmt::format("{}: {}", file.string(), e.what()));
    }
}

int JsonMatrixIndex(std::string_view label) {
    const auto plus = label.rfind('+');
    const std::string_view number = plus == std::string_view::npos ? label : label.substr(plus + 1);
    const auto value = ParseU64(number);
    if (value > 10) Fail(fmt::format("matrix label '{}' is beyond index 10", label));
    return static_cast<int>(value);
}

std::uint64_t ParseU64(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) {
        Fail(fmt::format("'{}' is not an unsigned decimal number", text));
    }
    return value;
}

std::uint64_t ParseFixed(std::string_view text, int decimals) {
    const auto dot = text.find('.');
    if (dot == std::string_view::npos ||
        text.size() - dot - 1 != static_cast<std::size_t>(decimals)) {
        Fail(fmt::format("'{}' does not have exactly {} decimals", text, decimals));
    }
    std::uint64_t scale = 1;
    for (int i = 0; i < decimals; ++i) scale *= 10;
    return ParseU64(text.substr(0, dot)) * scale + ParseU64(text.substr(dot + 1));
}

void CountComparison() {
    ++g_comparisons;
}

std::uint64_t ComparisonCount() {
    return g_comparisons;
}

void ExpectAnswersMatchManifest(std::string_view version, std::uint32_t type,
                                std::size_t expected) {
    SCOPED_TRACE(std::string(version));
    const auto found = FindMasterAnswers(version, type);
    ExpectFoundInManifest(found, ManifestAnswerLengths(version, type), expected);
}

void ExpectChunkserverAnswersMatchManifest(std::string_view version, std::uint32_t type,
                                           std::size_t expected) {
    SCOPED_TRACE(std::string(version));
    const auto found = FindChunkserverAnswers(version, type);
    ExpectFoundInManifest(found, ManifestLengths(version, type, false), expected);
}

}  // namespace mfsmon::test
