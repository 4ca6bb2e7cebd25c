// Floating-point peak of one core (and of all cores with --benchmark_filter=.../threads:2):
// the yardstick for the GFLOP/s that epoch_bench reports. See peak.hpp for the kernels.
#include <benchmark/benchmark.h>

#include <chrono>

#include "peak.hpp"

using namespace mesaflow::bench;

namespace {


void BM_Peak(benchmark::State& state, Isa isa, Op op) {
  if (!isa_supported(isa, op)) {
    state.SkipWithError("instruction set not supported by this CPU");
    return;
  }
  const std::int64_t n = 1 << 20;
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = thread_cpu_seconds();
  for (auto _ : state) benchmark::DoNotOptimize(run_peak(isa, op, n));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = thread_cpu_seconds() - c0;
  // Each thread's own rate; with threads:2 the machine's total is twice the per-thread figure.
  const double g = peak_flops(isa, op, n) * state.iterations() / 1e9 / s;
  state.counters["GFLOP/s_per_thread"] = benchmark::Counter(g, benchmark::Counter::kAvgThreads);
  state.counters["GFLOP/s_total"] = benchmark::Counter(g);  // summed over threads
  // Per second of this thread's CPU time: the core's rate while we held it (stable under load).
  if (cpu > 0)
    state.counters["cpu_GFLOP/s"] =
        benchmark::Counter(peak_flops(isa, op, n) * state.iterations() / 1e9 / cpu, benchmark::Counter::kAvgThreads);
}

#ifdef MESAFLOW_PEAK_X86
BENCHMARK_CAPTURE(BM_Peak, avx512_fma, Isa::Avx512, Op::Fma)->UseRealTime()->Threads(1)->Threads(2);
BENCHMARK_CAPTURE(BM_Peak, avx512_muladd, Isa::Avx512, Op::MulAdd)->UseRealTime()->Threads(1)->Threads(2);
BENCHMARK_CAPTURE(BM_Peak, avx2_fma, Isa::Avx2, Op::Fma)->UseRealTime()->Threads(1)->Threads(2);
BENCHMARK_CAPTURE(BM_Peak, avx2_muladd, Isa::Avx2, Op::MulAdd)->UseRealTime()->Threads(1)->Threads(2);
#endif
// 16-byte vectors: SSE2 on x86-64, NEON on aarch64, plain C++ elsewhere (peak.hpp).
BENCHMARK_CAPTURE(BM_Peak, v128_muladd, Isa::V128, Op::MulAdd)->UseRealTime()->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
