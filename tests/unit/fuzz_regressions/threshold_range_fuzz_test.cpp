// threshold_range_fuzz: Error::message must be one line (it is the first line of the plugin
// output), but Range::Parse quoted the user's text as given, so a range containing a
// newline broke the status line:
//   mfsmon check replicas -H m --missing-warning $'1\n0'
//   MOOSEFS REPLICAS UNKNOWN - --missing-warning: invalid threshold range '1
//   0': expected a number, 'start:', '~:end' or 'start:end'
// First fuzzer input: hex 3e3a30ff0affff; minimal: hex 0a.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "common/result.h"
#include "health/threshold_range.h"

namespace mfsmon::health {
namespace {

void ExpectOneLineError(std::string_view text) {
    auto r = Range::Parse(text);
    ASSERT_FALSE(r.ok()) << "accepted a range with control characters";
    EXPECT_EQ(r.error().kind, ErrorKind::kInvalidArgument);
    const std::string& m = r.error().message;
    EXPECT_FALSE(m.empty());
    EXPECT_EQ(m.find_first_of("\r\n"), std::string::npos) << m;
    EXPECT_NE(m.find("invalid threshold range"), std::string::npos) << m;
}

TEST(FuzzRegressionThresholdRange, NewlineAlone) {
    ExpectOneLineError("\n");
}

TEST(FuzzRegressionThresholdRange, FirstFuzzerInput) {
    ExpectOneLineError(std::string_view("\x3e\x3a\x30\xff\x0a\xff\xff", 7));
}

TEST(FuzzRegressionThresholdRange, LineBreaksInEveryQuotedPart) {
    // Whole text (no colon), the start and the end are each quoted in some message.
    for (std::string_view text :
         {"1\n0", "10\r", "\n:5", "1\n:5", "1:\n", "1:5\r\n", "@\n", "~:\n1", "10\n:"}) {
        SCOPED_TRACE(::testing::Message() << "input of " << text.size() << " bytes");
        ExpectOneLineError(text);
    }
}

TEST(FuzzRegressionThresholdRange, ControlCharactersAreShownEscaped) {
    auto r = Range::Parse(std::string_view("1\n0", 3));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("'1\\x0a0'"), std::string::npos) << r.error().message;
}

TEST(FuzzRegressionThresholdRange, PrintableTextIsQuotedAsGiven) {
    auto r = Range::Parse("abc:10");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("'abc:10'"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("'abc' is not a number"), std::string::npos)
        << r.error().message;
}

}  // namespace
}  // namespace mfsmon::health
