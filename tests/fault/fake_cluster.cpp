#include "fake_cluster.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace mfsmon::fault {

namespace {

constexpr std::size_t kCservEntry = 69;
constexpr std::size_t kStatsBytes = 3 * 64;
constexpr std::size_t kFixedBytes = 34;  // plen + flags..chunks, after entrysize

void Put(Bytes& out, std::uint64_t v, int bytes) {
    for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
        out.push_back(static_cast<std::uint8_t>(v >> shift));
    }
}

std::uint64_t Get(const Bytes& in, std::size_t& pos, int bytes) {
    if (pos + static_cast<std::size_t>(bytes) > in.size()) {
        throw std::runtime_error("recorded packet shorter than its layout");
    }
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | in[pos++];
    return v;
}

}  // namespace

Bytes ReadFixture(const std::string& rel) {
    std::ifstream in(std::string(MFSMON_FIXTURES_DIR) + "/" + rel, std::ios::binary);
    Bytes b((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (b.size() < 8) throw std::runtime_error("missing fixture " + rel);
    return b;
}

Bytes PayloadOf(const Bytes& packet) {
    return Bytes(packet.begin() + 8, packet.end());
}

const Bytes& RecordedHddAnswer(int n) {
    // The -SHD recording asked the servers in this order (file number, port 9421 + n).
    static const std::map<int, std::string> kFiles = {
        {1, "10-cs198.18.0.10_9422"}, {2, "16-cs198.18.0.10_9423"}, {3, "06-cs198.18.0.10_9424"},
        {4, "14-cs198.18.0.10_9425"}, {5, "12-cs198.18.0.10_9426"}, {6, "08-cs198.18.0.10_9427"}};
    static std::map<int, Bytes> cache;
    static std::mutex mu;
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(n);
    if (it == cache.end()) {
        it = cache.emplace(n, ReadFixture("3.0.117/healthy/SHD/" + kFiles.at(n) + "-ans-601.bin"))
                 .first;
    }
    return it->second;
}

// ---- CSERV_LIST ----------------------------------------------------------------------------

void CservEntry::Disconnect(std::uint8_t disconnected_flags) {
    CservEntry d;
    d.flags = disconnected_flags;
    d.vmaj = d.vmid = d.vmin2 = 0;
    d.ip = ip;
    d.port = port;
    d.csid = csid;
    *this = d;
}

Bytes EncodeCservList(const std::vector<CservEntry>& entries) {
    Bytes out;
    out.reserve(entries.size() * kCservEntry);
    for (const auto& e : entries) {
        Put(out, e.flags, 1);
        Put(out, e.vmaj, 1);
        Put(out, e.vmid, 1);
        Put(out, e.vmin2, 1);
        Put(out, e.ip, 4);
        Put(out, e.port, 2);
        Put(out, e.csid, 2);
        Put(out, e.used, 8);
        Put(out, e.total, 8);
        Put(out, e.chunks, 4);
        Put(out, e.td_used, 8);
        Put(out, e.td_total, 8);
        Put(out, e.td_chunks, 4);
        Put(out, e.errcnt, 4);
        Put(out, e.load, 4);
        Put(out, e.gracetime, 4);
        Put(out, e.labelmask, 4);
        Put(out, e.mfr_status, 1);
    }
    return out;
}

std::vector<CservEntry> DecodeCservList(const Bytes& payload) {
    if (payload.size() % kCservEntry != 0) throw std::runtime_error("not 69-byte entries");
    std::vector<CservEntry> out;
    std::size_t pos = 0;
    while (pos < payload.size()) {
        CservEntry e;
        e.flags = static_cast<std::uint8_t>(Get(payload, pos, 1));
        e.vmaj = static_cast<std::uint8_t>(Get(payload, pos, 1));
        e.vmid = static_cast<std::uint8_t>(Get(payload, pos, 1));
        e.vmin2 = static_cast<std::uint8_t>(Get(payload, pos, 1));
        e.ip = static_cast<std::uint32_t>(Get(payload, pos, 4));
        e.port = static_cast<std::uint16_t>(Get(payload, pos, 2));
        e.csid = static_cast<std::uint16_t>(Get(payload, pos, 2));
        e.used = Get(payload, pos, 8);
        e.total = Get(payload, pos, 8);
        e.chunks = static_cast<std::uint32_t>(Get(payload, pos, 4));
        e.td_used = Get(payload, pos, 8);
        e.td_total = Get(payload, pos, 8);
        e.td_chunks = static_cast<std::uint32_t>(Get(payload, pos, 4));
        e.errcnt = static_cast<std::uint32_t>(Get(payload, pos, 4));
        e.load = static_cast<std::uint32_t>(Get(payload, pos, 4));
        e.gracetime = static_cast<std::uint32_t>(Get(payload, pos, 4));
        e.labelmask = static_cast<std::uint32_t>(Get(payload, pos, 4));
        e.mfr_status = static_cast<std::uint8_t>(Get(payload, pos, 1));
        out.push_back(e);
    }
    return out;
}

std::vector<CservEntry> RecordedCservList() {
    return DecodeCservList(PayloadOf(ReadFixture("3.0.117/healthy/SCS/04-master-ans-501.bin")));
}

// ---- HDD_LIST ------------------------------------------------------------------------------

Bytes EncodeHddList(const std::vector<DiskEntry>& disks) {
    Bytes out;
    for (const auto& d : disks) {
        const std::size_t true_size = d.path.size() + kFixedBytes + d.stats.size();
        Put(out, d.entry_size.value_or(static_cast<std::uint16_t>(true_size)), 2);
        Put(out, d.path_length.value_or(static_cast<std::uint8_t>(d.path.size())), 1);
        out.insert(out.end(), d.path.begin(), d.path.end());
        Put(out, d.flags, 1);
        Put(out, d.error_chunk_id, 8);
        Put(out, d.error_time, 4);
        Put(out, d.used, 8);
        Put(out, d.total, 8);
        Put(out, d.chunks, 4);
        out.insert(out.end(), d.stats.begin(), d.stats.end());
    }
    return out;
}

std::vector<DiskEntry> DecodeHddList(const Bytes& payload) {
    std::vector<DiskEntry> out;
    std::size_t pos = 0;
    while (pos < payload.size()) {
        const std::size_t entry_size = Get(payload, pos, 2);
        const std::size_t end = pos + entry_size;
        DiskEntry d;
        const std::size_t plen = Get(payload, pos, 1);
        if (entry_size != plen + kFixedBytes + kStatsBytes || end > payload.size()) {
            throw std::runtime_error("recorded HDD_LIST entry of an unexpected size");
        }
        d.path.assign(payload.begin() + static_cast<std::ptrdiff_t>(pos),
                      payload.begin() + static_cast<std::ptrdiff_t>(pos + plen));
        pos += plen;
        d.flags = static_cast<std::uint8_t>(Get(payload, pos, 1));
        d.error_chunk_id = Get(payload, pos, 8);
        d.error_time = static_cast<std::uint32_t>(Get(payload, pos, 4));
        d.used = Get(payload, pos, 8);
        d.total = Get(payload, pos, 8);
        d.chunks = static_cast<std::uint32_t>(Get(payload, pos, 4));
        d.stats.assign(payload.begin() + static_cast<std::ptrdiff_t>(pos),
                       payload.begin() + static_cast<std::ptrdiff_t>(end));
        pos = end;
        out.push_back(std::move(d));
    }
    return out;
}

Bytes HddAnswer(const std::vector<DiskEntry>& disks) {
    return Frame(601, EncodeHddList(disks));
}

// ---- the master ----------------------------------------------------------------------------

std::map<std::uint32_t, Exchange> RecordedMasterExchanges() {
    const std::string h = "3.0.117/healthy/";
    auto ex = [&](const std::string& req, const std::string& ans) {
        return Exchange{ReadFixture(h + req), ReadFixture(h + ans)};
    };
    return {
        {510, ex("SIC/01-master-req-510.bin", "SIC/02-master-ans-511.bin")},  // INFO
        {516, ex("SIC/03-master-req-516.bin", "SIC/04-master-ans-517.bin")},  // CHUNKS_MATRIX
        {522, ex("SMB/03-master-req-522.bin", "SMB/04-master-ans-523.bin")},  // MLOG_LIST
        {514, ex("SIL/03-master-req-514.bin", "SIL/04-master-ans-515.bin")},  // CHUNKSTEST_INFO
        {500, ex("SCS/03-master-req-500.bin", "SCS/04-master-ans-501.bin")},  // CSERV_LIST
        {542, ex("SSC/03-master-req-542.bin", "SSC/04-master-ans-543.bin")},  // SCLASS_INFO
        {512, ex("SIL/05-master-req-512.bin", "SIL/06-master-ans-513.bin")},  // FSTEST_INFO
        {544, ex("SMF/03-master-req-544.bin", "SMF/04-master-ans-545.bin")},  // MISSING_CHUNKS
        // MODULE_INFO (the metadata id of a master before 4.4, for the history): not in the
        // shared recordings (mfscli never asks it); this answer was recorded live from
        // another 3.0.117 master (tests/unit/protocol/module_info_decoder_test.cpp).
        {530, Exchange{Header(530, 0),
                       Frame(531, {0x01, 0x00, 0x03, 0x00, 0xea, 0x00, 0x00, 0x6b, 0x0f, 0xeb, 0x45,
                                   0xc4, 0x99, 0x79, 0xe3, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00})}},
    };
}

ScriptedMaster::ScriptedMaster(std::map<std::uint32_t, Exchange> table, Policy policy)
    : table_(std::move(table)), policy_(std::move(policy)) {
    server_ = std::make_unique<FakeMaster>([this](FakeConnection& c) { Serve(c); });
}

void ScriptedMaster::Serve(FakeConnection& c) {
    int connection = 0;
    {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.emplace_back();
        connection = static_cast<int>(requests_.size());
    }
    while (auto req = c.ReadRequest()) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            requests_[static_cast<std::size_t>(connection - 1)].push_back(req->type);
        }
        const auto it = table_.find(req->type);
        if (it == table_.end() || Frame(req->type, req->payload) != it->second.request) {
            // A real master closes the connection on a request it does not take as it is.
            std::lock_guard<std::mutex> lock(mu_);
            mismatches_.push_back(fmt::format("request type {} with {} payload bytes", req->type,
                                              req->payload.size()));
            return;
        }
        if (policy_ && policy_(connection, req->type) == Action::kClose) return;
        if (!c.Write(it->second.answer)) return;
    }
}

std::vector<std::vector<std::uint32_t>> ScriptedMaster::Requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
}

std::vector<std::string> ScriptedMaster::Mismatches() const {
    std::lock_guard<std::mutex> lock(mu_);
    return mismatches_;
}

// ---- chunkservers --------------------------------------------------------------------------

FakeMaster::Script OnHddRequest(std::function<void(FakeConnection&)> then) {
    return [then](FakeConnection& c) {
        auto req = c.ReadRequest();
        if (!req || req->type != 600 || !req->payload.empty()) return;
        then(c);
    };
}

FakeMaster::Script AnswerHdd(Bytes packet) {
    return OnHddRequest([packet](FakeConnection& c) { c.Write(packet); });
}

std::uint16_t FakeCluster::AddChunkserver(FakeMaster::Script script, CservEntry entry) {
    std::uint16_t port = 0;
    if (script) {
        chunkservers_.push_back(std::make_unique<FakeMaster>(std::move(script)));
        port = chunkservers_.back()->port();
    } else {
        refusing_.push_back(std::make_unique<RefusingPort>());
        port = refusing_.back()->port();
    }
    entry.ip = 0x7F000001;
    entry.port = port;
    entries_.push_back(entry);
    return port;
}

void FakeCluster::StartMaster(std::map<std::uint32_t, Exchange> table,
                              ScriptedMaster::Policy policy) {
    table[500].answer = Frame(501, EncodeCservList(entries_));
    master_ = std::make_unique<ScriptedMaster>(std::move(table), std::move(policy));
}

// ---- running the real binary -----------------------------------------------------------------

Outcome RunMfsmon(const std::vector<std::string>& given, double watchdog_s) {
    // These tests are about faults, not history: never write to the machine's default state
    // directory (the history's own tests pass --state-dir).
    std::vector<std::string> args = given;
    const bool keeps_history = args.size() >= 2 && args[0] == "check" &&
                               (args[1] == "replicas" || args[1] == "disks" || args[1] == "health");
    if (keeps_history && std::find(args.begin(), args.end(), "--state-dir") == args.end() &&
        std::find(args.begin(), args.end(), "--help") == args.end()) {
        args.push_back("--no-history");
    }
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
        throw std::runtime_error("pipe");
    }
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(MFSMON_BINARY));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
#ifndef MFSMON_SANITIZED
        // A header that claims 4 GiB must not allocate it (sanitizers reserve huge shadow
        // maps, so not there).
        rlimit as{512ul << 20, 512ul << 20};
        setrlimit(RLIMIT_AS, &as);
#endif
        execv(MFSMON_BINARY, argv.data());
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    Outcome o;
    const auto kill_at = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                     std::chrono::duration<double>(watchdog_s));
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    std::string* sinks[2] = {&o.out, &o.err};
    int open = 2;
    char buf[4096];
    while (open > 0) {
        if (poll(fds, 2, 50) > 0) {
            for (int i = 0; i < 2; ++i) {
                if (fds[i].fd < 0 || fds[i].revents == 0) continue;
                const ssize_t n = read(fds[i].fd, buf, sizeof buf);
                if (n <= 0) {
                    close(fds[i].fd);
                    fds[i].fd = -1;
                    --open;
                } else {
                    sinks[i]->append(buf, static_cast<std::size_t>(n));
                }
            }
        }
        if (std::chrono::steady_clock::now() > kill_at) {
            kill(pid, SIGKILL);
            o.killed = true;
            break;
        }
    }
    for (auto& p : fds) {
        if (p.fd >= 0) close(p.fd);
    }
    int status = 0;
    rusage ru{};
    wait4(pid, &status, 0, &ru);
    o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    o.max_rss_kb = ru.ru_maxrss;
    return o;
}

std::vector<std::string> FindingTexts(const std::string& out, const std::string& code) {
    std::vector<std::string> texts;
    std::istringstream in(out);
    std::string line;
    const std::string key = "] " + code + ": ";
    while (std::getline(in, line)) {
        if (line.empty() || line[0] != '[') continue;
        const auto at = line.find(key);
        if (at == std::string::npos || line.find(']') != at) continue;
        texts.push_back(line.substr(at + key.size()));
    }
    return texts;
}

std::string FindingSeverity(const std::string& out, const std::string& code) {
    std::istringstream in(out);
    std::string line;
    const std::string key = "] " + code + ": ";
    while (std::getline(in, line)) {
        if (line.empty() || line[0] != '[') continue;
        const auto at = line.find(key);
        if (at == std::string::npos || line.find(']') != at) continue;
        return line.substr(1, at - 1);
    }
    return {};
}

}  // namespace mfsmon::fault
