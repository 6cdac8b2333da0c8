// Where the history lives. In this order:
//   --state-dir DIR                      (used as given)
//   $MP_STATE_PATH/<euid>/mfsmon         (the Monitoring Plugins library's state variables,
//   $NAGIOS_PLUGIN_STATE_DIRECTORY/<euid>/mfsmon   with its per-uid subfolder, so root's and
//                                         the monitoring user's runs never share a file)
//   /var/lib/mfsmon                      (root)
//   $XDG_STATE_HOME/mfsmon, else $HOME/.local/state/mfsmon   (everyone else)
// Folders we create are 0700. A folder we are to use must be a real directory owned by us
// (or by root, for the shared parents); a symlink planted in a shared folder is refused,
// never followed.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/result.h"

namespace mfsmon::history {

// The environment as it matters here (tests pass their own).
struct StateEnv {
    std::optional<std::string> mp_state_path;
    std::optional<std::string> nagios_plugin_state_directory;
    std::optional<std::string> xdg_state_home;
    std::optional<std::string> home;
    unsigned euid = 0;

    static StateEnv FromProcess();
};

// The directory the store goes in, by the order above, without touching the filesystem.
// Fails only when no rule applies (no HOME for a non-root user).
Result<std::filesystem::path> ResolveStateDir(const std::optional<std::string>& state_dir_option,
                                              const StateEnv& env);

// Creates the directory (and missing parents, 0700) and checks it is safe to use: a real
// directory, not a symlink, owned by the effective user, not writable by others. The error
// says which folder failed and why, in one line.
Status PrepareStateDir(const std::filesystem::path& dir);

}  // namespace mfsmon::history
