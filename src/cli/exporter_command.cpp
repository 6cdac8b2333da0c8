#include "cli/exporter_command.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace mfsmon::cli {

int ExecExporter(int argc, char** argv) {
    std::vector<char*> args;
    static char name[] = "mfsmon-exporter";
    args.push_back(name);
    for (int i = 2; i < argc; ++i) args.push_back(argv[i]);  // after "mfsmon exporter"
    args.push_back(nullptr);

    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
        std::string path(self, static_cast<std::size_t>(n));
        path = path.substr(0, path.rfind('/') + 1) + name;
        execv(path.c_str(), args.data());
    }
    execvp(name, args.data());
    std::fprintf(stderr,
                 "mfsmon: cannot run mfsmon-exporter (looked beside mfsmon and in PATH): %s\n",
                 std::strerror(errno));
    return 127;
}

}  // namespace mfsmon::cli
