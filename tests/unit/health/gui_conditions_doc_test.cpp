// docs/gui-conditions.md maps every MooseFS GUI condition id (help.json, severity Error,
// Warning or Info) to the mfsmon code that covers it, or to a reason why none does. This test
// keeps that page and the code registry (src/health/codes.cpp) in step: every code the page
// names exists with the default the page gives, every GUI id the registry lists for a code is
// mapped to that code on the page, and every id the page maps to a code is listed by it.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cstddef>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "health/codes.h"

namespace mfsmon::health {
namespace {

constexpr std::string_view kDoc = MFSMON_DOCS_DIR "/gui-conditions.md";

// help.json (4.58.1, unchanged at 4.59.2) has 40 Error, 37 Warning and 30 Info ids.
constexpr std::size_t kGuiConditionIds = 107;

// The categories of a row without a code, as the page spells them.
const std::set<std::string> kNoCode = {"not applicable", "not covered yet", "long output only"};

struct Row {
    std::string gui_id;
    std::string gui_severity;
    std::string code;      // empty when the row has no code
    std::string category;  // "code" or one of kNoCode
    std::string default_severity;
};

std::string Trim(std::string_view s) {
    const auto b = s.find_first_not_of(' ');
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(' ');
    return std::string(s.substr(b, e - b + 1));
}

// "`x`" -> "x"; anything else -> "".
std::string Backticked(const std::string& cell) {
    if (cell.size() < 3 || cell.front() != '`' || cell.back() != '`') return {};
    const std::string inner = cell.substr(1, cell.size() - 2);
    return inner.find('`') == std::string::npos ? inner : std::string();
}

std::vector<std::string> SplitList(std::string_view list) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= list.size() && !list.empty()) {
        const auto comma = list.find(',', pos);
        const auto end = comma == std::string_view::npos ? list.size() : comma;
        out.push_back(Trim(list.substr(pos, end - pos)));
        if (comma == std::string_view::npos) break;
        pos = comma + 1;
    }
    return out;
}

std::string ReadDoc() {
    std::ifstream in{std::string(kDoc), std::ios::binary};
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The table rows: lines "| `id` | severity | what | code | default | notes |".
std::vector<Row> ParseRows(const std::string& doc, std::vector<std::string>& problems) {
    std::vector<Row> rows;
    std::istringstream lines(doc);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("| `", 0) != 0) continue;
        std::vector<std::string> cells;
        std::size_t pos = 1;
        while (pos < line.size()) {
            const auto bar = line.find('|', pos);
            if (bar == std::string::npos) break;
            cells.push_back(Trim(std::string_view(line).substr(pos, bar - pos)));
            pos = bar + 1;
        }
        if (cells.size() != 6) {
            problems.push_back("not 6 cells: " + line);
            continue;
        }
        Row r;
        r.gui_id = Backticked(cells[0]);
        r.gui_severity = cells[1];
        r.default_severity = cells[4];
        if (r.gui_id.empty()) problems.push_back("GUI id not in backticks: " + line);
        if (const std::string code = Backticked(cells[3]); !code.empty()) {
            r.code = code;
            r.category = "code";
        } else if (kNoCode.contains(cells[3])) {
            r.category = cells[3];
        } else {
            problems.push_back("mfsmon code cell is neither `code` nor a category: " + line);
            continue;
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

class GuiConditionsDoc : public ::testing::Test {
  protected:
    void SetUp() override {
        doc_ = ReadDoc();
        ASSERT_FALSE(doc_.empty()) << kDoc << " is missing or empty";
        std::vector<std::string> problems;
        rows_ = ParseRows(doc_, problems);
        for (const auto& p : problems) ADD_FAILURE() << p;
        for (const auto& r : rows_) by_id_.emplace(r.gui_id, &r);
    }

    std::string doc_;
    std::vector<Row> rows_;
    std::map<std::string, const Row*> by_id_;
};

TEST_F(GuiConditionsDoc, HasOneRowPerGuiConditionId) {
    EXPECT_EQ(rows_.size(), kGuiConditionIds);
    EXPECT_EQ(by_id_.size(), rows_.size()) << "a GUI id has more than one row";
    std::map<std::string, std::size_t> per_severity;
    for (const auto& r : rows_) {
        EXPECT_TRUE(r.gui_severity == "Error" || r.gui_severity == "Warning" ||
                    r.gui_severity == "Info")
            << r.gui_id << ": GUI severity " << r.gui_severity;
        ++per_severity[r.gui_severity];
    }
    EXPECT_EQ(per_severity["Error"], 40u);
    EXPECT_EQ(per_severity["Warning"], 37u);
    EXPECT_EQ(per_severity["Info"], 30u);
}

TEST_F(GuiConditionsDoc, EveryCodeNamedExistsWithItsDefault) {
    for (const auto& r : rows_) {
        if (r.code.empty()) {
            EXPECT_EQ(r.default_severity, "—") << r.gui_id << " has no code but a default";
            continue;
        }
        const CodeInfo* info = FindCode(r.code);
        if (info == nullptr) {
            ADD_FAILURE() << r.gui_id << ": code " << r.code << " is not in the registry";
            continue;
        }
        EXPECT_EQ(r.default_severity, StateName(info->severity))
            << r.gui_id << ": the page gives " << r.code << " the default " << r.default_severity;
    }
}

TEST_F(GuiConditionsDoc, EveryRegistryGuiIdIsMappedToItsCode) {
    for (const auto& c : Codes()) {
        for (std::string id : SplitList(c.gui_ids)) {
            const auto it = by_id_.find(id);
            if (it == by_id_.end()) {
                ADD_FAILURE() << c.code << " lists GUI id " << id << ", which has no row";
                continue;
            }
            EXPECT_EQ(it->second->code, c.code)
                << c.code << " lists GUI id " << id << ", which the page maps to "
                << (it->second->code.empty() ? it->second->category : it->second->code);
        }
    }
}

TEST_F(GuiConditionsDoc, EveryMappedIdIsListedByItsCode) {
    for (const auto& r : rows_) {
        if (r.code.empty()) continue;
        const CodeInfo* info = FindCode(r.code);
        if (info == nullptr) continue;  // reported by EveryCodeNamedExistsWithItsDefault
        bool listed = false;
        for (std::string id : SplitList(info->gui_ids)) {
            listed = listed || id == r.gui_id;
        }
        EXPECT_TRUE(listed) << "the page maps " << r.gui_id << " to " << r.code
                            << ", whose gui_ids do not list it";
    }
}

// The page's introduction counts the rows of each kind.
TEST_F(GuiConditionsDoc, IntroductionCountsMatchTheTable) {
    std::map<std::string, std::size_t> count;
    for (const auto& r : rows_) ++count[r.category];
    const std::pair<std::string, std::string> bullets[] = {
        {"code", "- a code: "},
        {"long output only", "- long output only: "},
        {"not applicable", "- not applicable: "},
        {"not covered yet", "- not covered yet: "},
    };
    for (const auto& [category, prefix] : bullets) {
        const auto at = doc_.find("\n" + prefix);
        ASSERT_NE(at, std::string::npos) << "no bullet " << prefix;
        const auto eol = doc_.find('\n', at + 1);
        const std::string bullet = doc_.substr(at + 1, eol - at - 1);
        // fmt, not "(" + to_string(..): GCC 12 -O3 warns falsely (-Wrestrict) on that.
        const std::string want = fmt::format("({} ids)", count[category]);
        EXPECT_NE(bullet.find(want), std::string::npos)
            << "bullet \"" << bullet << "\" should say " << want;
    }
}

}  // namespace
}  // namespace mfsmon::health
