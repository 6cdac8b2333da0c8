// `mfsmon check classes` against a fake 4.59.2 master: the per-class chunk matrices (one
// CHUNKS_MATRIX request with the class id per class in use, 4.44+), answered with the recorded
// 4.59.2 answers, refused by a closed connection, or answered with a layout that does not fit
// the request. A per-class matrix that cannot be read makes the check UNKNOWN, naming the
// class; it never leaves the check OK about chunks it did not count.
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "fake_cluster.h"

namespace mfsmon::fault {
namespace {

using ::testing::HasSubstr;

constexpr std::uint32_t kInfo = 510, kMatrix = 516, kSclass = 542;

// The recorded 4.59.2 healthy cluster: classes 1CP (5), 2CP (1), 3CP (2), 4CP (6) and EC4+1 (3)
// are in use, EC8+1 (4) is not.
const std::set<int> kClassesInUse = {1, 2, 3, 5, 6};

enum class OnClassMatrix { kAnswer, kClose, kShortAnswer };

// A 4.59.2 master for `check classes`: INFO, SCLASS_INFO (fver 5) and CHUNKS_MATRIX with a
// class id, each answered from the recordings, or the class matrix handled as `mode` says.
class FourXMaster {
  public:
    explicit FourXMaster(OnClassMatrix mode)
        : info_(ReadFixture("4.59.2/healthy/SSC/02-master-ans-511.bin")),
          sclass_(ReadFixture("4.59.2/healthy/SSC/04-master-ans-543.bin")),
          matrix_(ReadFixture("4.59.2/healthy/SIC/06-master-ans-517.bin")),
          mode_(mode),
          server_(std::make_unique<FakeMaster>([this](FakeConnection& c) { Serve(c); })) {}

    std::uint16_t port() const { return server_->port(); }
    // The class ids asked for, in order, over every connection.
    std::vector<int> ClassRequests() const {
        std::lock_guard<std::mutex> lock(mu_);
        return class_requests_;
    }

  private:
    void Serve(FakeConnection& c) {
        while (auto req = c.ReadRequest()) {
            if (req->type == kInfo && req->payload.empty()) {
                c.Write(info_);
            } else if (req->type == kSclass && req->payload == Bytes{0x05}) {
                c.Write(sclass_);
            } else if (req->type == kMatrix && req->payload.size() == 2 && req->payload[0] == 0) {
                {
                    std::lock_guard<std::mutex> lock(mu_);
                    class_requests_.push_back(req->payload[1]);
                }
                if (mode_ == OnClassMatrix::kClose) return;  // as a 3.x master does
                if (mode_ == OnClassMatrix::kShortAnswer) {
                    // The all/regular pair only: a length 4.x sends, not for a class id.
                    const Bytes whole = PayloadOf(matrix_);
                    c.Write(Frame(517, Bytes(whole.begin(), whole.begin() + 969)));
                } else {
                    c.Write(matrix_);
                }
            } else {
                return;  // anything else: close, as a real master does on a bad request
            }
        }
    }

    const Bytes info_, sclass_, matrix_;
    const OnClassMatrix mode_;
    mutable std::mutex mu_;
    std::vector<int> class_requests_;
    std::unique_ptr<FakeMaster> server_;  // last: its thread stops before the rest goes
};

Outcome CheckClasses(const FourXMaster& master, const std::string& format = "text") {
    return RunMfsmon({"check", "classes", "-H", "127.0.0.1", "-P", std::to_string(master.port()),
                      "-t", "3", "--format", format});
}

TEST(ClassMatrixFault, EveryClassInUseIsAskedOnceAndRated) {
    FourXMaster master(OnClassMatrix::kAnswer);
    const auto o = CheckClasses(master, "json");
    ASSERT_FALSE(o.killed);
    EXPECT_EQ(o.exit_code, 0) << o.out << o.err;
    const auto asked = master.ClassRequests();
    EXPECT_EQ(std::set<int>(asked.begin(), asked.end()), kClassesInUse);
    EXPECT_EQ(asked.size(), kClassesInUse.size()) << "a class asked twice";
    const auto j = nlohmann::json::parse(o.out);
    ASSERT_EQ(j["class_matrices"].size(), kClassesInUse.size());
    for (const auto& cm : j["class_matrices"]) {
        EXPECT_TRUE(kClassesInUse.count(cm["class_id"].get<int>())) << cm.dump();
        // The recorded all-classes answer: 152 stable chunks, 12 of them EC 4+1.
        EXPECT_EQ(cm["matrices"]["combined"]["all"]["total"]["stable"], 152) << cm.dump();
        EXPECT_EQ(cm["matrices"]["ec4"]["all"]["total"]["stable"], 12) << cm.dump();
    }
}

TEST(ClassMatrixFault, MasterClosingOnTheClassRequestIsUnknownNamingTheClass) {
    FourXMaster master(OnClassMatrix::kClose);
    const auto o = CheckClasses(master);
    ASSERT_FALSE(o.killed);
    EXPECT_EQ(o.exit_code, 3) << o.out;
    EXPECT_THAT(o.out, HasSubstr("the chunk matrix of storage class 1CP could not be read"));
    // One reconnect at most: the first request refused, then once more on a new connection.
    EXPECT_LE(master.ClassRequests().size(), 2u) << o.out;
    EXPECT_LT(o.seconds, 3.0 + 1.0);
}

TEST(ClassMatrixFault, AnswerThatDoesNotFitAClassRequestIsUnknown) {
    FourXMaster master(OnClassMatrix::kShortAnswer);
    const auto o = CheckClasses(master);
    ASSERT_FALSE(o.killed);
    EXPECT_EQ(o.exit_code, 3) << o.out;
    EXPECT_THAT(o.out, HasSubstr("MATOCL_CHUNKS_MATRIX answer of 969 bytes"));
    EXPECT_THAT(o.out, HasSubstr("storage class 2CP"));
}

}  // namespace
}  // namespace mfsmon::fault
