#include "exporter/exporter_options.h"

#include <fmt/format.h>

#include "cli/option_values.h"
#include "exporter/target_allow_list.h"

namespace mfsmon::exporter {

namespace {

// A CLI11 validator from one of our parsers: its message is the error.
template <typename Parse>
CLI::Validator Checked(const char* name, Parse parse) {
    return CLI::Validator(
        [parse](std::string& value) -> std::string {
            auto r = parse(value);
            return r ? std::string{} : r.error().message;
        },
        name);
}

void AddSeconds(CLI::App& app, const char* flag, double& target, const char* help, double min,
                double max) {
    app.add_option(flag, target, help)
        ->capture_default_str()
        ->type_name("SEC")
        ->check(Checked("SEC", [flag, min, max](const std::string& v) {
            return cli::ParseSeconds(v, flag, min, max, false);
        }));
}

}  // namespace

void AddExporterOptions(CLI::App& app, ExporterOptions& o) {
    app.add_option("--listen", o.listen,
                   "address to listen on: :PORT (every IPv4 address), ADDR:PORT or [V6]:PORT; "
                   "repeatable")
        ->capture_default_str()
        ->type_name("ADDR:PORT");
    app.add_option("--master", o.masters,
                   "a master (HOST[:PORT], port 9421 by default) served on /metrics, each series "
                   "labelled master=\"host:port\"; repeatable. /probe?target= needs none")
        ->type_name("HOST[:PORT]")
        ->check(Checked("HOST[:PORT]", cli::ParseHostPort));
    app.add_option("--allow-target", o.allow_targets,
                   "allow /probe only for this HOST, HOST:PORT or CIDR (numeric targets); "
                   "repeatable. Without it /probe connects wherever it is told")
        ->type_name("HOST[:PORT]|CIDR")
        ->check(Checked("HOST[:PORT]|CIDR", TargetAllowList::ParseEntry));
    AddSeconds(app, "--timeout", o.timeout_s,
               "longest collection per scrape; a Prometheus scrape timeout header shortens it", 0.1,
               3600);
    AddSeconds(app, "--timeout-offset", o.timeout_offset_s,
               "answer this much before the scrape timeout Prometheus sends", 0, 60);
    AddSeconds(app, "--cs-timeout", o.cs_timeout_s,
               "each chunkserver's disk query (0: half of the scrape's budget)", 0, 3600);
    app.add_option("--http-threads", o.http_threads,
                   "HTTP worker threads: requests served at once (more wait in a queue)")
        ->capture_default_str()
        ->check(CLI::Range(1, 1024));
    app.add_option("--max-open-chunkservers", o.max_open_chunkservers,
                   "chunkserver connections one collection opens at once")
        ->capture_default_str()
        ->check(CLI::Range(1, 4096));
    AddSeconds(app, "--keep-idle", o.keep_idle_s,
               "close a kept connection to a master or chunkserver after this long unused", 1,
               86400);
}

std::string CivetListeningPorts(const std::vector<std::string>& listen) {
    std::string out;
    for (const auto& l : listen) {
        std::string port_text;
        std::string address;
        if (!l.empty() && l.front() == ':') {
            port_text = l.substr(1);
        } else {
            auto hp = cli::ParseHostPort(l);
            if (!hp || !hp->port) {
                throw CLI::ValidationError("--listen", fmt::format("\"{}\": expected ADDR:PORT, "
                                                                   ":PORT or [V6]:PORT",
                                                                   l));
            }
            port_text = std::to_string(*hp->port);
            address = hp->host.find(':') != std::string::npos ? "[" + hp->host + "]" : hp->host;
        }
        auto port = cli::ParsePort(port_text);
        if (!port) throw CLI::ValidationError("--listen", port.error().message);
        if (!out.empty()) out += ',';
        out += address.empty() ? std::to_string(*port) : fmt::format("{}:{}", address, *port);
    }
    return out;
}

}  // namespace mfsmon::exporter
