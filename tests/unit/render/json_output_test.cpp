#include "render/json_output.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "health/replicas_rule.h"

namespace mfsmon::render {
namespace {

TEST(JsonOutput, HoldsSnapshotFindingsAndState) {
    model::ReplicaSnapshot s;
    s.master_host = "m";
    s.master_port = 9421;
    s.info.version = {3, 0, 117, false};
    s.info.chunks = 50;
    s.matrices.combined.all[3][2] = 30;
    s.matrices.combined.regular[3][2] = 30;
    s.matrices.combined.all[3][3] = 20;
    s.matrices.combined.regular[3][3] = 20;
    auto report = health::EvaluateReplicas(s, health::ReplicasThresholds::Defaults());
    auto j = nlohmann::json::parse(RenderReplicasJson(s, report));
    EXPECT_EQ(j["state"], "WARNING");
    EXPECT_EQ(j["exit_code"], 1);
    EXPECT_EQ(j["master"]["version"], "3.0.117");
    EXPECT_EQ(j["matrices"]["rows"], "goal");
    EXPECT_EQ(j["matrices"]["combined"]["all"]["total"]["undergoal"], 30);
    EXPECT_EQ(j["matrices"]["combined"]["all"]["rows"][0]["row"], 3);
    EXPECT_EQ(j["matrices"]["combined"]["all"]["rows"][0]["cells"][2], 30);
    EXPECT_FALSE(j["matrices"].contains("ec4"));
    ASSERT_EQ(j["findings"].size(), 1u);
    EXPECT_EQ(j["findings"][0]["code"], "replicas.undergoal");
    EXPECT_EQ(j["findings"][0]["severity"], "WARNING");
    EXPECT_EQ(j["master"]["free_space_bytes"], nullptr) << "not sent is null, not 0";
}

TEST(JsonOutput, ErrorIsUnknownWithKind) {
    auto j = nlohmann::json::parse(
        RenderJsonError("replicas", Error{ErrorKind::kProtocol, "bad \xff bytes"}));
    EXPECT_EQ(j["state"], "UNKNOWN");
    EXPECT_EQ(j["exit_code"], 3);
    EXPECT_EQ(j["error"]["kind"], "protocol");
}

}  // namespace
}  // namespace mfsmon::render
