#include "decoder_test_support.h"

#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "protocol/command_ids.h"
#include "protocol/info_decoder.h"

namespace mfsmon::test {

using model::Version;
using protocol::RequestForm;

namespace {

// The master version a recorded INFO answer gives; throws when it does not decode.
Version VersionOfInfo(const PacketFile& info) {
    const auto decoded = protocol::DecodeInfo(ReadPacket(info.path).payload);
    if (!decoded) throw std::runtime_error(info.path.string() + ": " + decoded.error().message);
    return decoded->version;
}

}  // namespace

Version MasterVersionBefore(const RecordedAnswer& rec) {
    std::optional<Version> version;
    for (const auto& f : MasterAnswersIn(rec.option_dir, protocol::kMatoclInfo)) {
        if (f.sequence <= rec.file.sequence) version = VersionOfInfo(f);
    }
    if (!version) throw std::runtime_error("no INFO answer before " + rec.Label());
    return *version;
}

void RecordedAnswerTest::ReadAnswer(std::uint32_t type) {
    const RecordedAnswer& rec = GetParam();
    packet = ReadPacket(rec.file.path);
    ASSERT_EQ(packet.type, type);
    master = MasterVersionBefore(rec);
    EXPECT_EQ(master.ToString(), rec.version);
}

void RecordedAnswerTest::ExpectSameRequestAsMfscli(protocol::Command command,
                                                   RequestForm form) const {
    const auto chosen = protocol::ChooseRequest(command, master);
    ASSERT_TRUE(chosen.ok()) << chosen.error().message;
    EXPECT_EQ(*chosen, form);
}

namespace {

// The request payload mfscli sends for a form (wire protocol notes), written out.
std::optional<std::vector<std::uint8_t>> WrittenOutPayload(RequestForm form) {
    switch (form) {
        case RequestForm::kEmpty:
            return std::vector<std::uint8_t>{};
        case RequestForm::kPver1:
            return std::vector<std::uint8_t>{0x00};
        case RequestForm::kMode1:
            return std::vector<std::uint8_t>{0x01};
        case RequestForm::kFver5:
            return std::vector<std::uint8_t>{0x05};
        default:
            return std::nullopt;
    }
}

}  // namespace

RequestForm FormOfRequest(const std::vector<std::uint8_t>& payload,
                          std::initializer_list<RequestForm> forms) {
    for (const RequestForm form : forms) {
        const auto written = WrittenOutPayload(form);
        if (!written) {
            throw std::logic_error(
                fmt::format("no written-out payload for request form {}", static_cast<int>(form)));
        }
        if (payload == *written) return form;
    }
    throw std::runtime_error(fmt::format("unexpected request payload of {} bytes", payload.size()));
}

void ExpectChosenRequest(protocol::Command command, const Version& version,
                         std::optional<RequestForm> chosen) {
    const auto form = protocol::ChooseRequest(command, version);
    ASSERT_EQ(form.ok(), chosen.has_value());
    if (form.ok()) {
        EXPECT_FIELD_EQ(*form, *chosen);
    }
}

Version Previous(const Version& v) {
    if (v.minor > 0) return Version{v.major, v.mid, static_cast<std::uint8_t>(v.minor - 1)};
    if (v.mid > 0) return Version{v.major, static_cast<std::uint8_t>(v.mid - 1), 127};
    return Version{static_cast<std::uint16_t>(v.major - 1), 255, 127};
}

void PutU32(std::vector<std::uint8_t>& out, std::uint32_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 24));
    out.push_back(static_cast<std::uint8_t>(v >> 16));
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

bool MentionsAll(const Error& e, std::initializer_list<std::string_view> words) {
    for (const auto w : words) {
        if (e.message.find(w) == std::string::npos) return false;
    }
    return true;
}

std::array<Version, 2> RangeEnds(const protocol::LayoutRule& r) {
    return {r.from, Previous(r.before)};
}

std::array<Version, 2> JustOutside(const protocol::LayoutRule& r) {
    return {Previous(r.from), r.before};
}

void ExpectRuleEndsWithItsRange(const protocol::LayoutRule& r, std::uint32_t length) {
    for (const Version& v : JustOutside(r)) {
        SCOPED_TRACE(fmt::format("{} bytes from master {}, just outside {} .. {}", length,
                                 v.ToString(), r.from.ToString(), r.before.ToString()));
        const auto found = protocol::FindLayout(r.command, v, r.request, length);
        if (found.ok()) {
            EXPECT_NE(*found, r.layout);
        }
    }
}

}  // namespace mfsmon::test
