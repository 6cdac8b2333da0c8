// Fake 3.0.117 clusters on loopback for the `check disks` scale benchmark, built from the
// fault tests' fakes (tests/fault/fake_cluster.*, fake_master.*): N fake chunkservers that
// answer CLTOCS_HDD_LIST with a recorded answer (chunkservers 1..6 of the recording, in turn),
// one that reads the request and never answers, and three masters answering the recorded
// real answers, whose chunkserver lists differ:
//
//   one     the first answering chunkserver
//   all     the N answering ones
//   silent  N-1 answering ones, then the silent one (listed last, so a check waits its whole
//           --cs-timeout after the rest: the worst case)
//
//   fake_cluster_server N
//
// Prints one line per master, "NAME PORT IP:PORT,IP:PORT,..." (its port and the chunkservers
// it lists), once everything listens; then serves until its standard input is closed. The
// masters share the chunkservers, which serve one connection at a time: one check at a time.
// bench/run_disks_bench.py drives it.
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "fake_cluster.h"

namespace {

using namespace mfsmon::fault;

std::string Addresses(const std::vector<CservEntry>& list) {
    std::string out;
    for (const auto& e : list) {
        if (!out.empty()) out += ',';
        out += FakeCluster::Name(e.port);
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    const int n = argc == 2 ? std::atoi(argv[1]) : 0;
    if (n < 1) {
        std::fprintf(stderr, "usage: fake_cluster_server N (answering chunkservers, >= 1)\n");
        return 2;
    }
    // One listening socket per chunkserver, and one connection to each while a check runs.
    rlimit nofile{};
    getrlimit(RLIMIT_NOFILE, &nofile);
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);

    const auto recorded = RecordedCservList();
    FakeCluster servers;  // its own master is never started: the three below list its servers
    for (int i = 0; i <= n; ++i) {
        CservEntry entry = recorded[static_cast<std::size_t>(i) % recorded.size()];
        entry.csid = static_cast<std::uint16_t>(i + 1);
        if (i < n) {
            servers.AddChunkserver(AnswerHdd(RecordedHddAnswer(1 + i % 6)), entry);
        } else {
            servers.AddChunkserver(OnHddRequest([](FakeConnection& c) { c.WaitForClose(); }),
                                   entry);
        }
    }
    const std::vector<CservEntry>& all = servers.entries();
    std::vector<CservEntry> silent(all.begin(), all.end() - 2);
    silent.push_back(all.back());
    const std::pair<const char*, std::vector<CservEntry>> lists[] = {
        {"one", {all.front()}},
        {"all", std::vector<CservEntry>(all.begin(), all.end() - 1)},
        {"silent", silent},
    };
    std::vector<std::unique_ptr<ScriptedMaster>> masters;
    for (const auto& [name, list] : lists) {
        auto table = RecordedMasterExchanges();
        table[500].answer = Frame(501, EncodeCservList(list));
        masters.push_back(std::make_unique<ScriptedMaster>(std::move(table)));
        std::printf("%s %u %s\n", name, masters.back()->port(), Addresses(list).c_str());
    }
    std::fflush(stdout);

    char buf[256];
    while (read(0, buf, sizeof buf) > 0) {
    }
    int rejected = 0;
    for (const auto& m : masters) {
        for (const auto& what : m->Mismatches()) {
            std::fprintf(stderr, "fake master rejected: %s\n", what.c_str());
            ++rejected;
        }
    }
    return rejected == 0 ? 0 : 1;
}
