#include "exporter/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace mfsmon::exporter {

namespace {

prometheus::MetricFamily One(const char* name, const char* help, prometheus::MetricType type,
                             double value) {
    prometheus::MetricFamily f;
    f.name = name;
    f.help = help;
    f.type = type;
    prometheus::ClientMetric m;
    if (type == prometheus::MetricType::Counter) {
        m.counter.value = value;
    } else {
        m.gauge.value = value;
    }
    f.metric.push_back(std::move(m));
    return f;
}

// Seconds since the epoch at which the system booted (/proc/stat btime).
bool BootTime(double& out) {
    std::ifstream in("/proc/stat");
    std::string key;
    while (in >> key) {
        if (key == "btime") return static_cast<bool>(in >> out);
        in.ignore(1 << 20, '\n');
    }
    return false;
}

int OpenDescriptors() {
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) return -1;
    int n = 0;
    while (const dirent* e = readdir(dir)) {
        if (e->d_name[0] != '.') ++n;
    }
    closedir(dir);
    return n - 1;  // the directory stream's own descriptor
}

}  // namespace

std::vector<prometheus::MetricFamily> ProcessMetricFamilies() {
    using prometheus::MetricType;
    std::vector<prometheus::MetricFamily> out;
    const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));

    std::ifstream stat_file("/proc/self/stat");
    const std::string stat((std::istreambuf_iterator<char>(stat_file)),
                           std::istreambuf_iterator<char>());
    // Fields after the command name, which is in parentheses and may hold spaces.
    const auto close = stat.rfind(')');
    // /proc is the kernel's, but a number that does not parse leaves its families out rather
    // than failing the scrape.
    if (close != std::string::npos && ticks > 0) try {
            std::istringstream fields(stat.substr(close + 2));
            // f[i] is field i + 3 of proc(5): utime is 14, stime 15, starttime 22, vsize 23,
            // rss 24.
            std::string f[22];
            for (auto& x : f) fields >> x;
            const double utime = std::stod(f[14 - 3]), stime = std::stod(f[15 - 3]);
            out.push_back(One("process_cpu_seconds_total",
                              "Total user and system CPU time spent in seconds.",
                              MetricType::Counter, (utime + stime) / ticks));
            out.push_back(One("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                              MetricType::Gauge, std::stod(f[23 - 3])));
            out.push_back(One("process_resident_memory_bytes", "Resident memory size in bytes.",
                              MetricType::Gauge, std::stod(f[24 - 3]) * page));
            double boot = 0;
            if (BootTime(boot)) {
                out.push_back(One("process_start_time_seconds",
                                  "Start time of the process since unix epoch in seconds.",
                                  MetricType::Gauge, boot + std::stod(f[22 - 3]) / ticks));
            }
        } catch (const std::exception&) {
        }
    if (const int fds = OpenDescriptors(); fds >= 0) {
        out.push_back(
            One("process_open_fds", "Number of open file descriptors.", MetricType::Gauge, fds));
    }
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        out.push_back(One("process_max_fds", "Maximum number of open file descriptors.",
                          MetricType::Gauge, static_cast<double>(limit.rlim_cur)));
    }
    return out;
}

}  // namespace mfsmon::exporter
