// `mfsmon exporter ...`: runs mfsmon-exporter, the Prometheus exporter, with the same
// arguments. The exporter is its own dynamically linked binary (prometheus-cpp and civetweb
// are shared objects only on Debian), while this check binary stays static for start-up
// speed; so this command executes it instead of linking it.
#pragma once

namespace mfsmon::cli {

// Looks beside this binary first (a build tree, /usr/bin), then in PATH. Returns only when
// the exec failed, with the exit code to use (after a message on stderr).
int ExecExporter(int argc, char** argv);

}  // namespace mfsmon::cli
