// DecodeModuleInfo on the ANTOCL_MODULE_INFO answers recorded live from a 3.0.117 and a
// 4.59.2 master (tests/harness cluster, one chunkserver), and on every length and version
// the table refuses. The 4.59.2 metadata id is the one INFO carries too; on 3.0.117 this is
// the only place it is sent.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "model/version.h"
#include "protocol/module_info_decoder.h"

namespace mfsmon::test {
namespace {

using model::Version;
using protocol::DecodeModuleInfo;

std::vector<std::uint8_t> Hex(const std::string& hex) {
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    }
    return out;
}

// Recorded 2026-12-02 with a bare CLTOAN_MODULE_INFO (no msgid) on the client port.
const std::string kRecorded3 = "01000300ea00006b0feb45c49979e3000000000000";
const std::string kRecorded4 = "0100043b0400006b0feb4f2fd73a51000000000000";
constexpr Version kV3{3, 0, 117, false};
constexpr Version kV4{4, 59, 2, false};

TEST(ModuleInfoDecoder, Recorded3_0_117) {
    const auto bytes = Hex(kRecorded3);
    auto info = DecodeModuleInfo(bytes, kV3);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->module_type, 1);
    EXPECT_EQ(info->version, kV3);
    EXPECT_EQ(info->metadata_id, 0x6b0feb45c49979e3ull);
}

TEST(ModuleInfoDecoder, Recorded4_59_2) {
    const auto bytes = Hex(kRecorded4);
    auto info = DecodeModuleInfo(bytes, kV4);
    ASSERT_TRUE(info.ok()) << info.error().message;
    EXPECT_EQ(info->version, kV4);
    EXPECT_EQ(info->metadata_id, 0x6b0feb4f2fd73a51ull);
}

TEST(ModuleInfoDecoder, EveryOtherLengthIsRefusedNamingIt) {
    const auto bytes = Hex(kRecorded3);
    for (std::size_t n = 0; n <= 40; ++n) {
        if (n == bytes.size()) continue;
        std::vector<std::uint8_t> payload(n, 0);
        std::copy_n(bytes.begin(), std::min(n, bytes.size()), payload.begin());
        auto info = DecodeModuleInfo(payload, kV3);
        ASSERT_FALSE(info.ok()) << n << " bytes";
        EXPECT_EQ(info.error().kind, ErrorKind::kProtocol);
        EXPECT_NE(info.error().message.find("ANTOCL_MODULE_INFO"), std::string::npos)
            << info.error().message;
        EXPECT_NE(info.error().message.find(std::to_string(n)), std::string::npos)
            << info.error().message;
    }
}

TEST(ModuleInfoDecoder, MasterBefore3IsNotAsked) {
    auto info = DecodeModuleInfo(Hex(kRecorded3), Version{2, 0, 91, false});
    ASSERT_FALSE(info.ok());
    EXPECT_EQ(info.error().kind, ErrorKind::kProtocol);
}

TEST(ModuleInfoDecoder, AnotherVersionThanInfoSaidIsRefused) {
    auto info = DecodeModuleInfo(Hex(kRecorded4), kV3);
    ASSERT_FALSE(info.ok());
    EXPECT_NE(info.error().message.find("4.59.2"), std::string::npos) << info.error().message;
    EXPECT_NE(info.error().message.find("3.0.117"), std::string::npos) << info.error().message;
}

}  // namespace
}  // namespace mfsmon::test
