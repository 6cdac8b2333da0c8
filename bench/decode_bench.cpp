// Micro-benchmarks of the pure stages on recorded real answers: how much of a check's time
// is decoding and rating (next to nothing, which is the point).
#include <benchmark/benchmark.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "health/replicas_rule.h"
#include "protocol/chunks_matrix_decoder.h"
#include "protocol/info_decoder.h"
#include "render/plugin_output.h"

namespace {

std::vector<std::uint8_t> Payload(const std::string& rel) {
    std::ifstream in(std::string(MFSMON_FIXTURES_DIR) + "/" + rel, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                    std::istreambuf_iterator<char>());
    if (bytes.size() < 8) std::abort();
    return {bytes.begin() + 8, bytes.end()};
}

void BM_DecodeInfo(benchmark::State& state, const char* rel) {
    const auto payload = Payload(rel);
    for (auto _ : state) benchmark::DoNotOptimize(mfsmon::protocol::DecodeInfo(payload));
}

void BM_DecodeMatrix(benchmark::State& state, const char* info_rel, const char* matrix_rel) {
    const auto info = mfsmon::protocol::DecodeInfo(Payload(info_rel));
    const auto payload = Payload(matrix_rel);
    for (auto _ : state) {
        benchmark::DoNotOptimize(mfsmon::protocol::DecodeChunksMatrix(payload, info->version));
    }
}

void BM_RateAndRender(benchmark::State& state) {
    mfsmon::model::ReplicaSnapshot s;
    s.info =
        *mfsmon::protocol::DecodeInfo(Payload("3.0.117/three-killed/SIC/02-master-ans-511.bin"));
    s.matrices = *mfsmon::protocol::DecodeChunksMatrix(
        Payload("3.0.117/three-killed/SIC/04-master-ans-517.bin"), s.info.version);
    const auto t = mfsmon::health::ReplicasThresholds::Defaults();
    for (auto _ : state) {
        auto report = mfsmon::health::EvaluateReplicas(s, t);
        benchmark::DoNotOptimize(mfsmon::render::RenderPluginOutput("MOOSEFS REPLICAS", report));
    }
}

BENCHMARK_CAPTURE(BM_DecodeInfo, v3_149, "3.0.117/healthy/SIC/02-master-ans-511.bin");
BENCHMARK_CAPTURE(BM_DecodeInfo, v4_205, "4.59.2/healthy/SIC/02-master-ans-511.bin");
BENCHMARK_CAPTURE(BM_DecodeMatrix, v3_969, "3.0.117/healthy/SIC/02-master-ans-511.bin",
                  "3.0.117/healthy/SIC/04-master-ans-517.bin");
BENCHMARK_CAPTURE(BM_DecodeMatrix, v4_3873, "4.59.2/healthy/SIC/02-master-ans-511.bin",
                  "4.59.2/healthy/SIC/06-master-ans-517.bin");
BENCHMARK(BM_RateAndRender);

}  // namespace

BENCHMARK_MAIN();
