#include "health/replicas_rule.h"

#include <algorithm>

#include <fmt/format.h>

namespace mfsmon::health {

namespace {

using model::ChunkClass;
using model::ClassCounts;
using model::kMatrixSize;

Range MustParse(std::string_view text) {
    return std::move(Range::Parse(text)).value();
}

// Wording of the classic check, kept so existing dashboards and habits still read right.
std::string DeficitText(ChunkClass c, std::uint64_t n, const std::string& row_label) {
    const char* chunks = n == 1 ? "chunk" : "chunks";
    switch (c) {
        case ChunkClass::kMissing:
            return fmt::format("{} {} of {} lost", n, chunks, row_label);
        case ChunkClass::kEndangered:
            return fmt::format("{} {} of {} endangered (one copy left)", n, chunks, row_label);
        default:
            return fmt::format("{} {} of {} lack replicas", n, chunks, row_label);
    }
}

std::string RowDetail(const ClassCounts& counts, int row, const std::string& label) {
    if (row == 0) {
        return fmt::format("{} (deleted files): {} pending deletion, {} to be removed", label,
                           counts[ChunkClass::kPendingDeletion],
                           counts[ChunkClass::kReadyToRemove]);
    }
    return fmt::format(
        "{}: {} chunks: {} missing, {} endangered, {} undergoal, {} stable, "
        "{} overgoal",
        label, counts.Total(), counts[ChunkClass::kMissing], counts[ChunkClass::kEndangered],
        counts[ChunkClass::kUndergoal], counts[ChunkClass::kStable], counts[ChunkClass::kOvergoal]);
}

Perfdatum Count(std::string label, std::uint64_t value, const Thresholds* t = nullptr) {
    Perfdatum p;
    p.label = std::move(label);
    p.value = static_cast<double>(value);
    p.min = 0;
    if (t != nullptr) {
        p.warning = t->warning;
        p.critical = t->critical;
    }
    return p;
}

}  // namespace

ReplicasThresholds ReplicasThresholds::Defaults() {
    ReplicasThresholds t;
    t.missing.critical = MustParse("0");
    t.endangered.critical = MustParse("0");
    t.undergoal.warning = MustParse("0");
    t.marked.warning = MustParse("0");
    return t;
}

std::string RowLabel(model::RowMeaning meaning, int row) {
    if (meaning == model::RowMeaning::kGoal) return fmt::format("goal {}", row);
    return fmt::format("redundancy level {}", row - 1);
}

std::string RowKey(model::RowMeaning meaning, int row) {
    if (meaning == model::RowMeaning::kGoal) return fmt::format("goal{}", row);
    return fmt::format("rl{}", row - 1);
}

Report EvaluateReplicas(const model::ReplicaSnapshot& snapshot,
                        const ReplicasThresholds& thresholds, const RecoveryTrends* trends,
                        const StallCauses& causes) {
    const auto& matrices = snapshot.matrices;
    const auto& all = matrices.combined.all;
    const auto& regular = matrices.combined.regular;
    const ClassCounts all_totals = model::Summarize(all);
    const ClassCounts regular_totals = model::Summarize(regular);

    Report report;
    report.state = State::kOk;

    // Each chunk sits in the same row of both matrices and has at most as many regular
    // copies as copies in all, so every chunk below goal in "all" is below goal in
    // "regular" too: the difference is exactly the chunks that are short only because of
    // disks marked for removal.
    const auto regular_only = [&](std::uint64_t regular_n, std::uint64_t all_n) {
        return regular_n > all_n ? regular_n - all_n : 0;
    };
    const std::uint64_t marked_dependent =
        regular_only(regular_totals.Deficient(), all_totals.Deficient());
    const std::uint64_t marked_sole_copy =
        regular_only(regular_totals[ChunkClass::kMissing], all_totals[ChunkClass::kMissing]);

    struct ClassRule {
        ChunkClass cls;
        const Thresholds* thresholds;
        const char* code;
    };
    const ClassRule rules[] = {
        {ChunkClass::kMissing, &thresholds.missing, "replicas.missing"},
        {ChunkClass::kEndangered, &thresholds.endangered, "replicas.endangered"},
        {ChunkClass::kUndergoal, &thresholds.undergoal, "replicas.undergoal"},
    };
    for (const auto& rule : rules) {
        const State state = rule.thresholds->Evaluate(static_cast<double>(all_totals[rule.cls]));
        report.state = Worst(report.state, state);
        for (int row = 1; row < kMatrixSize; ++row) {
            const std::uint64_t n = model::SummarizeRow(all, row)[rule.cls];
            if (n == 0) continue;
            report.findings.push_back(MakeFinding(
                rule.code, state, DeficitText(rule.cls, n, RowLabel(matrices.rows, row)), n, row));
        }
    }
    if (marked_dependent > 0 || thresholds.marked.Evaluate(0) != State::kOk) {
        const State state = thresholds.marked.Evaluate(static_cast<double>(marked_dependent));
        report.state = Worst(report.state, state);
        std::string text = fmt::format(
            "{} {} below goal once disks marked for removal are taken "
            "out",
            marked_dependent, marked_dependent == 1 ? "chunk" : "chunks");
        if (marked_sole_copy > 0) {
            text += fmt::format(" ({} with their only copy on a marked disk)", marked_sole_copy);
        }
        report.findings.push_back(
            MakeFinding("replicas.marked_for_removal", state, std::move(text), marked_dependent));
    }
    const std::string_view progress = model::ProgressText(matrices.progress);
    if (!progress.empty()) {
        report.findings.push_back(MakeFinding("replicas.counters_in_progress", State::kOk,
                                              std::string(progress), matrices.progress));
    }

    // The history's view: clauses on the findings above, stall findings, trend lines.
    std::vector<std::string> trend_details;
    std::vector<Perfdatum> trend_perfdata;
    if (trends != nullptr) {
        const std::size_t before = report.findings.size();
        AddRecoveryTrends(*trends, causes, report.findings, trend_details, trend_perfdata);
        for (std::size_t i = before; i < report.findings.size(); ++i) {
            report.state = Worst(report.state, report.findings[i].severity);
        }
    }

    // Summary: the findings that set the state, worst first; the classic "No errors" when
    // nothing is short.
    std::vector<const Finding*> shown;
    for (const auto& f : report.findings) {
        if (f.code != "replicas.counters_in_progress") shown.push_back(&f);
    }
    std::stable_sort(shown.begin(), shown.end(), [](const Finding* a, const Finding* b) {
        return Rank(a->severity) > Rank(b->severity);
    });
    std::string summary;
    for (const Finding* f : shown) {
        if (!summary.empty()) summary += ", ";
        summary += f->text;
    }
    if (summary.empty()) {
        summary = "No errors";
    } else if (report.state == State::kOk) {
        summary = "within thresholds: " + summary;
    }
    if (!progress.empty()) summary += fmt::format(" ({})", progress);
    report.summary = std::move(summary);

    // Long output: one line per row present, then the regular view when it differs.
    for (int row = 0; row < kMatrixSize; ++row) {
        if (model::RowTotal(all, row) == 0 && model::RowTotal(regular, row) == 0) continue;
        report.details.push_back(
            RowDetail(model::SummarizeRow(all, row), row, RowLabel(matrices.rows, row)));
    }
    if (regular_totals.counts != all_totals.counts) {
        report.details.push_back(fmt::format(
            "ignoring copies on disks marked for removal: {} missing, {} endangered, {} "
            "undergoal, {} stable, {} overgoal",
            regular_totals[ChunkClass::kMissing], regular_totals[ChunkClass::kEndangered],
            regular_totals[ChunkClass::kUndergoal], regular_totals[ChunkClass::kStable],
            regular_totals[ChunkClass::kOvergoal]));
    }
    if (!progress.empty()) {
        report.details.push_back(fmt::format("progress byte {}: {}", matrices.progress, progress));
    }
    for (auto& line : trend_details) report.details.push_back(std::move(line));

    // Perfdata: every class in total (thresholds where they are evaluated), then per row
    // present.
    for (int i = 0; i < model::kChunkClassCount; ++i) {
        const auto cls = static_cast<ChunkClass>(i);
        const Thresholds* t = nullptr;
        for (const auto& rule : rules) {
            if (rule.cls == cls) t = rule.thresholds;
        }
        report.perfdata.push_back(
            Count(std::string(model::ChunkClassKey(cls)), all_totals[cls], t));
    }
    report.perfdata.push_back(Count("marked_for_removal", marked_dependent, &thresholds.marked));
    for (int row = 0; row < kMatrixSize; ++row) {
        if (model::RowTotal(all, row) == 0) continue;
        const ClassCounts counts = model::SummarizeRow(all, row);
        const std::string key = RowKey(matrices.rows, row);
        if (row == 0) {
            for (auto cls : {ChunkClass::kPendingDeletion, ChunkClass::kReadyToRemove}) {
                report.perfdata.push_back(
                    Count(fmt::format("{}_{}", key, model::ChunkClassKey(cls)), counts[cls]));
            }
            continue;
        }
        for (auto cls : {ChunkClass::kMissing, ChunkClass::kEndangered, ChunkClass::kUndergoal,
                         ChunkClass::kStable, ChunkClass::kOvergoal}) {
            report.perfdata.push_back(
                Count(fmt::format("{}_{}", key, model::ChunkClassKey(cls)), counts[cls]));
        }
    }
    for (auto& p : trend_perfdata) report.perfdata.push_back(std::move(p));
    return report;
}

}  // namespace mfsmon::health
