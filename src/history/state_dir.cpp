#include "history/state_dir.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mfsmon::history {

namespace {

namespace fs = std::filesystem;

// An empty variable counts as unset, as in a shell's ${VAR:-default}.
std::optional<std::string> Variable(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
}

bool Set(const std::optional<std::string>& v) {
    return v && !v->empty();
}

fs::path PerUser(const std::string& base, unsigned euid) {
    return fs::path(base) / std::to_string(euid) / "mfsmon";
}

Error Refused(const fs::path& dir, const std::string& why) {
    return MakeError(ErrorKind::kInvalidArgument,
                     fmt::format("state directory {} {}: refused", dir.string(), why));
}

Error Failed(const fs::path& dir, const char* what, int err) {
    return MakeError(ErrorKind::kIo, fmt::format("state directory {}: {} failed ({})", dir.string(),
                                                 what, std::strerror(err)));
}

// The directory itself and the per-uid folder: we write files in them (or someone could put
// a directory of theirs in place of ours in them), so they must be ours alone.
Status CheckOwned(const fs::path& dir) {
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return Failed(dir, "lstat", errno);
    if (S_ISLNK(st.st_mode)) return Refused(dir, "is a symlink");
    if (!S_ISDIR(st.st_mode)) return Refused(dir, "is not a directory");
    const uid_t euid = ::geteuid();
    if (st.st_uid != euid) {
        return Refused(dir, fmt::format("is owned by uid {}, not {}", st.st_uid, euid));
    }
    if (st.st_mode & (S_IWGRP | S_IWOTH)) {
        return Refused(
            dir, fmt::format("is writable by group or others (mode {:04o})", st.st_mode & 07777));
    }
    return OkStatus();
}

// A parent that already exists (/var/lib, a shared /tmp/state) only has to be a directory:
// it may be a symlink (/var -> /private/var) and belong to anyone.
Status CheckParent(const fs::path& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return Failed(dir, "stat", errno);
    if (!S_ISDIR(st.st_mode)) return Refused(dir, "is not a directory");
    return OkStatus();
}

// mkdir does not follow a symlink in the last component (EEXIST), so a link planted where we
// create a folder is found by the lstat that follows, never written through.
Status MakeOne(const fs::path& dir, bool& created) {
    created = false;
    struct stat st {};
    if (::lstat(dir.c_str(), &st) == 0) return OkStatus();
    if (errno != ENOENT) return Failed(dir, "lstat", errno);
    if (::mkdir(dir.c_str(), 0700) == 0) {
        created = true;
        return OkStatus();
    }
    if (errno == EEXIST) return OkStatus();  // another run made it first; checked below
    return MakeError(ErrorKind::kIo, fmt::format("cannot create state directory {} ({})",
                                                 dir.string(), std::strerror(errno)));
}

// The folder named after the effective uid right above the directory: the Monitoring
// Plugins' per-uid subfolder ($MP_STATE_PATH/<euid>/mfsmon), held to the same rules.
bool IsPerUidFolder(const fs::path& component, const fs::path& dir) {
    return component == dir.parent_path() &&
           component.filename().string() == std::to_string(::geteuid());
}

}  // namespace

StateEnv StateEnv::FromProcess() {
    StateEnv env;
    env.mp_state_path = Variable("MP_STATE_PATH");
    env.nagios_plugin_state_directory = Variable("NAGIOS_PLUGIN_STATE_DIRECTORY");
    env.xdg_state_home = Variable("XDG_STATE_HOME");
    env.home = Variable("HOME");
    env.euid = ::geteuid();
    return env;
}

Result<fs::path> ResolveStateDir(const std::optional<std::string>& state_dir_option,
                                 const StateEnv& env) {
    if (state_dir_option) {
        if (state_dir_option->empty()) {
            return MakeError(ErrorKind::kInvalidArgument, "--state-dir is empty");
        }
        return fs::path(*state_dir_option);
    }
    if (Set(env.mp_state_path)) return PerUser(*env.mp_state_path, env.euid);
    if (Set(env.nagios_plugin_state_directory)) {
        return PerUser(*env.nagios_plugin_state_directory, env.euid);
    }
    if (env.euid == 0) return fs::path("/var/lib/mfsmon");
    // The XDG Base Directory spec: a relative XDG_STATE_HOME is invalid and is ignored.
    if (Set(env.xdg_state_home) && env.xdg_state_home->front() == '/') {
        return fs::path(*env.xdg_state_home) / "mfsmon";
    }
    if (Set(env.home)) return fs::path(*env.home) / ".local" / "state" / "mfsmon";
    return MakeError(ErrorKind::kInvalidArgument,
                     "no state directory: HOME is not set (give --state-dir)");
}

Status PrepareStateDir(const fs::path& dir) {
    if (dir.empty()) return MakeError(ErrorKind::kInvalidArgument, "state directory is empty");
    fs::path target = dir.lexically_normal();
    if (target.filename().empty() && target.has_parent_path()) target = target.parent_path();
    fs::path component;
    for (const fs::path& part : target) {
        if (part.empty()) continue;  // the "" after a trailing slash
        component /= part;
        if (component == target.root_path()) continue;
        bool created = false;
        if (Status s = MakeOne(component, created); !s) return s;
        const bool ours = created || component == target || IsPerUidFolder(component, target);
        Status checked = ours ? CheckOwned(component) : CheckParent(component);
        if (!checked) return checked;
    }
    return OkStatus();
}

}  // namespace mfsmon::history
