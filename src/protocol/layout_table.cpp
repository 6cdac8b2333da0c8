#include "protocol/layout_table.h"

#include <string>

#include <fmt/format.h>

namespace mfsmon::protocol {

namespace {

constexpr model::Version V(std::uint16_t major, std::uint8_t mid, std::uint8_t minor) {
    return model::Version{major, mid, minor, false};
}

constexpr model::Version kEnd = V(5, 0, 0);  // nothing past 4.x is known

using C = Command;
using L = Layout;
using R = RequestForm;
using S = Sizing;

// Sources: mfscli 3.0.117 and 4.59.2 (the reference client), the moosefs sources, and the
// recorded answers in tests/fixtures (3.0.117 and 4.59.2, eight cluster states each).
// Order matters only for ChooseRequest: for one command, the preferred form comes first.
constexpr LayoutRule kRules[] = {
    {C::kInfo, V(2, 0, 0), V(4, 0, 0), R::kEmpty, S::kExact, 121, L::kInfo121},
    {C::kInfo, V(2, 0, 0), V(4, 0, 0), R::kEmpty, S::kExact, 129, L::kInfo129},
    {C::kInfo, V(2, 0, 0), V(4, 0, 0), R::kEmpty, S::kExact, 137, L::kInfo137},
    {C::kInfo, V(2, 0, 0), V(4, 0, 0), R::kEmpty, S::kExact, 149, L::kInfo149},
    {C::kInfo, V(4, 4, 0), V(4, 10, 0), R::kEmpty, S::kExact, 173, L::kInfo173},
    {C::kInfo, V(4, 10, 0), V(4, 17, 0), R::kEmpty, S::kExact, 181, L::kInfo181},
    {C::kInfo, V(4, 17, 0), V(4, 26, 0), R::kEmpty, S::kExact, 193, L::kInfo193},
    {C::kInfo, V(4, 26, 0), kEnd, R::kEmpty, S::kExact, 205, L::kInfo205},

    {C::kChunksMatrix, V(1, 7, 0), V(4, 0, 0), R::kEmpty, S::kExact, 969, L::kMatrixGoal2},
    {C::kChunksMatrix, V(4, 0, 0), kEnd, R::kEmpty, S::kExact, 969, L::kMatrixLevel2},
    {C::kChunksMatrix, V(4, 0, 0), V(4, 26, 0), R::kEmpty, S::kExact, 2905, L::kMatrixLevel6},
    {C::kChunksMatrix, V(4, 26, 0), kEnd, R::kEmpty, S::kExact, 3873, L::kMatrixLevel8},
    // One storage class's matrices: the same layout, counted over that class's chunks only
    // (mfscli: FEATURE_SCLASS_IN_MATRIX from 4.44.0).
    {C::kChunksMatrix, V(4, 44, 0), kEnd, R::kClassId, S::kExact, 3873, L::kMatrixLevel8},

    // 4.35+ is asked with mode 1 (the maintenance timeout is worth the 4 bytes).
    {C::kCservList, V(4, 35, 0), kEnd, R::kMode1, S::kEntries, 77, L::kCservList77},
    {C::kCservList, V(4, 26, 0), kEnd, R::kEmpty, S::kEntries, 73, L::kCservList73},
    {C::kCservList, V(3, 0, 38), V(4, 26, 0), R::kEmpty, S::kEntries, 69, L::kCservList69},

    // Keyed by the chunkserver's version (mfscli asks every server newer than 1.6.8).
    {C::kHddList, V(1, 6, 9), kEnd, R::kEmpty, S::kRecords, 0, L::kHddList},

    {C::kMlogList, V(2, 0, 0), kEnd, R::kEmpty, S::kEntries, 8, L::kMlogList},

    {C::kChunksTestInfo, V(2, 0, 0), V(4, 0, 0), R::kEmpty, S::kExact, 52, L::kChunksTest52},
    {C::kChunksTestInfo, V(2, 0, 0), V(4, 0, 0), R::kEmpty, S::kExact, 60, L::kChunksTest60},
    {C::kChunksTestInfo, V(2, 0, 0), V(4, 0, 0), R::kEmpty, S::kExact, 72, L::kChunksTest72},
    {C::kChunksTestInfo, V(4, 4, 0), kEnd, R::kEmpty, S::kExact, 96, L::kChunksTest96},

    // mfscli: pver 1 for (>= 2.0.66 and < 3.0.0) or >= 3.0.19, else the empty request.
    {C::kFsTestInfo, V(3, 0, 19), kEnd, R::kPver1, S::kHead, 44, L::kFsTest44},
    {C::kFsTestInfo, V(2, 0, 66), V(3, 0, 0), R::kPver1, S::kHead, 44, L::kFsTest44},
    {C::kFsTestInfo, V(2, 0, 0), kEnd, R::kEmpty, S::kHead, 36, L::kFsTest36},

    {C::kSclassInfo, V(3, 0, 75), V(4, 0, 0), R::kEmpty, S::kRecords, 0, L::kSclass3},
    {C::kSclassInfo, V(4, 57, 0), kEnd, R::kFver5, S::kRecords, 0, L::kSclass4v5},

    // mfscli: mode 1 for (>= 2.0.71 and < 3.0.0) or >= 3.0.25.
    {C::kMissingChunks, V(3, 0, 25), kEnd, R::kMode1, S::kEntries, 17, L::kMissingChunks17},
    {C::kMissingChunks, V(2, 0, 71), V(3, 0, 0), R::kMode1, S::kEntries, 17, L::kMissingChunks17},
    {C::kMissingChunks, V(2, 0, 0), kEnd, R::kEmpty, S::kEntries, 16, L::kMissingChunks16},

    {C::kMassResolvePaths, V(2, 0, 0), kEnd, R::kInodeList, S::kRecords, 0, L::kMassResolvePaths},

    // 3.0.117 and 4.59.2 both answer 21 bytes; asked only where INFO carries no metadata id
    // (before 4.4), and not of 2.x masters, which may not know the command and would close.
    {C::kModuleInfo, V(3, 0, 0), kEnd, R::kEmpty, S::kExact, 21, L::kModuleInfo21},
};

bool Covers(const LayoutRule& rule, const model::Version& version) {
    return !(version < rule.from) && version < rule.before;
}

bool Fits(const LayoutRule& rule, std::uint32_t length) {
    switch (rule.sizing) {
        case Sizing::kExact:
            return length == rule.length;
        case Sizing::kEntries:
            return length % rule.length == 0;
        case Sizing::kHead:
            return length >= rule.length;
        case Sizing::kRecords:
            return true;
    }
    return false;
}

std::string Describe(const LayoutRule& rule) {
    switch (rule.sizing) {
        case Sizing::kExact:
            return fmt::format("{}", rule.length);
        case Sizing::kEntries:
            return fmt::format("N x {}", rule.length);
        case Sizing::kHead:
            return fmt::format("{} + text", rule.length);
        case Sizing::kRecords:
            return "records";
    }
    return "?";
}

const char* FormName(RequestForm form) {
    switch (form) {
        case RequestForm::kEmpty:
            return "empty";
        case RequestForm::kMode1:
            return "mode 1";
        case RequestForm::kPver1:
            return "pver 1";
        case RequestForm::kFver5:
            return "fver 5";
        case RequestForm::kInodeList:
            return "inode list";
        case RequestForm::kClassId:
            return "class id";
    }
    return "?";
}

}  // namespace

std::span<const LayoutRule> LayoutRules() {
    return kRules;
}

std::vector<std::uint8_t> RequestPayload(RequestForm form) {
    switch (form) {
        case RequestForm::kMode1:
            return {0x01};
        case RequestForm::kPver1:
            return {0x00};
        case RequestForm::kFver5:
            return {0x05};
        case RequestForm::kEmpty:
        case RequestForm::kInodeList:
        case RequestForm::kClassId:
            return {};
    }
    return {};
}

std::vector<std::uint8_t> ClassMatrixPayload(std::uint8_t class_id) {
    return {0x00, class_id};
}

bool AcceptsForm(Command command, const model::Version& version, RequestForm form) {
    for (const auto& rule : kRules) {
        if (rule.command == command && rule.request == form && Covers(rule, version)) return true;
    }
    return false;
}

Result<RequestForm> ChooseRequest(Command command, const model::Version& version) {
    for (const auto& rule : kRules) {
        if (rule.command == command && Covers(rule, version)) return rule.request;
    }
    return MakeError(ErrorKind::kProtocol,
                     fmt::format("unsupported version {}: mfsmon knows no {} request for it",
                                 version.ToString(), CommandName(command)));
}

Result<Layout> FindLayout(Command command, const model::Version& version, RequestForm request,
                          std::uint32_t length) {
    std::string known;
    bool version_known = false;
    for (const auto& rule : kRules) {
        if (rule.command != command || !Covers(rule, version)) continue;
        version_known = true;
        if (rule.request != request) continue;
        if (Fits(rule, length)) return rule.layout;
        known += known.empty() ? Describe(rule) : ", " + Describe(rule);
    }
    const char* peer = command == Command::kHddList ? "chunkserver" : "master";
    if (!version_known) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("unsupported {} version {}: no known {} layout "
                                     "(answer of {} bytes)",
                                     peer, version.ToString(), AnswerName(command), length));
    }
    if (known.empty()) {
        return MakeError(
            ErrorKind::kProtocol,
            fmt::format("unsupported request: no known {} layout for a {} request "
                        "to {} {}",
                        AnswerName(command), FormName(request), peer, version.ToString()));
    }
    return MakeError(ErrorKind::kProtocol,
                     fmt::format("unsupported layout: {} answer of {} bytes from {} {} "
                                 "(known for this version: {})",
                                 AnswerName(command), length, peer, version.ToString(), known));
}

Result<Layout> FindLayout(Command command, const model::Version& version, std::uint32_t length) {
    return FindLayout(command, version, RequestForm::kEmpty, length);
}

}  // namespace mfsmon::protocol
