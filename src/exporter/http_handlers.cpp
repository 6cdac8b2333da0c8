#include "exporter/http_handlers.h"

#include <civetweb.h>

#include <algorithm>
#include <cstring>
#include <exception>
#include <future>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <prometheus/text_serializer.h>

#include "cli/option_values.h"
#include "common/printable.h"
#include "exporter/gzip.h"
#include "exporter/process_metrics.h"
#include "transport/reply_reading.h"

namespace mfsmon::exporter {

namespace {

constexpr const char* kMetricsType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::uint16_t kDefaultMasterPort = 9421;

std::string_view Header(mg_connection* conn, const char* name) {
    const char* value = mg_get_header(conn, name);
    return value == nullptr ? std::string_view{} : std::string_view(value);
}

// Debian's civetweb 1.15 writes the Date header with gmtime(), whose result is one static
// buffer for the whole process: two workers answering at once can garble each other's date
// (ThreadSanitizer reports it). Our answers send their headers one at a time.
std::mutex header_mutex;

void Respond(mg_connection* conn, int status, const char* content_type, const std::string& body,
             bool may_compress) {
    std::string compressed;
    if (may_compress && body.size() > 1024 && AcceptsGzip(Header(conn, "Accept-Encoding"))) {
        compressed = Gzip(body);
    }
    const std::string& sent = compressed.empty() ? body : compressed;
    mg_response_header_start(conn, status);
    mg_response_header_add(conn, "Content-Type", content_type, -1);
    const std::string length = std::to_string(sent.size());
    mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
    if (!compressed.empty()) mg_response_header_add(conn, "Content-Encoding", "gzip", -1);
    mg_response_header_add(conn, "Cache-Control", "no-store", -1);
    {
        std::lock_guard lock(header_mutex);
        mg_response_header_send(conn);
    }
    mg_write(conn, sent.data(), sent.size());
}

void RespondText(mg_connection* conn, int status, const std::string& text) {
    Respond(conn, status, "text/plain; charset=utf-8", text + "\n", false);
}

std::chrono::milliseconds BudgetOf(mg_connection* conn, const BudgetSettings& settings) {
    return ScrapeBudget(Header(conn, "X-Prometheus-Scrape-Timeout-Seconds"), settings);
}

// The `target` query parameter as HOST and PORT, or the 400 text.
Result<ProbeTarget> TargetOf(mg_connection* conn) {
    const mg_request_info* info = mg_get_request_info(conn);
    const char* query = info->query_string;
    if (query == nullptr) {
        return MakeError(ErrorKind::kInvalidArgument,
                         "the target parameter is missing: /probe?target=HOST[:PORT]");
    }
    char value[512];
    const int n = mg_get_var2(query, std::strlen(query), "target", value, sizeof value, 0);
    if (n == -1) {
        return MakeError(ErrorKind::kInvalidArgument,
                         "the target parameter is missing: /probe?target=HOST[:PORT]");
    }
    if (n < 0) {
        return MakeError(ErrorKind::kInvalidArgument, "the target parameter is too long");
    }
    auto hp = cli::ParseHostPort(std::string_view(value, static_cast<std::size_t>(n)));
    if (!hp) {
        return MakeError(ErrorKind::kInvalidArgument,
                         fmt::format("bad target: {}", hp.error().message));
    }
    return ProbeTarget{hp->host, hp->port.value_or(kDefaultMasterPort)};
}

std::string Serialize(const std::vector<prometheus::MetricFamily>& families) {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    return std::move(out).str();
}

void MergeInto(std::vector<prometheus::MetricFamily>& into,
               const std::vector<prometheus::MetricFamily>& from) {
    for (const auto& f : from) {
        auto same = std::find_if(into.begin(), into.end(), [&](const prometheus::MetricFamily& g) {
            return g.name == f.name;
        });
        if (same == into.end()) {
            into.push_back(f);
        } else {
            same->metric.insert(same->metric.end(), f.metric.begin(), f.metric.end());
        }
    }
}

// A handler's work with every exception turned into a 500: civetweb's threads must never see
// one (bad_alloc under memory pressure is the only one expected).
template <typename Work>
bool Guarded(ExporterMetrics& metrics, const char* handler, mg_connection* conn, Work work) {
    int status = 500;
    try {
        status = work();
    } catch (const std::exception& e) {
        RespondText(conn, 500, fmt::format("internal error: {}", e.what()));
    }
    metrics.CountRequest(handler, status);
    return true;
}

// civetweb hands a handler every URI its path is a prefix of, ignoring case ("/probe.html",
// "/PROBEX"): only the exact path is served.
bool NotExactly(mg_connection* conn, const char* path) {
    if (std::strcmp(mg_get_request_info(conn)->local_uri, path) == 0) return false;
    RespondText(conn, 404, "not found: try /, /metrics or /probe?target=HOST[:PORT]");
    return true;
}

}  // namespace

bool ExporterHandler::handlePost(CivetServer*, mg_connection* conn) {
    return NotAllowed(conn);
}
bool ExporterHandler::handlePut(CivetServer*, mg_connection* conn) {
    return NotAllowed(conn);
}
bool ExporterHandler::handleDelete(CivetServer*, mg_connection* conn) {
    return NotAllowed(conn);
}
bool ExporterHandler::handlePatch(CivetServer*, mg_connection* conn) {
    return NotAllowed(conn);
}

bool ExporterHandler::NotAllowed(mg_connection* conn) {
    const std::string body = "only GET is served here\n";
    const std::string length = std::to_string(body.size());
    mg_response_header_start(conn, 405);
    mg_response_header_add(conn, "Allow", "GET", -1);
    mg_response_header_add(conn, "Content-Type", "text/plain; charset=utf-8", -1);
    mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
    {
        std::lock_guard lock(header_mutex);
        mg_response_header_send(conn);
    }
    mg_write(conn, body.data(), body.size());
    context_.metrics.CountRequest("other", 405);
    return true;
}

bool ProbeHandler::handleGet(CivetServer*, mg_connection* conn) {
    return Guarded(context_.metrics, "probe", conn, [&] {
        if (NotExactly(conn, "/probe")) return 404;
        auto target = TargetOf(conn);
        if (!target) {
            RespondText(conn, 400, target.error().message);
            return 400;
        }
        if (!context_.settings.allow.Allows(target->host, target->port)) {
            context_.metrics.CountRefusedTarget();
            RespondText(conn, 403,
                        fmt::format("target {} is not allowed by --allow-target",
                                    ControlCharsReplaced(
                                        transport::reply::PeerName(target->host, target->port))));
            return 403;
        }
        const auto answer =
            context_.prober.Probe(*target, {}, BudgetOf(conn, context_.settings.budget));
        Respond(conn, 200, kMetricsType, answer->text, true);
        return 200;
    });
}

bool MetricsHandler::handleGet(CivetServer*, mg_connection* conn) {
    return Guarded(context_.metrics, "metrics", conn, [&] {
        if (NotExactly(conn, "/metrics")) return 404;
        const auto budget = BudgetOf(conn, context_.settings.budget);
        // The masters side by side: one that hangs costs the budget once, not once per master.
        std::vector<std::future<std::shared_ptr<const ProbeAnswer>>> probes;
        for (const auto& m : context_.settings.masters) {
            LabelPairs labels{{"master", transport::reply::PeerName(m.host, m.port)}};
            probes.push_back(std::async(std::launch::async, [this, m, labels, budget] {
                return context_.prober.Probe(m, labels, budget);
            }));
        }
        std::vector<std::shared_ptr<const ProbeAnswer>> answers;
        for (auto& p : probes) answers.push_back(p.get());

        std::vector<prometheus::MetricFamily> own = ProcessMetricFamilies();
        auto exporter = context_.metrics.Collect(context_.pool.Stats(), context_.prober.InFlight());
        own.insert(own.end(), std::make_move_iterator(exporter.begin()),
                   std::make_move_iterator(exporter.end()));
        // Two masters' families of one name become one family (one HELP/TYPE, series grouped),
        // as the text format requires.
        std::string comments;
        for (const auto& a : answers) {
            if (!a->up) comments += fmt::format("# mfsmon: {}\n", a->error);
            MergeInto(own, a->families);
        }
        Respond(conn, 200, kMetricsType, comments + Serialize(own), true);
        return 200;
    });
}

bool LandingHandler::handleGet(CivetServer*, mg_connection* conn) {
    return Guarded(context_.metrics, "landing", conn, [&] {
        const mg_request_info* info = mg_get_request_info(conn);
        if (std::strcmp(info->local_uri, "/") != 0) {
            RespondText(conn, 404, "not found: try /, /metrics or /probe?target=HOST[:PORT]");
            return 404;
        }
        std::string masters;
        for (const auto& m : context_.settings.masters) {
            masters += fmt::format("<li>{}</li>", transport::reply::PeerName(m.host, m.port));
        }
        const std::string page = fmt::format(
            "<!DOCTYPE html>\n<html><head><title>mfsmon exporter</title></head><body>\n"
            "<h1>mfsmon exporter {}</h1>\n"
            "<p>Prometheus exporter for MooseFS clusters.</p>\n<ul>\n"
            "<li><a href=\"/metrics\">/metrics</a>: the exporter's own metrics{}</li>\n"
            "<li>/probe?target=HOST[:PORT]: one MooseFS master and its chunkservers "
            "(port 9421 when not given){}</li>\n</ul>\n{}</body></html>\n",
            context_.settings.version,
            masters.empty() ? "" : " and these masters: <ul>" + masters + "</ul>",
            context_.settings.allow.Restricted() ? ", restricted by --allow-target"
                                                 : ", to any target (no --allow-target)",
            "<p>Metrics: docs/metrics.md in the mfsmon sources.</p>\n");
        Respond(conn, 200, "text/html; charset=utf-8", page, false);
        return 200;
    });
}

}  // namespace mfsmon::exporter
