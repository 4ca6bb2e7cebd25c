// Floating-point peak of one core (and of all cores with --benchmark_filter=.../threads:2):
// the yardstick for the GFLOP/s that epoch_bench reports. See peak.hpp for the kernels.
#include <benchmark/benchmark.h>

#include "peak.hpp"

using namespace mesaflow::bench;

namespace {

void BM_Peak(benchmark::State& state, Isa isa, Op op) {
  if (!isa_supported(isa)) {
    state.SkipWithError("instruction set not supported by this CPU");
    return;
  }
  const std::int64_t n = 1 << 20;
  for (auto _ : state) benchmark::DoNotOptimize(run_peak(isa, op, n));
  state.counters["GFLOP/s"] = benchmark::Counter(peak_flops(isa, op, n) * state.iterations() / 1e9,
                                                 benchmark::Counter::kIsRate);
}

BENCHMARK_CAPTURE(BM_Peak, avx512_fma, Isa::Avx512, Op::Fma)->UseRealTime()->Threads(1)->Threads(2);
BENCHMARK_CAPTURE(BM_Peak, avx512_muladd, Isa::Avx512, Op::MulAdd)->UseRealTime()->Threads(1)->Threads(2);
BENCHMARK_CAPTURE(BM_Peak, avx2_fma, Isa::Avx2, Op::Fma)->UseRealTime()->Threads(1)->Threads(2);
BENCHMARK_CAPTURE(BM_Peak, avx2_muladd, Isa::Avx2, Op::MulAdd)->UseRealTime()->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
