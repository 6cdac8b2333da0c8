// DecodeSclassInfo against every recorded MATOCL_SCLASS_INFO answer to a full-definition
// request (3.0.117: empty request; 4.59.2: fver 5), compared class by class and state by state
// with what the same mfscli run printed (3.0.117 `-n -p` text, 4.59.2 `-j` JSON). The master
// version comes from the INFO answer recorded before the answer and the request form from the
// recorded request, as mfsmon would have them on that connection. Then synthetic cases: cuts,
// leftovers, lengths past the end, and the layout table's version ranges.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "decoder_test_support.h"
#include "fixture_loader.h"
#include "model/storage_class.h"
#include "protocol/command_ids.h"
#include "protocol/layout_table.h"
#include "protocol/sclass_info_decoder.h"

namespace mfsmon::test {
namespace {

using model::ClassLabel;
using model::ClassState;
using model::Fulfillable;
using model::StorageClass;
using model::StorageClasses;
using model::Version;
using protocol::ChooseRequest;
using protocol::Command;
using protocol::DecodeSclassInfo;
using protocol::kMatoclSclassInfo;
using protocol::RequestForm;

// 3.0.117: -SSC in the 7 states that recorded it (missing-files recorded only -SMF -SIL -SIN
// -SIC). 4.59.2: the same 7 -SSC answers (fver 5), plus the names-only answers (fver 128)
// that -SIC asks for in all 8 states; those are not this decoder's and are skipped.
constexpr std::size_t kV3SclassAnswers = 7;
constexpr std::size_t kV4FullAnswers = 7;
constexpr std::size_t kV4NamesOnlyAnswers = 8;

constexpr std::uint8_t kNamesOnlyRequest = 0x80;  // fver 128

// --- recordings --------------------------------------------------------------------------

// The form of a recorded request (the SCLASS_INFO request the answer replied to is the last
// one sent before it: RequestPayloadBefore); nullopt for the names-only request.
std::optional<RequestForm> FormOf(const std::vector<std::uint8_t>& request) {
    if (request == std::vector<std::uint8_t>{kNamesOnlyRequest}) return std::nullopt;
    return FormOfRequest(request, {RequestForm::kEmpty, RequestForm::kFver5});
}

// The recorded answers to a full-definition request.
std::vector<RecordedAnswer> FullAnswers(std::string_view version) {
    std::vector<RecordedAnswer> out;
    for (auto& rec : FindMasterAnswers(version, kMatoclSclassInfo)) {
        if (FormOf(RequestPayloadBefore(rec))) out.push_back(std::move(rec));
    }
    return out;
}

// For INSTANTIATE_TEST_SUITE_P, which runs before main; the count test fails loudly instead.
std::vector<RecordedAnswer> FullAnswersOrEmpty(std::string_view version) {
    return AnswersOrEmpty([&] { return FullAnswers(version); });
}

std::vector<std::uint8_t> HealthyPayload(std::string_view version) {
    return OnlyMasterAnswerPayload(version, "healthy", "SSC", kMatoclSclassInfo);
}

// --- mfscli's renderings (3.0.117 /usr/bin/mfscli and mfscli 4.x mfsscripts) ------------

std::uint32_t Be32(const std::vector<std::uint8_t>& b, std::size_t at) {
    return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
           (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}

// 3.x labelmasks_to_str: '*' when the first mask is 0, else each non-zero mask up to the first
// zero as its letters, joined by '+'.
std::string LabelMasksText(const std::vector<std::uint8_t>& expression) {
    if (expression.size() != model::kLabelMasksBytes3) return "BAD SIZE";
    if (Be32(expression, 0) == 0) return "*";
    std::string out;
    for (std::size_t m = 0; m < 4; ++m) {
        const std::uint32_t mask = Be32(expression, 4 * m);
        if (mask == 0) break;
        if (!out.empty()) out += '+';
        for (int bit = 0; bit < 26; ++bit) {
            if (mask & (1u << bit)) out += static_cast<char>('A' + bit);
        }
    }
    return out;
}

// 4.x labelexpr_to_str: the postfix expression back to infix.
std::string LabelExprText(const std::vector<std::uint8_t>& expression) {
    if (expression.size() != model::kLabelExprBytes4) return "BAD SIZE";
    if (expression[0] == 0) return "*";
    std::vector<std::pair<int, std::string>> stack;  // (precedence level, text)
    const auto combine = [&stack](int n, int level, const char* op) {
        if (static_cast<std::size_t>(n) > stack.size()) return false;
        std::string text;
        for (std::size_t i = stack.size() - n; i < stack.size(); ++i) {
            const auto& [l, s] = stack[i];
            if (!text.empty()) text += op;
            text += l > level ? "(" + s + ")" : s;
        }
        stack.resize(stack.size() - n);
        stack.emplace_back(level, text);
        return true;
    };
    for (const std::uint8_t t : expression) {
        if (t == 255) {
            stack.emplace_back(0, "*");
        } else if (t >= 192) {
            stack.emplace_back(0, std::string(1, static_cast<char>('A' + (t - 192))));
        } else if (t >= 128) {
            if (!combine(t - 128 + 2, 1, "&")) return "EXPR ERROR";
        } else if (t >= 64) {
            if (!combine(t - 64 + 2, 2, "|")) return "EXPR ERROR";
        } else if (t == 1) {
            if (stack.empty()) return "EXPR ERROR";
            auto [l, s] = stack.back();
            stack.back() = {0, l > 0 ? "~(" + s + ")" : "~" + s};
        } else if (t == 0) {
            break;
        } else {
            return "EXPR ERROR";
        }
    }
    return stack.size() == 1 ? stack[0].second : "EXPR ERROR";
}

std::string LabelText(const ClassLabel& label, bool four_x) {
    return four_x ? LabelExprText(label.expression) : LabelMasksText(label.expression);
}

// 3.0.117 plain mode: 3 YES, 2 OVERLOADED, 1 NO SPACE, anything else NO.
std::string CanText3(std::uint8_t raw) {
    return raw == 3 ? "YES" : raw == 2 ? "OVERLOADED" : raw == 1 ? "NO SPACE" : "NO";
}

std::string LabelsModeText(std::uint8_t mode) {
    return mode == 0 ? "LOOSE" : mode == 1 ? "STD" : "STRICT";
}

// A counter column of 3.0.117: '-' for 0 unless the column always shows its number.
std::string CounterText(std::uint64_t value, bool always) {
    return value == 0 && !always ? "-" : std::to_string(value);
}

// 4.x StorageClass.arch_mode_str.
std::string ArchModeText(std::uint8_t mode) {
    if (mode & 32) return "CHUNK";
    if (mode & 16) return "FAST";
    std::string out = "[";
    if (mode & 1) out += "C";
    if (mode & 2) out += "M";
    if (mode & 4) out += "A";
    out += "]TIME";
    out += (mode & 8) ? "/REVERSIBLE" : "/ONEWAY";
    return out;
}

// 4.x uniqmask_to_str (bit 26 = [IP], bit 27 = [RACK], else label letters with ranges).
std::string UniqmaskText(std::uint32_t mask) {
    if (mask == 0) return "-";
    if (mask & (1u << 26)) return "[IP]";
    if (mask & (1u << 27)) return "[RACK]";
    std::string out;
    bool in_range = false;
    for (int i = 0; i < 26; ++i) {
        if (mask & (1u << i)) {
            if (!in_range) {
                out += static_cast<char>('A' + i);
                if (i < 24 && ((mask >> i) & 7) == 7) in_range = true;
            }
        } else if (in_range) {
            out += '-';
            out += static_cast<char>('A' + i - 1);
            in_range = false;
        }
    }
    if (in_range) out += "-Z";
    return out;
}

// 4.x labellist_fold joined by ',': runs of equal labels become "<n><text>" ("2*").
std::string FoldedLabelsText(const ClassState& st) {
    std::string out;
    for (std::size_t i = 0; i < st.labels.size();) {
        std::size_t j = i + 1;
        while (j < st.labels.size() && st.labels[j].expression == st.labels[i].expression &&
               st.labels[j].matching_servers == st.labels[i].matching_servers) {
            ++j;
        }
        if (!out.empty()) out += ',';
        if (j - i > 1) out += std::to_string(j - i);
        out += LabelExprText(st.labels[i].expression);
        i = j;
    }
    return out;
}

// --- checks shared by both versions -------------------------------------------------------

// What every decoded class must satisfy, whatever mfscli printed.
void CheckShape(const StorageClass& c, bool four_x) {
    SCOPED_TRACE("class id " + std::to_string(c.id));
    EXPECT_TRUE(c.create.present);
    EXPECT_TRUE(c.keep.present);
    EXPECT_TRUE(c.archive.present);
    EXPECT_EQ(c.trash.present, four_x);
    for (const ClassState* st : {&c.create, &c.keep, &c.archive, &c.trash}) {
        EXPECT_EQ(st->labels.size(), st->labels_count);
        for (const auto& label : st->labels) {
            EXPECT_EQ(label.expression.size(),
                      four_x ? model::kLabelExprBytes4 : model::kLabelMasksBytes3);
            // '*' in mfscli's rendering is exactly what any_server() says.
            EXPECT_EQ(label.any_server(), LabelText(label, four_x) == "*");
        }
        EXPECT_EQ(st->fulfillable() == Fulfillable::kUnknown, st->can_be_fulfilled_raw > 4);
    }
    EXPECT_EQ(c.in_use(), c.files > 0 || c.dirs > 0);
    if (!four_x) {
        for (const ClassState* st : {&c.create, &c.keep, &c.archive, &c.trash}) {
            EXPECT_EQ(st->ec_level, 0);
            EXPECT_EQ(st->uniqmask, 0u);
            EXPECT_EQ(st->labels_mode, model::kLabelsModeClassDefault);
        }
        EXPECT_TRUE(c.trash.labels.empty());
        EXPECT_TRUE(c.description.empty());
        EXPECT_EQ(c.labels_mode, c.mode);
        EXPECT_EQ(c.priority, 0u);
        EXPECT_EQ(c.arch_delay_hours, 0);
        for (const auto* counts : {&c.keep_counts, &c.archive_counts, &c.trash_counts}) {
            EXPECT_EQ(counts->under_ec + counts->exact_ec + counts->over_ec, 0u);
        }
        EXPECT_EQ(c.trash_counts.under_copy + c.trash_counts.exact_copy + c.trash_counts.over_copy,
                  0u);
    } else {
        EXPECT_EQ(c.mode, 0);
        EXPECT_EQ(c.arch_delay, 0);
    }
}

// --- 3.0.117 ---------------------------------------------------------------------------------

// One `storage classes:` line: the title, then 22 columns (mfscli -SSC plain mode).
enum Col3 {
    kId = 1,
    kName,
    kAdmin,
    kMode,
    kFiles,
    kDirs,
    kStdUnder,
    kStdExact,
    kStdOver,
    kArchUnder,
    kArchExact,
    kArchOver,
    kCreateCan,
    kCreateCount,
    kCreateLabels,
    kKeepCan,
    kKeepCount,
    kKeepLabels,
    kArchCan,
    kArchCount,
    kArchLabels,
    kDelay,
    kColumns3,
};

// The can-be-fulfilled word, label count and label list of one state, as mfscli prints them.
void CheckState3(const ClassState& st, const std::vector<std::string>& f, int can, int count,
                 int labels) {
    EXPECT_FIELD_EQ(CanText3(st.can_be_fulfilled_raw), f[can]);
    EXPECT_FIELD_EQ(std::to_string(st.labels.size()), f[count]);
    std::string text;
    for (const auto& label : st.labels) {
        if (!text.empty()) text += " , ";
        text += LabelMasksText(label.expression);
    }
    EXPECT_FIELD_EQ(text, f[labels]);
}

void CheckV3(const RecordedAnswer& rec, const StorageClasses& out) {
    const auto text = ReadMfscliText(rec.option_dir / "mfscli.txt");
    std::map<std::uint64_t, std::vector<std::string>> rows;
    for (const auto& f : text.Table("storage classes:")) {
        ASSERT_EQ(f.size(), static_cast<std::size_t>(kColumns3)) << text.path.string();
        ASSERT_TRUE(rows.emplace(ParseU64(f[kId]), f).second) << "class printed twice";
    }
    EXPECT_FIELD_EQ(out.classes.size(), rows.size());

    for (const StorageClass& c : out.classes) {
        SCOPED_TRACE("class id " + std::to_string(c.id));
        CheckShape(c, false);
        const auto it = rows.find(c.id);
        ASSERT_NE(it, rows.end()) << "mfscli printed no line for this class";
        const auto& f = it->second;
        EXPECT_FIELD_EQ(c.name, f[kName]);
        EXPECT_FIELD_EQ(c.admin_only ? "YES" : "NO", f[kAdmin]);
        EXPECT_FIELD_EQ(LabelsModeText(c.mode), f[kMode]);
        EXPECT_FIELD_EQ(std::uint64_t{c.files}, ParseU64(f[kFiles]));
        EXPECT_FIELD_EQ(std::uint64_t{c.dirs}, ParseU64(f[kDirs]));

        // With no archive delay mfscli adds the archived-chunk counters to the standard ones
        // and prints '-' for the archive columns.
        const bool merged = c.arch_delay == 0;
        const auto& k = c.keep_counts;
        const auto& a = c.archive_counts;
        EXPECT_FIELD_EQ(CounterText(k.under_copy + (merged ? a.under_copy : 0), false),
                        f[kStdUnder]);
        EXPECT_FIELD_EQ(CounterText(k.exact_copy + (merged ? a.exact_copy : 0), true),
                        f[kStdExact]);
        EXPECT_FIELD_EQ(CounterText(k.over_copy + (merged ? a.over_copy : 0), false), f[kStdOver]);
        EXPECT_FIELD_EQ(merged ? "-" : CounterText(a.under_copy, false), f[kArchUnder]);
        EXPECT_FIELD_EQ(merged ? "-" : CounterText(a.exact_copy, true), f[kArchExact]);
        EXPECT_FIELD_EQ(merged ? "-" : CounterText(a.over_copy, false), f[kArchOver]);

        CheckState3(c.create, f, kCreateCan, kCreateCount, kCreateLabels);
        CheckState3(c.keep, f, kKeepCan, kKeepCount, kKeepLabels);
        CheckState3(c.archive, f, kArchCan, kArchCount, kArchLabels);
        EXPECT_FIELD_EQ(c.arch_delay > 0 ? std::to_string(c.arch_delay) + "d" : "-", f[kDelay]);

        // The predefined classes 1..9 keep `id` copies, all '*'; a '*' label matches every
        // connected server, so its matching count is allservers (not printed in plain mode).
        EXPECT_EQ(c.keep.TargetText(), std::to_string(c.id) + (c.id == 1 ? " copy" : " copies"));
        for (const auto& label : c.keep.labels) {
            if (label.any_server()) {
                EXPECT_EQ(label.matching_servers, out.all_servers);
            }
        }
    }
}

// --- 4.59.2 ----------------------------------------------------------------------------------

// mfscli shows CREATE only when it has labels, KEEP always, ARCHIVE and TRASH when they have
// labels or an EC level.
std::set<std::string> ShownStates(const StorageClass& c) {
    std::set<std::string> out = {"keep"};
    if (c.create.labels_count > 0) out.insert("create");
    if (c.archive.labels_count > 0 || c.archive.ec_level > 0) out.insert("arch");
    if (c.trash.labels_count > 0 || c.trash.ec_level > 0) out.insert("trash");
    return out;
}

void CheckStateV4(const StorageClass& c, const std::string& name, const ClassState& st,
                  const model::ChunkCounts* counts, std::uint16_t all_servers,
                  const nlohmann::json& j) {
    SCOPED_TRACE("state " + name);
    const std::set<std::string> known = {
        "chunks_undergoal_copy", "chunks_undergoal_ec",  "chunks_exactgoal_copy",
        "chunks_exactgoal_ec",   "chunks_overgoal_copy", "chunks_overgoal_ec",
        "can_be_fulfilled",      "can_be_fulfilled_str", "ec_data_parts",
        "ec_chksum_parts",       "full_copies",          "redundancy_level_str",
        "labels_list",           "labels_str",           "uniqmask",
        "uniqmask_str",          "labels_mode",          "labels_mode_str"};
    for (const auto& [key, value] : j.items()) {
        EXPECT_TRUE(known.count(key))
            << "mfscli printed " << name << "." << key << ", which this test does not check";
    }
    if (counts == nullptr) {
        // CREATE has no counters of its own; mfscli prints null for them.
        for (const char* key : {"chunks_undergoal_copy", "chunks_exactgoal_copy"}) {
            EXPECT_TRUE(j.at(key).is_null()) << key;
        }
    } else {
        EXPECT_FIELD_EQ(counts->under_copy, j.at("chunks_undergoal_copy").get<std::uint64_t>());
        EXPECT_FIELD_EQ(counts->under_ec, j.at("chunks_undergoal_ec").get<std::uint64_t>());
        EXPECT_FIELD_EQ(counts->exact_copy, j.at("chunks_exactgoal_copy").get<std::uint64_t>());
        EXPECT_FIELD_EQ(counts->exact_ec, j.at("chunks_exactgoal_ec").get<std::uint64_t>());
        EXPECT_FIELD_EQ(counts->over_copy, j.at("chunks_overgoal_copy").get<std::uint64_t>());
        EXPECT_FIELD_EQ(counts->over_ec, j.at("chunks_overgoal_ec").get<std::uint64_t>());
    }
    EXPECT_FIELD_EQ(int{st.can_be_fulfilled_raw}, j.at("can_be_fulfilled").get<int>());
    EXPECT_FIELD_EQ(std::string(model::FulfillableName(st.fulfillable())),
                    j.at("can_be_fulfilled_str").get<std::string>());
    EXPECT_FIELD_EQ(st.ec_data_parts(), j.at("ec_data_parts").get<int>());
    EXPECT_FIELD_EQ(st.ec_checksum_parts(), j.at("ec_chksum_parts").get<int>());
    EXPECT_FIELD_EQ(st.is_ec() ? 0 : int{st.labels_count}, j.at("full_copies").get<int>());
    const auto redundancy = j.at("redundancy_level_str").get<std::string>();
    if (st.is_ec()) {
        EXPECT_FIELD_EQ(st.TargetText(), redundancy);
    } else {
        EXPECT_FIELD_EQ("COPIES: " + std::to_string(st.labels_count) + " (1+" +
                            std::to_string(st.labels_count - 1) + ")",
                        redundancy);
    }
    const auto& labels = j.at("labels_list");
    ASSERT_EQ(labels.size(), st.labels.size());
    for (std::size_t i = 0; i < st.labels.size(); ++i) {
        SCOPED_TRACE("label " + std::to_string(i));
        EXPECT_EQ(labels[i].size(), 3u);
        EXPECT_FIELD_EQ(LabelExprText(st.labels[i].expression),
                        labels[i].at("definition").get<std::string>());
        EXPECT_FIELD_EQ(st.labels[i].matching_servers,
                        labels[i].at("matching_servers").get<std::uint16_t>());
        EXPECT_FIELD_EQ(all_servers, labels[i].at("available_servers").get<std::uint16_t>());
    }
    EXPECT_FIELD_EQ(FoldedLabelsText(st), j.at("labels_str").get<std::string>());
    EXPECT_FIELD_EQ(st.uniqmask, j.at("uniqmask").get<std::uint32_t>());
    EXPECT_FIELD_EQ(UniqmaskText(st.uniqmask), j.at("uniqmask_str").get<std::string>());
    EXPECT_FIELD_EQ(int{st.labels_mode}, j.at("labels_mode").get<int>());
    EXPECT_FIELD_EQ(LabelsModeText(st.labels_mode <= 2 ? st.labels_mode : c.labels_mode),
                    j.at("labels_mode_str").get<std::string>());
}

void CheckV4(const RecordedAnswer& rec, const StorageClasses& out) {
    const auto json = ReadMfscliJson(rec.option_dir / "mfscli.json");
    const auto& dataset = json.at("dataset");
    EXPECT_EQ(dataset.size(), 1u);
    std::map<std::uint64_t, nlohmann::json> printed;
    for (const auto& j : dataset.at("storage_classes")) {
        ASSERT_TRUE(printed.emplace(j.at("sclassid").get<std::uint64_t>(), j).second)
            << "class printed twice";
    }
    EXPECT_FIELD_EQ(out.classes.size(), printed.size());

    // Formatting of a raw value compared below whose 4.59.2 formatter is not at hand (the
    // upstream hours_to_str prints 24 h as "1d", 4.59.2 printed "24h"): checked only for the
    // '-' that stands for "none".
    const std::set<std::string> formatted = {"arch_delay_str", "arch_min_size_human",
                                             "min_trashretention_str"};
    const std::set<std::string> known = {
        "sclassid",           "sclassname",    "sclassdesc",  "priority",
        "export_group",       "admin_only",    "labels_mode", "labels_mode_str",
        "arch_mode",          "arch_mode_str", "arch_delay",  "arch_min_size",
        "min_trashretention", "files",         "dirs",        "storage_modes"};

    for (const StorageClass& c : out.classes) {
        SCOPED_TRACE("class id " + std::to_string(c.id));
        CheckShape(c, true);
        const auto it = printed.find(c.id);
        ASSERT_NE(it, printed.end()) << "mfscli printed no entry for this class";
        const auto& j = it->second;
        for (const auto& [key, value] : j.items()) {
            EXPECT_TRUE(known.count(key) || formatted.count(key))
                << "mfscli printed " << key << ", which this test does not check";
        }
        EXPECT_FIELD_EQ(c.name, j.at("sclassname").get<std::string>());
        EXPECT_FIELD_EQ(c.description, j.at("sclassdesc").get<std::string>());
        EXPECT_FIELD_EQ(c.priority, j.at("priority").get<std::uint32_t>());
        EXPECT_FIELD_EQ(int{c.export_group}, j.at("export_group").get<int>());
        EXPECT_FIELD_EQ(c.admin_only, j.at("admin_only").get<bool>());
        EXPECT_FIELD_EQ(int{c.labels_mode}, j.at("labels_mode").get<int>());
        EXPECT_FIELD_EQ(LabelsModeText(c.labels_mode), j.at("labels_mode_str").get<std::string>());
        EXPECT_FIELD_EQ(int{c.arch_mode}, j.at("arch_mode").get<int>());
        EXPECT_FIELD_EQ(ArchModeText(c.arch_mode), j.at("arch_mode_str").get<std::string>());
        EXPECT_FIELD_EQ(c.arch_delay_hours, j.at("arch_delay").get<std::uint16_t>());
        EXPECT_FIELD_EQ(c.arch_min_size, j.at("arch_min_size").get<std::uint64_t>());
        EXPECT_FIELD_EQ(c.min_trash_retention_hours,
                        j.at("min_trashretention").get<std::uint16_t>());
        EXPECT_FIELD_EQ(std::uint64_t{c.files}, j.at("files").get<std::uint64_t>());
        EXPECT_FIELD_EQ(std::uint64_t{c.dirs}, j.at("dirs").get<std::uint64_t>());
        // No delay (or FAST mode, which ignores it) is '-'; a delay is some text that is not.
        const bool no_delay = c.arch_delay_hours == 0 || (c.arch_mode & 16) != 0;
        EXPECT_FIELD_EQ(no_delay, j.at("arch_delay_str").get<std::string>() == "-");
        EXPECT_FIELD_EQ(c.min_trash_retention_hours == 0,
                        j.at("min_trashretention_str").get<std::string>() == "-");

        const auto& modes = j.at("storage_modes");
        std::set<std::string> shown;
        for (const auto& [key, value] : modes.items()) shown.insert(key);
        EXPECT_FIELD_EQ(shown, ShownStates(c));
        const std::pair<const char*, std::pair<const ClassState*, const model::ChunkCounts*>>
            states[] = {{"create", {&c.create, nullptr}},
                        {"keep", {&c.keep, &c.keep_counts}},
                        {"arch", {&c.archive, &c.archive_counts}},
                        {"trash", {&c.trash, &c.trash_counts}}};
        for (const auto& [name, st] : states) {
            if (modes.contains(name)) {
                CheckStateV4(c, name, *st.first, st.second, out.all_servers, modes.at(name));
            }
        }
    }
}

// --- every recorded answer -------------------------------------------------------------------

TEST(SclassRecordings, EveryAnswerIsFoundAndListedInTheManifests) {
    ExpectAnswersMatchManifest(kV3, kMatoclSclassInfo, kV3SclassAnswers);
    ExpectAnswersMatchManifest(kV4, kMatoclSclassInfo, kV4FullAnswers + kV4NamesOnlyAnswers);
    EXPECT_EQ(FullAnswers(kV3).size(), kV3SclassAnswers);
    const auto full4 = FullAnswers(kV4);
    EXPECT_EQ(full4.size(), kV4FullAnswers);
    // The full answers are exactly the -SSC runs; the names-only ones are -SIC's.
    for (const auto& rec : full4) EXPECT_EQ(rec.option, "SSC") << rec.Label();
}

class RecordedSclass : public RecordedAnswerTest {};

TEST_P(RecordedSclass, MatchesWhatMfscliPrinted) {
    const RecordedAnswer& rec = GetParam();
    ASSERT_NO_FATAL_FAILURE(ReadAnswer(kMatoclSclassInfo));
    const auto form = FormOf(RequestPayloadBefore(rec));
    ASSERT_TRUE(form.has_value());
    // What mfscli sent is what mfsmon would send.
    ASSERT_NO_FATAL_FAILURE(ExpectSameRequestAsMfscli(Command::kSclassInfo, *form));

    const auto out = DecodeSclassInfo(packet.payload, master, *form);
    ASSERT_TRUE(out.ok()) << out.error().message;
    if (rec.version == kV3) {
        CheckV3(rec, *out);
    } else {
        CheckV4(rec, *out);
    }
}

MFSMON_INSTANTIATE_RECORDED(RecordedSclass, FullAnswersOrEmpty);

// --- synthetic cases on real bytes -------------------------------------------------------------

struct Case {
    std::string_view version;
    Version master;
    RequestForm form;
    bool four_x;
};
const Case kCases[] = {{kV3, kVersion3, RequestForm::kEmpty, false},
                       {kV4, kVersion4, RequestForm::kFver5, true}};

// Where each record of a decoded answer starts and ends, from the decoded sizes.
std::vector<std::size_t> RecordEnds(const StorageClasses& out, bool four_x) {
    std::vector<std::size_t> ends = {2};
    for (const auto& c : out.classes) {
        const std::size_t labels = std::size_t{c.create.labels_count} + c.keep.labels_count +
                                   c.archive.labels_count + c.trash.labels_count;
        const std::size_t size =
            four_x ? 2 + c.name.size() + 1 + c.description.size() + 202 + labels * 130
                   : 2 + c.name.size() + 66 + labels * 18;
        ends.push_back(ends.back() + size);
    }
    return ends;
}

TEST(SclassInfoDecoder, RecordsTileTheRecordedAnswers) {
    for (const auto& k : kCases) {
        SCOPED_TRACE(std::string(k.version));
        const auto payload = HealthyPayload(k.version);
        const auto out = DecodeSclassInfo(payload, k.master, k.form);
        ASSERT_TRUE(out.ok()) << out.error().message;
        EXPECT_EQ(out->classes.size(), k.four_x ? 6u : 9u);
        EXPECT_EQ(RecordEnds(*out, k.four_x).back(), payload.size());
    }
}

// A cut at a record boundary is a shorter but valid answer (fewer classes); a cut anywhere
// else is an error that names the record being read.
TEST(SclassInfoDecoder, EveryCutIsAnErrorButAtRecordBoundaries) {
    for (const auto& k : kCases) {
        SCOPED_TRACE(std::string(k.version));
        const auto payload = HealthyPayload(k.version);
        const auto full = DecodeSclassInfo(payload, k.master, k.form);
        ASSERT_TRUE(full.ok()) << full.error().message;
        const auto ends = RecordEnds(*full, k.four_x);
        for (std::size_t n = 0; n < payload.size(); ++n) {
            const auto r = DecodeSclassInfo(std::span(payload).first(n), k.master, k.form);
            const auto at = std::find(ends.begin(), ends.end(), n);
            if (at != ends.end()) {
                ASSERT_TRUE(r.ok()) << n << ": " << r.error().message;
                const auto count = static_cast<std::size_t>(at - ends.begin());
                ASSERT_EQ(r->classes.size(), count);
                for (std::size_t i = 0; i < count; ++i) {
                    EXPECT_EQ(r->classes[i].id, full->classes[i].id);
                    EXPECT_EQ(r->classes[i].name, full->classes[i].name);
                }
                continue;
            }
            ASSERT_FALSE(r.ok()) << "a " << n << "-byte prefix decoded";
            EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
            EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
            EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_SCLASS_INFO", std::to_string(n)}))
                << r.error().message;
            if (n >= 2) {
                // The record being cut is the one after the last boundary below n.
                const auto index = static_cast<std::size_t>(
                    std::upper_bound(ends.begin(), ends.end(), n) - ends.begin());
                EXPECT_TRUE(MentionsAll(r.error(), {"class #" + std::to_string(index)}))
                    << r.error().message;
            }
        }
    }
}

TEST(SclassInfoDecoder, OneExtraByteIsAnError) {
    for (const auto& k : kCases) {
        auto payload = HealthyPayload(k.version);
        payload.push_back(7);
        const auto r = DecodeSclassInfo(payload, k.master, k.form);
        ASSERT_FALSE(r.ok()) << k.version;
        EXPECT_TRUE(MentionsAll(
            r.error(), {"MATOCL_SCLASS_INFO", k.four_x ? "class #7" : "class #10", "left over"}))
            << r.error().message;
    }
}

TEST(SclassInfoDecoder, NameLengthPastTheEndIsAnError) {
    for (const auto& k : kCases) {
        // allservers 6; class id 9 whose name claims 200 bytes but has 2.
        const std::vector<std::uint8_t> payload = {0, 6, 9, 200, 'a', 'b'};
        const auto r = DecodeSclassInfo(payload, k.master, k.form);
        ASSERT_FALSE(r.ok()) << k.version;
        EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
        EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_SCLASS_INFO", "class #1 (id 9)",
                                            "name of 200 bytes", "2 bytes left"}))
            << r.error().message;
    }
}

TEST(SclassInfoDecoder, DescriptionPastTheEndIsAnError) {
    const std::vector<std::uint8_t> payload = {0, 6, 4, 2, 'E', 'C', 50, 'x'};
    const auto r = DecodeSclassInfo(payload, kVersion4, RequestForm::kFver5);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(MentionsAll(r.error(), {"class #1 (id 4)", "description of 50 bytes"}))
        << r.error().message;
}

TEST(SclassInfoDecoder, FixedPartPastTheEndIsAnError) {
    for (const auto& k : kCases) {
        std::vector<std::uint8_t> payload = {0, 6, 3, 1, 'x'};
        if (k.four_x) payload.push_back(0);  // empty description
        payload.resize(payload.size() + 10);
        const auto r = DecodeSclassInfo(payload, k.master, k.form);
        ASSERT_FALSE(r.ok()) << k.version;
        EXPECT_TRUE(MentionsAll(r.error(), {"class #1 (id 3)", k.four_x ? "202-byte" : "66-byte",
                                            "fixed part", "10 bytes left"}))
            << r.error().message;
    }
}

// Offset of the last record's KEEP labelscnt byte in a healthy answer.
std::size_t LastKeepCountOffset(const StorageClasses& out, const Case& k) {
    const auto ends = RecordEnds(out, k.four_x);
    const auto& last = out.classes.back();
    const std::size_t start = ends[ends.size() - 2];
    return k.four_x ? start + 2 + last.name.size() + 1 + last.description.size() + 179 + 1
                    : start + 2 + last.name.size() + 60 + 2 + 1;
}

TEST(SclassInfoDecoder, LabelsPastTheEndAreAnError) {
    for (const auto& k : kCases) {
        SCOPED_TRACE(std::string(k.version));
        auto payload = HealthyPayload(k.version);
        const auto full = DecodeSclassInfo(payload, k.master, k.form);
        ASSERT_TRUE(full.ok()) << full.error().message;
        const auto at = LastKeepCountOffset(*full, k);
        ASSERT_EQ(payload[at], full->classes.back().keep.labels_count);
        payload[at] += 1;  // one label more than the record holds
        const auto r = DecodeSclassInfo(payload, k.master, k.form);
        ASSERT_FALSE(r.ok());
        const auto& last = full->classes.back();
        EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_SCLASS_INFO",
                                            "class #" + std::to_string(full->classes.size()) +
                                                " (id " + std::to_string(last.id) + ")",
                                            "labels run past the end",
                                            std::to_string(last.keep.labels_count + 1) + " keep"}))
            << r.error().message;

        // One label fewer leaves a label's bytes over, which are no class record.
        payload[at] -= 2;
        const auto fewer = DecodeSclassInfo(payload, k.master, k.form);
        ASSERT_FALSE(fewer.ok());
        EXPECT_TRUE(
            MentionsAll(fewer.error(), {"class #" + std::to_string(full->classes.size() + 1)}))
            << fewer.error().message;
    }
}

TEST(SclassInfoDecoder, ZeroClassesIsAValue) {
    for (const auto& k : kCases) {
        const std::vector<std::uint8_t> payload = {0x01, 0x02};
        const auto r = DecodeSclassInfo(payload, k.master, k.form);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->all_servers, 0x0102);
        EXPECT_TRUE(r->classes.empty());
    }
}

TEST(SclassInfoDecoder, NoAllserversHeadIsAnError) {
    for (const auto& k : kCases) {
        for (const std::vector<std::uint8_t>& payload :
             {std::vector<std::uint8_t>{}, std::vector<std::uint8_t>{0}}) {
            const auto r = DecodeSclassInfo(payload, k.master, k.form);
            ASSERT_FALSE(r.ok());
            EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_SCLASS_INFO", "allservers"}))
                << r.error().message;
        }
    }
}

// The form is part of the key: the empty request is 3.x's, and a 4.x master answers fver 5.
TEST(SclassInfoDecoder, RequestFormMustMatchTheMasterVersion) {
    for (const auto version : {kV3, kV4}) {
        const auto payload = HealthyPayload(version);
        const auto empty_on_4 = DecodeSclassInfo(payload, kVersion4, RequestForm::kEmpty);
        ASSERT_FALSE(empty_on_4.ok());
        EXPECT_EQ(empty_on_4.error().kind, ErrorKind::kProtocol);
        EXPECT_TRUE(MentionsAll(empty_on_4.error(), {"MATOCL_SCLASS_INFO", "empty", "4.59.2"}))
            << empty_on_4.error().message;
        const auto fver5_on_3 = DecodeSclassInfo(payload, kVersion3, RequestForm::kFver5);
        ASSERT_FALSE(fver5_on_3.ok());
        EXPECT_TRUE(MentionsAll(fver5_on_3.error(), {"MATOCL_SCLASS_INFO", "fver 5", "3.0.117"}))
            << fver5_on_3.error().message;
    }
}

// Both ends of each SCLASS_INFO rule of the layout table, and the versions just outside.
TEST(SclassInfoDecoder, LayoutRuleRangesAtBothEnds) {
    struct Row {
        Version master;
        std::optional<RequestForm> chosen;  // nullopt: no request form known
        std::string_view payload_version;
        const char* shown;
    };
    const Row rows[] = {
        {{3, 0, 74, false}, std::nullopt, kV3, "3.0.74"},
        {{3, 0, 75, false}, RequestForm::kEmpty, kV3, "3.0.75"},
        {{3, 255, 255, false}, RequestForm::kEmpty, kV3, "3.255.255"},
        {{4, 0, 0, false}, std::nullopt, kV3, "4.0.0"},
        {{4, 56, 255, false}, std::nullopt, kV4, "4.56.255"},
        {{4, 56, 0, false}, std::nullopt, kV4, "4.56.0"},
        {{4, 57, 0, false}, RequestForm::kFver5, kV4, "4.57.0"},
        {{4, 255, 255, false}, RequestForm::kFver5, kV4, "4.255.255"},
        {{5, 0, 0, false}, std::nullopt, kV4, "5.0.0"},
    };
    for (const auto& row : rows) {
        SCOPED_TRACE(row.shown);
        const auto chosen = ChooseRequest(Command::kSclassInfo, row.master);
        EXPECT_EQ(chosen.ok(), row.chosen.has_value());
        const auto payload = HealthyPayload(row.payload_version);
        if (row.chosen) {
            ASSERT_TRUE(chosen.ok());
            EXPECT_EQ(*chosen, *row.chosen);
            const auto r = DecodeSclassInfo(payload, row.master, *row.chosen);
            ASSERT_TRUE(r.ok()) << r.error().message;
            EXPECT_EQ(r->classes.size(), row.payload_version == kV3 ? 9u : 6u);
            continue;
        }
        // No rule covers the version: an error value whatever the form.
        for (const auto form : {RequestForm::kEmpty, RequestForm::kFver5}) {
            const auto r = DecodeSclassInfo(payload, row.master, form);
            ASSERT_FALSE(r.ok());
            EXPECT_EQ(r.error().kind, ErrorKind::kProtocol);
            EXPECT_TRUE(MentionsAll(r.error(), {"MATOCL_SCLASS_INFO", row.shown}))
                << r.error().message;
        }
    }
}

TEST(SclassInfoDecoder, UnknownCanBeFulfilledKeepsTheRawByte) {
    const Case& k = kCases[1];
    auto payload = HealthyPayload(k.version);
    const auto full = DecodeSclassInfo(payload, k.master, k.form);
    ASSERT_TRUE(full.ok()) << full.error().message;
    const auto at = LastKeepCountOffset(*full, k) - 1;  // KEEP can_be_fulfilled
    ASSERT_EQ(payload[at], full->classes.back().keep.can_be_fulfilled_raw);
    payload[at] = 9;
    const auto r = DecodeSclassInfo(payload, k.master, k.form);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->classes.back().keep.can_be_fulfilled_raw, 9);
    EXPECT_EQ(r->classes.back().keep.fulfillable(), Fulfillable::kUnknown);
    EXPECT_EQ(model::FulfillableName(Fulfillable::kUnknown), "UNKNOWN");
}

// --- the model's helpers -------------------------------------------------------------------

TEST(StorageClassModel, FulfillableWireValues) {
    EXPECT_EQ(model::FulfillableFromWire(0), Fulfillable::kNo);
    EXPECT_EQ(model::FulfillableFromWire(1), Fulfillable::kNoSpace);
    EXPECT_EQ(model::FulfillableFromWire(2), Fulfillable::kOverloaded);
    EXPECT_EQ(model::FulfillableFromWire(3), Fulfillable::kYes);
    EXPECT_EQ(model::FulfillableFromWire(4), Fulfillable::kEcOnHold);
    EXPECT_EQ(model::FulfillableFromWire(5), Fulfillable::kUnknown);
    EXPECT_EQ(model::FulfillableFromWire(255), Fulfillable::kUnknown);
    EXPECT_EQ(model::FulfillableName(Fulfillable::kNoSpace), "NO SPACE");
    EXPECT_EQ(model::FulfillableName(Fulfillable::kEcOnHold), "EC ON HOLD");
}

TEST(StorageClassModel, AnyServerLabelForms) {
    ClassLabel zeros4{std::vector<std::uint8_t>(128, 0), 7};
    ClassLabel token4 = zeros4;
    token4.expression[0] = 0xFF;  // the postfix '*' token (recorded for 1CP and 4CP)
    ClassLabel letter4 = zeros4;
    letter4.expression[0] = 0xC0;  // label A
    ClassLabel star_and_a = token4;
    star_and_a.expression[1] = 0xC0;
    star_and_a.expression[2] = 0x80;  // * & A
    EXPECT_TRUE(zeros4.any_server());
    EXPECT_TRUE(token4.any_server());
    EXPECT_FALSE(letter4.any_server());
    EXPECT_FALSE(star_and_a.any_server());
    EXPECT_EQ(LabelExprText(token4.expression), "*");
    EXPECT_EQ(LabelExprText(letter4.expression), "A");
    EXPECT_EQ(LabelExprText(star_and_a.expression), "*&A");

    ClassLabel zeros3{std::vector<std::uint8_t>(16, 0), 6};
    ClassLabel masks3 = zeros3;
    masks3.expression[3] = 0x05;  // first mask: labels A and C
    EXPECT_TRUE(zeros3.any_server());
    EXPECT_FALSE(masks3.any_server());
    EXPECT_EQ(LabelMasksText(masks3.expression), "AC");
    // 0xFF leading a 3.x mask is a label bit, not the '*' token.
    ClassLabel high3 = zeros3;
    high3.expression[0] = 0xFF;
    EXPECT_FALSE(high3.any_server());
}

TEST(StorageClassModel, TargetText) {
    ClassState st;
    st.labels_count = 1;
    EXPECT_EQ(st.TargetText(), "1 copy");
    st.labels_count = 3;
    EXPECT_EQ(st.TargetText(), "3 copies");
    st.ec_level = 0x41;
    EXPECT_EQ(st.TargetText(), "EC 4+1");
    st.ec_level = 0x81;
    EXPECT_EQ(st.TargetText(), "EC 8+1");
    st.ec_level = 0x02;  // a data nibble of 0 means 8 to mfscli
    EXPECT_EQ(st.TargetText(), "EC 8+2");
    EXPECT_EQ(st.ec_data_parts(), 8);
    EXPECT_EQ(st.ec_checksum_parts(), 2);
}

TEST(StorageClassModel, InUseFromRecording) {
    const auto out = DecodeSclassInfo(HealthyPayload(kV4), kVersion4, RequestForm::kFver5);
    ASSERT_TRUE(out.ok()) << out.error().message;
    std::map<std::string, bool> in_use;
    for (const auto& c : out->classes) in_use[c.name] = c.in_use();
    // EC8+1 holds no file or directory in the recordings; every other class does.
    EXPECT_EQ(in_use, (std::map<std::string, bool>{{"1CP", true},
                                                   {"2CP", true},
                                                   {"3CP", true},
                                                   {"4CP", true},
                                                   {"EC4+1", true},
                                                   {"EC8+1", false}}));
}

}  // namespace
}  // namespace mfsmon::test
