#include "render/plugin_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mfsmon::render {
namespace {

using health::Perfdatum;
using health::Range;

Range R(const char* t) {
    return std::move(Range::Parse(t)).value();
}

TEST(Perfdata, FullItem) {
    Perfdatum p{"missing", 15, "", R("5"), R("@1:10"), 0.0, 100.0};
    EXPECT_EQ(FormatPerfdatum(p), "missing=15;5;@1:10;0;100");
}

TEST(Perfdata, TrailingEmptyFieldsDropped) {
    Perfdatum p{"stable", 95, "", std::nullopt, std::nullopt, 0.0, std::nullopt};
    EXPECT_EQ(FormatPerfdatum(p), "stable=95;;;0");
    Perfdatum bare{"x", 1.5, "s", std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    EXPECT_EQ(FormatPerfdatum(bare), "x=1.5s");
}

TEST(Perfdata, LabelsWithSpacesOrQuotesAreQuoted) {
    Perfdatum p{"it's here", 1, "", std::nullopt, std::nullopt, std::nullopt, std::nullopt};
    EXPECT_EQ(FormatPerfdatum(p), "'it''s here'=1");
}

TEST(PluginOutput, FirstLineThenLongOutput) {
    health::Report r;
    r.state = health::State::kWarning;
    r.summary = "30 chunks of goal 3 lack replicas";
    r.details = {"goal 3: 50 chunks"};
    r.perfdata = {Perfdatum{"undergoal", 30, "", R("0"), std::nullopt, 0.0, std::nullopt}};
    EXPECT_EQ(RenderPluginOutput("MOOSEFS REPLICAS", r),
              "MOOSEFS REPLICAS WARNING - 30 chunks of goal 3 lack replicas | "
              "undergoal=30;0;;0\ngoal 3: 50 chunks\n");
}

TEST(PluginOutput, PipesAndNewlinesCannotBreakTheFormat) {
    health::Report r;
    r.state = health::State::kOk;
    r.summary = "a|b\nc";
    EXPECT_EQ(RenderPluginOutput("S", r), "S OK - a/b c\n");
}

TEST(PluginOutput, ErrorIsOneUnknownLine) {
    Error e{ErrorKind::kTimeout, "timeout: no answer to CLTOMA_INFO from h:9421 within 1 s"};
    EXPECT_EQ(RenderPluginError("MOOSEFS REPLICAS", e),
              "MOOSEFS REPLICAS UNKNOWN - timeout: no answer to CLTOMA_INFO from h:9421 within "
              "1 s\n");
}

}  // namespace
}  // namespace mfsmon::render
