// The exporter's HTTP endpoints, on civetweb's C++ API (prometheus-cpp's own Exposer gives a
// collector no request, so /probe?target= cannot go through it):
//   /probe?target=HOST[:PORT]  one master and its chunkservers (multi-target, like
//                              blackbox_exporter): 400 for a bad target, 403 for one no
//                              --allow-target matches (nothing is connected to), else 200
//                              with mfsmon_up 0 or 1;
//   /metrics                   the exporter's own metrics, and the --master masters, each
//                              series labelled master="host:port";
//   /                          a landing page: version and links.
// Answers are gzip-compressed when the client accepts it. Handlers never throw into civetweb.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <CivetServer.h>

#include "exporter/exporter_metrics.h"
#include "exporter/prober.h"
#include "exporter/scrape_budget.h"
#include "exporter/target_allow_list.h"

namespace mfsmon::exporter {

struct HandlerSettings {
    BudgetSettings budget;
    TargetAllowList allow;
    std::vector<ProbeTarget> masters;  // --master, served on /metrics
    std::string version;
};

// Everything the handlers share; outlives the server.
struct HandlerContext {
    HandlerSettings settings;
    collect::ConnectionPool& pool;
    ExporterMetrics& metrics;
    Prober& prober;
};

// Serves GET only: other methods get 405 with "Allow: GET" (civetweb's default would be to
// look for a file to serve).
class ExporterHandler : public CivetHandler {
  public:
    explicit ExporterHandler(HandlerContext& context) : context_(context) {}
    bool handlePost(CivetServer* server, mg_connection* conn) override;
    bool handlePut(CivetServer* server, mg_connection* conn) override;
    bool handleDelete(CivetServer* server, mg_connection* conn) override;
    bool handlePatch(CivetServer* server, mg_connection* conn) override;

  protected:
    bool NotAllowed(mg_connection* conn);
    HandlerContext& context_;
};

class ProbeHandler : public ExporterHandler {
  public:
    using ExporterHandler::ExporterHandler;
    bool handleGet(CivetServer* server, mg_connection* conn) override;
};

class MetricsHandler : public ExporterHandler {
  public:
    using ExporterHandler::ExporterHandler;
    bool handleGet(CivetServer* server, mg_connection* conn) override;
};

class LandingHandler : public ExporterHandler {
  public:
    using ExporterHandler::ExporterHandler;
    bool handleGet(CivetServer* server, mg_connection* conn) override;
};

}  // namespace mfsmon::exporter
