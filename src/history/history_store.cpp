#include "history/history_store.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <lmdb.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history/fault_guard.h"
#include "history/sample_codec.h"
#include "history/writer_lock.h"

namespace mfsmon::history {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDataFile = "history.mdb";
constexpr const char* kLockFile = "history.mdb-lock";
constexpr const char* kCorruptPrefix = "history.mdb.corrupt-";
constexpr std::size_t kKeptCorruptFiles = 3;

// Address space only: the file grows as pages are written (a store under the default
// retention stays within a few MiB per series).
constexpr std::size_t kMapSize = std::size_t{256} << 20;
// One fdatasync per commit (data pages); the meta page is written but not synced, so a crash
// may lose the last commit, never consistency (LMDB keeps two meta pages).
constexpr unsigned kEnvFlags = MDB_NOSUBDIR | MDB_NOMETASYNC | MDB_NOTLS;

// LMDB's default key limit is 511 bytes: endpoint, NUL, metadata id and time must fit.
constexpr std::size_t kTimeBytes = 8;
constexpr std::size_t kMaxEndpoint = 511 - 1 - 8 - kTimeBytes;

// ---------------------------------------------------------------------------------------
// Keys: endpoint, NUL, metadata id (big endian), then the time, big endian with its sign bit
// flipped, so that the keys of one series sort by time (a negative time included) and a
// cursor range scan reads one series in time order.

void AppendBe64(std::string& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

std::uint64_t OrderedTime(std::int64_t time_ms) {
    return static_cast<std::uint64_t>(time_ms) ^ (std::uint64_t{1} << 63);
}

std::string SeriesPrefix(const SeriesKey& key) {
    std::string prefix = key.endpoint;
    prefix.push_back('\0');
    AppendBe64(prefix, key.metadata_id);
    return prefix;
}

std::string TimeKey(const std::string& prefix, std::uint64_t ordered_time) {
    std::string k = prefix;
    AppendBe64(k, ordered_time);
    return k;
}

MDB_val Val(const std::string& s) {
    return MDB_val{s.size(), const_cast<char*>(s.data())};
}

// The ordered time of a key of the series, or nullopt for a key of another series.
std::optional<std::uint64_t> KeyTime(const MDB_val& k, const std::string& prefix) {
    if (k.mv_size != prefix.size() + kTimeBytes) return std::nullopt;
    const auto* p = static_cast<const unsigned char*>(k.mv_data);
    if (std::memcmp(p, prefix.data(), prefix.size()) != 0) return std::nullopt;
    std::uint64_t v = 0;
    for (std::size_t i = prefix.size(); i < k.mv_size; ++i) v = (v << 8) | p[i];
    return v;
}

std::uint64_t Millis(std::chrono::seconds s) {
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 1000;
    return s.count() <= 0 ? 0 : static_cast<std::uint64_t>(std::min(s.count(), kMax)) * 1000;
}

// Positions the cursor at the newest key of the series; MDB_NOTFOUND when it has none.
int SeekNewest(MDB_cursor* cur, const std::string& prefix, MDB_val& k, MDB_val& v) {
    const std::string probe = TimeKey(prefix, ~std::uint64_t{0});
    k = Val(probe);
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    if (rc == 0 && KeyTime(k, prefix)) return 0;  // the greatest possible time itself
    rc = rc == MDB_NOTFOUND ? mdb_cursor_get(cur, &k, &v, MDB_LAST)
                            : (rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_PREV) : rc);
    if (rc == 0 && !KeyTime(k, prefix)) return MDB_NOTFOUND;
    return rc;
}

// ---------------------------------------------------------------------------------------
// Errors.

// What LMDB says about a file it cannot make sense of. Errno values from opening are the
// environment's (permissions, space), except those a valid file cannot cause with our fixed
// map size on a 64-bit system: a damaged meta page asks for an impossible mapping.
bool IsCorruption(int rc, bool opening) {
    switch (rc) {
        case MDB_INVALID:
        case MDB_CORRUPTED:
        case MDB_PAGE_NOTFOUND:
        case MDB_VERSION_MISMATCH:
        case MDB_BAD_TXN:
        case MDB_PANIC:
        case MDB_INCOMPATIBLE:
        case MDB_BAD_VALSIZE:
        case MDB_BAD_DBI:
        case MDB_CURSOR_FULL:
        case MDB_PAGE_FULL:
            return true;
        case EINVAL:
        case ENOMEM:
        case EFBIG:
        case EOVERFLOW:
            return opening;
        default:
            return false;
    }
}

std::string SignalName(int sig) {
    switch (sig) {
        case SIGSEGV:
            return "SIGSEGV";
        case SIGBUS:
            return "SIGBUS";
        case SIGFPE:
            return "SIGFPE";
        case SIGILL:
            return "SIGILL";
        default:
            return "an LMDB assertion";
    }
}

std::string FaultReason(int sig) {
    if (sig == SIGVTALRM) {
        return fmt::format("LMDB did not finish reading it within {} ms of CPU", kCpuBudgetMs);
    }
    return fmt::format("LMDB faulted reading it: {}", SignalName(sig));
}

bool IsPermission(int rc) {
    return rc == EACCES || rc == EPERM || rc == EROFS;
}

enum class Step { kOk, kCorrupt, kFailed };

// The result of one step on the store: why it is corrupt, or what failed.
struct StepResult {
    Step step = Step::kOk;
    int code = 0;        // LMDB or errno code of a failure
    std::string reason;  // "MDB_INVALID: File is not an LMDB file"
};

StepResult Ok() {
    return {};
}

StepResult Classify(int rc, bool opening) {
    return {IsCorruption(rc, opening) ? Step::kCorrupt : Step::kFailed, rc, mdb_strerror(rc)};
}

StepResult Faulted(int sig) {
    return {Step::kCorrupt, 0, FaultReason(sig)};
}

void OnLmdbAssert(MDB_env*, const char*) {
    LeaveGuardOnAssert();
}

// ---------------------------------------------------------------------------------------
// One open environment. Abandoned after a fault: never closed (see fault_guard.h).

// Environments abandoned after a fault stay reachable for the life of the process: what they
// hold is kept on purpose (closing could touch the damaged state), not lost.
void KeepAbandoned(MDB_env* env) {
    static auto* abandoned = new std::vector<MDB_env*>;
    abandoned->push_back(env);
}

struct FileId {
    dev_t dev = 0;
    ino_t ino = 0;
    bool operator==(const FileId&) const = default;
};

std::optional<FileId> IdOf(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
    return FileId{st.st_dev, st.st_ino};
}

class Env {
  public:
    Env() = default;
    Env(const Env&) = delete;
    Env& operator=(const Env&) = delete;
    ~Env() { Close(); }

    MDB_env* get() const { return env_; }
    bool open() const { return env_ != nullptr; }
    const std::optional<FileId>& id() const { return id_; }

    void Adopt(MDB_env* env, std::optional<FileId> id) {
        Close();
        env_ = env;
        id_ = id;
    }
    void Close() {
        if (env_ != nullptr) mdb_env_close(env_);
        env_ = nullptr;
    }
    void Abandon() {
        if (env_ != nullptr) KeepAbandoned(env_);
        env_ = nullptr;
    }

  private:
    MDB_env* env_ = nullptr;
    std::optional<FileId> id_;
};

// history.mdb and its lock file are opened by LMDB, which follows symlinks: one planted in
// the state directory would have it write elsewhere. They must be regular files or absent.
std::optional<std::string> PlantedLink(const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
    if (S_ISLNK(st.st_mode)) return fmt::format("{} is a symlink: refused", path.string());
    if (!S_ISREG(st.st_mode))
        return fmt::format("{} is not a regular file: refused", path.string());
    return std::nullopt;
}

// LMDB maps the file and reads pages past its end as SIGBUS: a file shorter than its last
// committed page (truncated by a full disk, a copy, a person) is corrupt before anything is
// read from it.
StepResult CheckLength(MDB_env* env) {
    MDB_envinfo info{};
    MDB_stat stat{};
    int rc = mdb_env_info(env, &info);
    if (rc == 0) rc = mdb_env_stat(env, &stat);
    if (rc != 0) return Classify(rc, true);
    int fd = -1;
    struct stat st {};
    if (mdb_env_get_fd(env, &fd) != 0 || ::fstat(fd, &st) != 0)
        return {Step::kFailed, errno, "fstat failed"};
    const auto needed = (static_cast<unsigned long long>(info.me_last_pgno) + 1) * stat.ms_psize;
    if (static_cast<unsigned long long>(st.st_size) < needed) {
        return {Step::kCorrupt, 0, fmt::format("truncated: {} of {} bytes", st.st_size, needed)};
    }
    return Ok();
}

StepResult OpenEnv(const fs::path& path, bool read_only, Env& out) {
    MDB_env* env = nullptr;
    int rc = mdb_env_create(&env);
    if (rc != 0) return Classify(rc, false);
    mdb_env_set_mapsize(env, kMapSize);
    mdb_env_set_assert(env, OnLmdbAssert);
    StepResult result;
    auto open = [&] {
        rc = mdb_env_open(env, path.c_str(), kEnvFlags | (read_only ? MDB_RDONLY : 0), 0600);
        result = rc != 0 ? Classify(rc, true) : CheckLength(env);
    };
    if (const int sig = Guarded(open); sig != 0) {
        KeepAbandoned(env);
        return Faulted(sig);
    }
    if (result.step != Step::kOk) {
        mdb_env_close(env);  // LMDB: an environment whose open failed must still be closed
        return result;
    }
    out.Adopt(env, IdOf(path));
    return Ok();
}

// The main database, which this store creates without flags. Flags in a damaged meta page
// (integer keys, reversed keys, duplicates) would have LMDB compare keys another way and
// find nothing, or write where no later run looks: refused as corrupt.
int OpenMainDb(MDB_txn* txn, MDB_dbi& dbi) {
    int rc = mdb_dbi_open(txn, nullptr, 0, &dbi);
    unsigned flags = 0;
    if (rc == 0) rc = mdb_dbi_flags(txn, dbi, &flags);
    if (rc == 0 && flags != 0) rc = MDB_INCOMPATIBLE;
    return rc;
}

// ---------------------------------------------------------------------------------------
// Reading.

struct RawSample {
    std::uint64_t time = 0;  // ordered
    std::vector<std::uint8_t> bytes;
};

// The newest `max_rows` values of the series within `window` of its newest, newest first.
// Runs under the guard: only LMDB calls and copies.
StepResult ReadRaw(MDB_env* env, const std::string& prefix, const ReadWindow& read,
                   std::vector<RawSample>& out) {
    MDB_txn* txn = nullptr;
    int rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
    if (rc == MDB_READERS_FULL) {
        int dead = 0;  // slots of runs that died mid-read: free them and try once more
        mdb_reader_check(env, &dead);
        rc = mdb_txn_begin(env, nullptr, MDB_RDONLY, &txn);
    }
    if (rc != 0) return Classify(rc, false);
    MDB_dbi dbi = 0;
    MDB_cursor* cur = nullptr;
    rc = OpenMainDb(txn, dbi);
    if (rc == 0) rc = mdb_cursor_open(txn, dbi, &cur);
    MDB_val k{}, v{};
    if (rc == 0) rc = SeekNewest(cur, prefix, k, v);
    const std::uint64_t window = Millis(read.window);
    std::uint64_t newest = 0;
    while (rc == 0 && out.size() < read.max_rows) {
        const std::optional<std::uint64_t> t = KeyTime(k, prefix);
        if (!t) break;
        if (out.empty()) newest = *t;
        if (newest - *t > window) break;
        const auto* p = static_cast<const std::uint8_t*>(v.mv_data);
        out.push_back(RawSample{*t, std::vector<std::uint8_t>(p, p + v.mv_size)});
        rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
    }
    if (cur != nullptr) mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    if (rc != 0 && rc != MDB_NOTFOUND) return Classify(rc, false);
    return Ok();
}

// Decoded, oldest first. A value that does not decode, or whose time or metadata id is not
// its key's, is skipped and counted.
std::vector<model::TrendSample> DecodeAll(const std::vector<RawSample>& raw,
                                          std::uint64_t metadata_id, std::size_t& damaged) {
    std::vector<model::TrendSample> samples;
    samples.reserve(raw.size());
    for (auto it = raw.rbegin(); it != raw.rend(); ++it) {
        Result<model::TrendSample> s = DecodeSample(it->bytes);
        if (!s || OrderedTime(s->time_ms) != it->time || s->metadata_id != metadata_id) {
            ++damaged;
            continue;
        }
        samples.push_back(std::move(*s));
    }
    return samples;
}

// ---------------------------------------------------------------------------------------
// Writing: the sample, then retention over its series, in one transaction.

// Keys of the series to drop: older than max_age before the newest, or beyond the newest
// max_rows. One walk from the newest back over the whole series: run on about one write in
// Retention::row_cap_every (RowCapDue), so a series may exceed max_rows in between.
int CollectExpired(MDB_cursor* cur, const std::string& prefix, const Retention& retention,
                   std::vector<std::string>& expired) {
    MDB_val k{}, v{};
    int rc = SeekNewest(cur, prefix, k, v);
    const std::uint64_t max_age = Millis(retention.max_age);
    std::uint64_t newest = 0;
    std::size_t kept = 0;
    bool first = true;
    while (rc == 0) {
        const std::optional<std::uint64_t> t = KeyTime(k, prefix);
        if (!t) break;
        if (first) newest = *t;
        first = false;
        if (kept >= retention.max_rows || newest - *t > max_age) {
            expired.emplace_back(static_cast<const char*>(k.mv_data), k.mv_size);
        } else {
            ++kept;
        }
        rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

// Keys of the series older than max_age before `newest`: from the oldest forward, stopping at
// the first young one, so a write usually touches one key here (measured: walking the whole
// series on every write was most of the history's cost per check).
int CollectAged(MDB_cursor* cur, const std::string& prefix, std::uint64_t newest,
                const Retention& retention, std::vector<std::string>& expired) {
    const std::string probe = TimeKey(prefix, 0);
    MDB_val k = Val(probe), v{};
    int rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    const std::uint64_t max_age = Millis(retention.max_age);
    while (rc == 0) {
        const std::optional<std::uint64_t> t = KeyTime(k, prefix);
        if (!t || newest - *t <= max_age) break;
        expired.emplace_back(static_cast<const char*>(k.mv_data), k.mv_size);
        rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    return rc == MDB_NOTFOUND ? 0 : rc;
}

// About one write in `every` walks the whole series for the row cap; which one is a hash of
// the sample's time, so no regular check interval can miss it for ever.
bool RowCapDue(std::uint64_t time, std::size_t every) {
    if (every <= 1) return true;
    std::uint64_t z = time + 0x9e3779b97f4a7c15ull;  // splitmix64's finaliser
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return ((z ^ (z >> 31)) % every) == 0;
}

int PutAndExpire(MDB_txn* txn, const std::string& prefix, const std::string& key,
                 std::uint64_t time, const std::vector<std::uint8_t>& value,
                 const Retention& retention) {
    MDB_dbi dbi = 0;
    int rc = OpenMainDb(txn, dbi);
    if (rc != 0) return rc;
    MDB_val k = Val(key);
    MDB_val v{value.size(), const_cast<std::uint8_t*>(value.data())};
    rc = mdb_put(txn, dbi, &k, &v, 0);
    if (rc != 0) return rc;
    MDB_cursor* cur = nullptr;
    rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc != 0) return rc;
    std::vector<std::string> expired;
    if (RowCapDue(time, retention.row_cap_every)) {
        rc = CollectExpired(cur, prefix, retention, expired);
    } else {
        MDB_val nk{}, nv{};
        rc = SeekNewest(cur, prefix, nk, nv);
        const std::optional<std::uint64_t> newest = rc == 0 ? KeyTime(nk, prefix) : std::nullopt;
        if (newest) rc = CollectAged(cur, prefix, *newest, retention, expired);
    }
    mdb_cursor_close(cur);
    for (const std::string& old : expired) {
        if (rc != 0) break;
        MDB_val ok = Val(old);
        rc = mdb_del(txn, dbi, &ok, nullptr);
    }
    return rc;
}

StepResult WriteSample(MDB_env* env, const std::string& prefix, const model::TrendSample& sample,
                       const Retention& retention) {
    const std::string key = TimeKey(prefix, OrderedTime(sample.time_ms));
    const std::vector<std::uint8_t> value = EncodeSample(sample);
    StepResult result;
    auto write = [&] {
        // Runs that died mid-read leave reader slots that pin old pages: free them (the
        // writer is the one that would reuse those pages).
        int dead = 0;
        mdb_reader_check(env, &dead);
        MDB_txn* txn = nullptr;
        int rc = mdb_txn_begin(env, nullptr, 0, &txn);
        if (rc == 0) {
            rc = PutAndExpire(txn, prefix, key, OrderedTime(sample.time_ms), value, retention);
            if (rc == 0) {
                rc = mdb_txn_commit(txn);
            } else {
                mdb_txn_abort(txn);
            }
        }
        // The write only looks up keys it has just seen and pages the tree points to: "not
        // found" there is a tree that contradicts itself.
        if (rc == MDB_NOTFOUND || rc == MDB_KEYEXIST) {
            result = {Step::kCorrupt, rc, mdb_strerror(rc)};
        } else if (rc != 0) {
            result = Classify(rc, false);
        }
    };
    if (const int sig = Guarded(write); sig != 0) return Faulted(sig);
    return result;
}

// ---------------------------------------------------------------------------------------
// Moving a corrupt store aside.

// history.mdb.corrupt-<unix time>, and .2, .3... after it for more in the same second.
struct AsideFile {
    long long time = 0;
    long long n = 1;
    std::string name;
};

std::vector<AsideFile> AsideFiles(const fs::path& dir) {
    std::vector<AsideFile> found;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.rfind(kCorruptPrefix, 0) != 0) continue;
        char* rest = nullptr;
        AsideFile f{std::strtoll(name.c_str() + std::strlen(kCorruptPrefix), &rest, 10), 1, name};
        if (*rest == '.') f.n = std::strtoll(rest + 1, nullptr, 10);
        found.push_back(f);
    }
    // Newest first.
    std::sort(found.begin(), found.end(), [](const AsideFile& a, const AsideFile& b) {
        return a.time != b.time ? a.time > b.time : a.n > b.n;
    });
    return found;
}

// Keeps the newest kKeptCorruptFiles.
void PruneCorruptFiles(const fs::path& dir) {
    const std::vector<AsideFile> found = AsideFiles(dir);
    for (std::size_t i = kKeptCorruptFiles; i < found.size(); ++i) {
        ::unlink((dir / found[i].name).c_str());
    }
}

std::string AsideName(const fs::path& dir) {
    const long long now = static_cast<long long>(std::time(nullptr));
    long long n = 0;
    for (const AsideFile& f : AsideFiles(dir)) {
        if (f.time == now) n = std::max(n, f.n);
    }
    return n == 0 ? fmt::format("{}{}", kCorruptPrefix, now)
                  : fmt::format("{}{}.{}", kCorruptPrefix, now, n + 1);
}

// ---------------------------------------------------------------------------------------
// A run's use of the store.

class Session {
  public:
    Session(const StoreOptions& options, const SeriesKey& key, HistoryOutcome& out)
        : options_(options),
          key_(key),
          prefix_(SeriesPrefix(key)),
          data_(options.dir / kDataFile),
          out_(out) {}

    std::optional<std::string> KeyProblem() const {
        if (key_.endpoint.find('\0') != std::string::npos) {
            return "the endpoint holds a NUL byte";
        }
        if (key_.endpoint.size() > kMaxEndpoint) {
            return fmt::format("the endpoint is longer than {} bytes", kMaxEndpoint);
        }
        return std::nullopt;
    }

    std::optional<std::string> LinkProblem() const {
        if (auto p = PlantedLink(data_)) return p;
        return PlantedLink(options_.dir / kLockFile);
    }

    bool DataExists() const { return IdOf(data_).has_value(); }

    StepResult Open(bool read_only) {
        env_.Close();
        StepResult r = OpenEnv(data_, read_only, env_);
        if (r.step == Step::kCorrupt) corrupt_id_ = IdOf(data_);
        return r;
    }

    StepResult Read() {
        std::vector<RawSample> raw;
        StepResult result;
        auto read = [&] { result = ReadRaw(env_.get(), prefix_, options_.read, raw); };
        if (const int sig = Guarded(read); sig != 0) {
            env_.Abandon();
            corrupt_id_ = IdOf(data_);
            return Faulted(sig);
        }
        if (result.step == Step::kCorrupt) corrupt_id_ = IdOf(data_);
        if (result.step != Step::kOk) return result;
        std::size_t damaged = 0;
        out_.previous = DecodeAll(raw, key_.metadata_id, damaged);
        if (damaged > 0) {
            out_.notes.push_back(fmt::format("history: {} damaged sample{} skipped", damaged,
                                             damaged == 1 ? "" : "s"));
        }
        return Ok();
    }

    // With the writer lock held: the file this run opened may since have been moved aside
    // by another run that found it corrupt. Then the store to write is the new one.
    StepResult Revalidate(StepResult state) {
        const std::optional<FileId> now = IdOf(data_);
        if (state.step == Step::kCorrupt) {
            // Reset already by another run: use its new store.
            if (now && corrupt_id_ && now != corrupt_id_) return Open(false);
            return state;
        }
        if (now && now == env_.id()) return state;
        return Open(false);
    }

    StepResult Write(const model::TrendSample& sample) {
        StepResult r = WriteSample(env_.get(), prefix_, sample, options_.retention);
        if (r.step == Step::kCorrupt) {
            if (r.code == 0) env_.Abandon();  // a fault
            corrupt_id_ = IdOf(data_);
        }
        return r;
    }

    // With the writer lock held. The lock file goes first: a run opening in between then
    // finds the old data file with a new lock file, sees it corrupt and waits for the writer
    // lock, after which the data file is no longer the one it opened. Never the other way
    // round (a new data file with a stale lock file would share LMDB's reader table with
    // the old one).
    StepResult Reset(const StepResult& corrupt) {
        if (env_.open()) env_.Close();
        ::unlink((options_.dir / kLockFile).c_str());
        const std::string aside = AsideName(options_.dir);
        if (::rename(data_.c_str(), (options_.dir / aside).c_str()) != 0 && errno != ENOENT) {
            const int err = errno;
            out_.notes.push_back(fmt::format(
                "history not saved: history.mdb is corrupt ({}) and could not be moved aside ({})",
                corrupt.reason, std::strerror(err)));
            return {Step::kFailed, err, std::strerror(err)};
        }
        PruneCorruptFiles(options_.dir);
        out_.notes.push_back(
            fmt::format("history reset: history.mdb was corrupt ({}); moved aside to {}",
                        corrupt.reason, aside));
        return Open(false);
    }

    void FailedNote(const char* verb, const StepResult& r) {
        if (IsPermission(r.code) && std::strcmp(verb, "saved") == 0) {
            out_.notes.push_back(fmt::format("history not {}: {} is not writable ({})", verb,
                                             options_.dir.string(), std::strerror(r.code)));
        } else {
            out_.notes.push_back(
                fmt::format("history not {}: {} ({})", verb, data_.string(), r.reason));
        }
    }

  private:
    const StoreOptions& options_;
    const SeriesKey& key_;
    const std::string prefix_;
    const fs::path data_;
    HistoryOutcome& out_;
    Env env_;
    std::optional<FileId> corrupt_id_;
};

}  // namespace

HistoryOutcome RecordAndRead(const StoreOptions& options, const SeriesKey& key,
                             const model::TrendSample& sample,
                             std::chrono::steady_clock::time_point deadline) {
    HistoryOutcome out;
    Session s(options, key, out);
    if (auto problem = s.KeyProblem()) {
        out.notes.push_back("history not used: " + *problem);
        return out;
    }
    if (auto problem = s.LinkProblem()) {
        out.notes.push_back("history not used: " + *problem);
        return out;
    }
    StepResult state = s.Open(false);
    if (state.step == Step::kFailed) {
        s.FailedNote("saved", state);
        return out;
    }
    if (state.step == Step::kOk) {
        state = s.Read();
        if (state.step == Step::kFailed) {
            s.FailedNote("read", state);
            state = Ok();  // the write may still work
        }
    }

    Result<WriterLock> lock = WriterLock::Acquire(options.dir, deadline);
    if (!lock) {
        if (lock.error().kind == ErrorKind::kTimeout) {
            out.notes.push_back(
                "history not saved: the store was busy (another mfsmon run held it) until the "
                "deadline");
        } else {
            out.notes.push_back("history not saved: " + lock.error().message);
        }
        if (state.step == Step::kCorrupt) {
            out.notes.push_back(
                fmt::format("history not read: history.mdb is corrupt ({})", state.reason));
        }
        return out;
    }
    state = s.Revalidate(state);
    for (int attempt = 0; attempt < 2 && state.step != Step::kFailed; ++attempt) {
        if (state.step == Step::kCorrupt) state = s.Reset(state);
        if (state.step == Step::kOk) state = s.Write(sample);
        if (state.step == Step::kOk) break;
    }
    if (state.step == Step::kOk) {
        out.saved = true;
    } else if (state.step == Step::kFailed) {
        s.FailedNote("saved", state);
    } else {
        out.notes.push_back(
            fmt::format("history not saved: the new history.mdb is corrupt ({})", state.reason));
    }
    return out;
}

HistoryOutcome ReadOnly(const StoreOptions& options, const SeriesKey& key,
                        std::chrono::steady_clock::time_point /*deadline: reads never wait*/) {
    HistoryOutcome out;
    Session s(options, key, out);
    if (auto problem = s.KeyProblem()) {
        out.notes.push_back("history not read: " + *problem);
        return out;
    }
    if (auto problem = s.LinkProblem()) {
        out.notes.push_back("history not read: " + *problem);
        return out;
    }
    if (!s.DataExists()) return out;  // nothing yet, and nothing created
    StepResult state = s.Open(true);
    if (state.step == Step::kOk) state = s.Read();
    if (state.step == Step::kCorrupt) {
        out.notes.push_back(
            fmt::format("history not read: history.mdb is corrupt ({})", state.reason));
    } else if (state.step == Step::kFailed) {
        s.FailedNote("read", state);
    }
    return out;
}

}  // namespace mfsmon::history
