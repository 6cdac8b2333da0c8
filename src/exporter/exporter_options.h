// mfsmon-exporter's command line (CLI11).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace mfsmon::exporter {

inline constexpr const char* kDefaultListen = ":9423";

struct ExporterOptions {
    std::vector<std::string> listen{kDefaultListen};  // ADDR:PORT, :PORT, [V6]:PORT
    std::vector<std::string> masters;                 // HOST[:PORT], served on /metrics
    std::vector<std::string> allow_targets;           // HOST[:PORT] | CIDR
    double timeout_s = 10;
    double timeout_offset_s = 0.5;
    double cs_timeout_s = 0;  // 0: half of the probe's budget
    std::size_t http_threads = 64;
    std::size_t max_open_chunkservers = 64;
    double keep_idle_s = 300;
};

void AddExporterOptions(CLI::App& app, ExporterOptions& options);

// "--listen" values in civetweb's listening_ports form ("9423", "127.0.0.1:9423",
// "[::1]:9423"), comma separated; throws CLI::ValidationError for a bad one.
std::string CivetListeningPorts(const std::vector<std::string>& listen);

}  // namespace mfsmon::exporter
