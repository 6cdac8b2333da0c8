// `mfsmon status` and `mfsmon watch` text on recorded real cluster states: every section is
// there, the progress bar and the clause say what the trends say, colour only when asked,
// lines cut at the terminal's width and the screen cut at its height, hostile names made
// printable.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "health/recovery_trends.h"
#include "health/report.h"
#include "model/trend_sample_builder.h"
#include "recorded_snapshot.h"
#include "render/status_text.h"
#include "render/watch_screen.h"

namespace mfsmon::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::int64_t kT0 = 1796280000000;

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

std::size_t Columns(const std::string& line) {
    std::size_t n = 0;
    for (unsigned char c : line) n += (c & 0xC0) != 0x80;
    return n;
}

health::Report WarningReport() {
    health::Report r;
    r.state = health::State::kWarning;
    r.summary = "120 chunks below goal once disks marked for removal are taken out";
    health::Finding f;
    f.code = "replicas.marked_for_removal";
    f.severity = health::State::kWarning;
    f.text = r.summary;
    r.findings.push_back(f);
    return r;
}

// An evacuation 40% done: 200 -> 120 dependents at 2 per second.
health::RecoveryTrends Evacuating(const model::ClusterSnapshot& snap) {
    const auto base = model::BuildSample(model::InputsOf(snap, kT0));
    std::vector<model::TrendSample> previous;
    auto with = [&](std::int64_t t, std::uint64_t dependents) {
        model::TrendSample s = base;
        s.time_ms = t;
        for (auto& r : s.rows) {
            r.regular = r.all;
            if (r.row == 2) r.regular[model::ChunkClass::kEndangered] += dependents;
        }
        return s;
    };
    for (int i = 0; i < 10; ++i) previous.push_back(with(kT0 + i * 5000, 200 - 10 * i));
    return health::BuildRecoveryTrends(previous, with(kT0 + 50000, 100 + 20),
                                       model::RowMeaning::kGoal, {});
}

TEST(StatusText, HasEverySectionAndTheEvacuationsProgress) {
    const auto snap = RecordedSnapshot("3.0.117", "marked-for-removal");
    const auto trends = Evacuating(snap);
    ASSERT_GT(trends.marked.now, 0);
    const std::string text = render::RenderStatusText(snap, WarningReport(), trends, {});
    for (const char* section : {"cluster:", "services:", "data:", "progress:"}) {
        EXPECT_THAT(text, HasSubstr(section));
    }
    EXPECT_THAT(text, HasSubstr("HEALTH_WARN"));
    EXPECT_THAT(text, HasSubstr("MooseFS 3.0.117"));
    EXPECT_THAT(text, HasSubstr("evacuation ["));
    EXPECT_THAT(text, HasSubstr("120 left"));
    EXPECT_THAT(text, HasSubstr("evacuating 2/s"));
    EXPECT_THAT(text, Not(HasSubstr("\x1b[")));  // no colour unless asked
}

TEST(StatusText, ColourOnlyWhenAskedAndLinesFitTheWidth) {
    const auto snap = RecordedSnapshot("4.59.2", "marked-for-removal");
    const auto trends = Evacuating(snap);
    render::TextStyle style;
    style.color = true;
    style.width = 40;
    const std::string text = render::RenderStatusText(snap, WarningReport(), trends, style);
    EXPECT_THAT(text, HasSubstr("\x1b[33mHEALTH_WARN\x1b[0m"));
    style.color = false;
    for (const auto& line : Lines(render::RenderStatusText(snap, WarningReport(), trends, style))) {
        EXPECT_LE(Columns(line), 40u) << line;
    }
}

TEST(StatusText, WithoutHistorySaysSoInsteadOfABar) {
    const auto snap = RecordedSnapshot("3.0.117", "healthy");
    health::Report ok;
    ok.state = health::State::kOk;
    const std::string text = render::RenderStatusText(snap, ok, health::RecoveryTrends{}, {});
    EXPECT_THAT(text, HasSubstr("HEALTH_OK"));
    EXPECT_THAT(text, HasSubstr("history off"));
}

TEST(ProgressBar, FillsTheDoneShareAndSurvivesNonsense) {
    EXPECT_EQ(render::ProgressBar(0.5, 12, false), "[#####.....]");
    EXPECT_EQ(render::ProgressBar(0, 6, false), "[....]");
    EXPECT_EQ(render::ProgressBar(2.0, 6, false), "[####]");
    EXPECT_EQ(render::ProgressBar(-1, 6, false), "[....]");
    EXPECT_EQ(render::ProgressBar(0.0 / 0.0, 6, false), "[....]");
}

TEST(WatchScreen, ListsEachMarkedDiskWithItsReadinessAndTheDependentsTrend) {
    const auto snap = RecordedSnapshot("3.0.117", "marked-for-removal");
    const auto trends = Evacuating(snap);
    const std::string text =
        render::RenderWatchScreen(snap, WarningReport(), trends, render::TextStyle{}, 2);
    EXPECT_THAT(text, HasSubstr("disks marked for removal:"));
    EXPECT_THAT(text, HasSubstr("chunks on it"));
    EXPECT_THAT(text, HasSubstr("still depending"));
    EXPECT_THAT(text, HasSubstr("recovering"));
    EXPECT_THAT(text, HasSubstr("samples in memory: 11"));
}

TEST(WatchScreen, CutToRowsKeepsTheLastLineFreeAndSaysWhatWasCut) {
    std::string text;
    for (int i = 0; i < 30; ++i) text += "line " + std::to_string(i) + "\n";
    const auto lines = Lines(render::CutToRows(text, 10));
    ASSERT_EQ(lines.size(), 9u);
    EXPECT_EQ(lines[0], "line 0");
    EXPECT_THAT(lines[8], HasSubstr("22 more lines"));
    EXPECT_EQ(render::CutToRows(text, 0), text);
    EXPECT_EQ(render::CutToRows("a\nb\n", 10), "a\nb\n");
}

TEST(WatchScreen, AHostileMasterNameIsPrintable) {
    auto snap = RecordedSnapshot("3.0.117", "healthy");
    snap.master_host = "evil\x1b[2Jname";
    const std::string text = render::RenderWatchScreen(snap, WarningReport(), {}, {}, 2);
    EXPECT_THAT(text, Not(HasSubstr("\x1b[2J")));
}

}  // namespace
}  // namespace mfsmon::test
