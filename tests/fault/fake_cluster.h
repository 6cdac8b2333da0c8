// A fake MooseFS 3.0.117 cluster on loopback for the cluster checks: a master that answers
// every request with the recorded real answer (tests/fixtures/3.0.117/healthy) except the
// chunkserver list, which is crafted so that its entries point at fake chunkservers on
// 127.0.0.1. The chunkservers answer CLTOCS_HDD_LIST with byte-exact entries built from a
// recorded answer, or misbehave as a test's script says.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "fake_master.h"

namespace mfsmon::fault {

// ---- recorded packets ----------------------------------------------------------------------

// A whole recorded packet (header + payload) below tests/fixtures.
Bytes ReadFixture(const std::string& rel);
Bytes PayloadOf(const Bytes& packet);

// The recorded CLTOCS_HDD_LIST answer of chunkserver N (1..6) of the 3.0.117 healthy cluster.
const Bytes& RecordedHddAnswer(int n);

// ---- MATOCL_CSERV_LIST, 69-byte entries (3.0.117) ------------------------------------------

struct CservEntry {
    std::uint8_t flags = 0;
    std::uint8_t vmaj = 3, vmid = 0, vmin2 = 234;  // 3.0.117
    std::uint32_t ip = 0x7F000001;
    std::uint16_t port = 0;
    std::uint16_t csid = 0;
    std::uint64_t used = 0, total = 0;
    std::uint32_t chunks = 0;
    std::uint64_t td_used = 0, td_total = 0;
    std::uint32_t td_chunks = 0;
    std::uint32_t errcnt = 0, load = 0, gracetime = 0, labelmask = 0;
    std::uint8_t mfr_status = 0;

    // As a real master lists a disconnected server: flags, address and id, all else 0.
    void Disconnect(std::uint8_t disconnected_flags = 0x01);
};

Bytes EncodeCservList(const std::vector<CservEntry>& entries);
std::vector<CservEntry> DecodeCservList(const Bytes& payload);
// The six entries of the recorded 3.0.117 answer (198.18.0.10:9422..9427).
std::vector<CservEntry> RecordedCservList();

// ---- CSTOCL_HDD_LIST entries ---------------------------------------------------------------

struct DiskEntry {
    std::string path;
    std::uint8_t flags = 0;
    std::uint64_t error_chunk_id = 0;
    std::uint32_t error_time = 0;
    std::uint64_t used = 0, total = 0;
    std::uint32_t chunks = 0;
    Bytes stats;  // 3 x 64 bytes as recorded (minute, hour, day)
    // Set to lie: written instead of the true values.
    std::optional<std::uint16_t> entry_size;
    std::optional<std::uint8_t> path_length;
};

Bytes EncodeHddList(const std::vector<DiskEntry>& disks);
std::vector<DiskEntry> DecodeHddList(const Bytes& payload);
Bytes HddAnswer(const std::vector<DiskEntry>& disks);  // the whole CSTOCL_HDD_LIST packet

// ---- the master ----------------------------------------------------------------------------

// One request the fake master knows: the bytes mfscli sent for it and the answer.
struct Exchange {
    Bytes request;  // whole packet: a request that differs is rejected (the connection closed)
    Bytes answer;   // whole packet
};

// CLTOMA_* type -> the recorded exchange, for every request `check health` makes of a
// 3.0.117 master (INFO, CHUNKS_MATRIX, MLOG_LIST, CHUNKSTEST_INFO, CSERV_LIST, SCLASS_INFO,
// FSTEST_INFO, MISSING_CHUNKS).
std::map<std::uint32_t, Exchange> RecordedMasterExchanges();

class ScriptedMaster {
  public:
    enum class Action { kAnswer, kClose };
    // Called for every request read; `connection` counts from 1.
    using Policy = std::function<Action(int connection, std::uint32_t type)>;

    explicit ScriptedMaster(std::map<std::uint32_t, Exchange> table, Policy policy = {});
    std::uint16_t port() const { return server_->port(); }

    // The request types read, per connection, in order.
    std::vector<std::vector<std::uint32_t>> Requests() const;
    // Requests that differed from the recorded ones (each closed its connection).
    std::vector<std::string> Mismatches() const;

  private:
    void Serve(FakeConnection& c);

    const std::map<std::uint32_t, Exchange> table_;
    const Policy policy_;
    mutable std::mutex mu_;
    std::vector<std::vector<std::uint32_t>> requests_;
    std::vector<std::string> mismatches_;
    std::unique_ptr<FakeMaster> server_;  // last: its thread stops before the rest goes
};

// ---- chunkservers --------------------------------------------------------------------------

// A loopback port that refuses connections: bound (nobody else takes it during the test) but
// not listening (tests/common/fake_server.h).
using RefusingPort = fake::RefusingPort;

// Reads CLTOCS_HDD_LIST (type 600, length 0; anything else: close), then runs `then`.
FakeMaster::Script OnHddRequest(std::function<void(FakeConnection&)> then);
// Answers CLTOCS_HDD_LIST with `packet`.
FakeMaster::Script AnswerHdd(Bytes packet);

// Fake chunkservers (each a FakeMaster: one loopback server running a script per connection)
// and the master whose CSERV_LIST lists them.
class FakeCluster {
  public:
    // A chunkserver running `script`, or (null script) a listed port that refuses. `entry`
    // gets ip 127.0.0.1 and the port. Returns the port.
    std::uint16_t AddChunkserver(FakeMaster::Script script, CservEntry entry);
    // Starts the master: `table` with CSERV_LIST answering the entries added so far.
    void StartMaster(std::map<std::uint32_t, Exchange> table = RecordedMasterExchanges(),
                     ScriptedMaster::Policy policy = {});

    ScriptedMaster& master() { return *master_; }
    const std::vector<CservEntry>& entries() const { return entries_; }
    // "127.0.0.1:PORT"
    static std::string Name(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

  private:
    std::vector<CservEntry> entries_;
    std::vector<std::unique_ptr<RefusingPort>> refusing_;
    std::vector<std::unique_ptr<FakeMaster>> chunkservers_;
    std::unique_ptr<ScriptedMaster> master_;
};

// ---- running the real binary -----------------------------------------------------------------

struct Outcome {
    int exit_code = -1;
    std::string out;  // stdout
    std::string err;  // stderr
    double seconds = 0;
    long max_rss_kb = 0;
    bool killed = false;
};

// Runs MFSMON_BINARY with `args`; killed after `watchdog_s` (a hang shows as `killed`).
Outcome RunMfsmon(const std::vector<std::string>& args, double watchdog_s = 20);

// The long-output lines of findings with `code` ("[CRITICAL] disks.full: ..." -> "...").
std::vector<std::string> FindingTexts(const std::string& out, const std::string& code);
// "[WARNING] disks.io_error: ..." -> "WARNING" for the first finding with `code`.
std::string FindingSeverity(const std::string& out, const std::string& code);

}  // namespace mfsmon::fault
