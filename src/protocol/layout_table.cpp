#include "protocol/layout_table.h"

#include <string>

#include <fmt/format.h>

namespace mfsmon::protocol {

namespace {

constexpr model::Version V(std::uint16_t major, std::uint8_t mid, std::uint8_t minor) {
    return model::Version{major, mid, minor, false};
}

// Sources: mfscli 3.0.117 and 4.59.2 (the reference client), the moosefs sources, and the
// recorded answers in tests/fixtures (3.0.117: INFO 149, MATRIX 969; 4.59.2: 205, 3873).
constexpr LayoutRule kRules[] = {
    {Command::kInfo, V(2, 0, 0), V(4, 0, 0), 121, Layout::kInfo121},
    {Command::kInfo, V(2, 0, 0), V(4, 0, 0), 129, Layout::kInfo129},
    {Command::kInfo, V(2, 0, 0), V(4, 0, 0), 137, Layout::kInfo137},
    {Command::kInfo, V(2, 0, 0), V(4, 0, 0), 149, Layout::kInfo149},
    {Command::kInfo, V(4, 4, 0), V(4, 10, 0), 173, Layout::kInfo173},
    {Command::kInfo, V(4, 10, 0), V(4, 17, 0), 181, Layout::kInfo181},
    {Command::kInfo, V(4, 17, 0), V(4, 26, 0), 193, Layout::kInfo193},
    {Command::kInfo, V(4, 26, 0), V(5, 0, 0), 205, Layout::kInfo205},
    {Command::kChunksMatrix, V(1, 7, 0), V(4, 0, 0), 969, Layout::kMatrixGoal2},
    {Command::kChunksMatrix, V(4, 0, 0), V(5, 0, 0), 969, Layout::kMatrixLevel2},
    {Command::kChunksMatrix, V(4, 0, 0), V(4, 26, 0), 2905, Layout::kMatrixLevel6},
    {Command::kChunksMatrix, V(4, 26, 0), V(5, 0, 0), 3873, Layout::kMatrixLevel8},
};

}  // namespace

std::span<const LayoutRule> LayoutRules() {
    return kRules;
}

Result<Layout> FindLayout(Command command, const model::Version& version, std::uint32_t length) {
    std::string known;
    for (const auto& rule : kRules) {
        if (rule.command != command || version < rule.from || !(version < rule.before)) continue;
        if (rule.length == length) return rule.layout;
        known += known.empty() ? fmt::format("{}", rule.length) : fmt::format(", {}", rule.length);
    }
    if (known.empty()) {
        return MakeError(ErrorKind::kProtocol,
                         fmt::format("unsupported master version {}: no known {} layout "
                                     "(answer of {} bytes)",
                                     version.ToString(), AnswerName(command), length));
    }
    return MakeError(ErrorKind::kProtocol,
                     fmt::format("unsupported layout: {} answer of {} bytes from master {} "
                                 "(known for this version: {})",
                                 AnswerName(command), length, version.ToString(), known));
}

}  // namespace mfsmon::protocol
