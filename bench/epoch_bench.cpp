// One full-batch epoch (forward + backward over the training set) at the paper's setting and
// a sweep over d, T and m, with the training set held as tokens or regenerated from (x_1,
// lambda). Reports sequences per second, achieved GFLOP/s (flop count from epoch_flops(), see
// core/src/kernel.cpp) and that rate as a fraction of the core's measured peak:
//   peak_frac   : GFLOP/s / (threads x one core's FMA peak)
//   muladd_frac : the same against the mul+add peak (our kernel cannot contract; see peak.hpp)
//   cpu_GFLOP/s : flops per second of process CPU time: the rate while we actually held a core,
//                 which stays meaningful when other processes share the machine;
//   cpu_peak_frac: cpu_GFLOP/s / one core's FMA peak.
// The peaks are measured once at startup (bench/peak.hpp) unless given:
//   mesaflow_bench --peak_gflops=35 --muladd_gflops=35
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>

#include "mesaflow/dataset.hpp"
#include "mesaflow/isa.hpp"
#include "mesaflow/kernel.hpp"
#include "mesaflow/model.hpp"
#include "mesaflow/models/model.hpp"
#include "mesaflow/reference.hpp"
#include "peak.hpp"

using namespace mesaflow;

namespace {

double g_peak = 0, g_muladd = 0;  // GFLOP/s of one core

Config setting(int d, int T, int m, Precision precision = Precision::Double) {
  Config c;
  c.d = d;
  c.T = T;
  c.m = m;
  c.precision = precision;
  return c;
}

double process_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

// Wall and process CPU seconds of a timing loop.
struct Clock {
  std::chrono::steady_clock::time_point wall0 = std::chrono::steady_clock::now();
  double cpu0 = process_cpu_seconds();
  double wall() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count(); }
  double cpu() const { return process_cpu_seconds() - cpu0; }
};

// flops: of one iteration.
void report(benchmark::State& state, double flops, int m, int threads, const Clock& clock) {
  const double wall = clock.wall(), cpu = clock.cpu();
  state.SetItemsProcessed(state.iterations() * m);
  const double total = flops * state.iterations() / 1e9;
  state.counters["GFLOP/s"] = benchmark::Counter(total, benchmark::Counter::kIsRate);
  if (cpu > 0) state.counters["cpu_GFLOP/s"] = total / cpu;
  if (cpu > 0 && g_peak > 0) state.counters["cpu_peak_frac"] = total / cpu / g_peak;
  if (wall > 0 && g_peak > 0) state.counters["peak_frac"] = total / wall / (g_peak * threads);
  if (wall > 0 && g_muladd > 0) state.counters["muladd_frac"] = total / wall / (g_muladd * threads);
}

// Times evaluate() with gradients (one training epoch) on a set of c drawn in layout.
void time_epoch(benchmark::State& state, const Config& c, DataLayout layout, int threads) {
  const Dataset ds = generate_dataset(c, c.m, kTrainStream, layout);
  const Params p = init_params(c);
  Params g;
  const Clock clock;
  for (auto _ : state) {
    const Evaluation ev = evaluate(p, ds, &g, threads);
    benchmark::DoNotOptimize(ev.loss);
    benchmark::DoNotOptimize(g.wkq.data());
  }
  report(state, epoch_flops(c.d, c.T, c.m), c.m, threads, clock);
}

// args: d, T, m, threads, regenerated (0: tokens stored, 1: regenerated from x_1 and lambda)
void BM_Epoch(benchmark::State& state) {
  time_epoch(state, setting(state.range(0), state.range(1), state.range(2)), state.range(4) ? DataLayout::Regenerated : DataLayout::Tokens,
             static_cast<int>(state.range(3)));
}
BENCHMARK(BM_Epoch)
    ->ArgNames({"d", "T", "m", "threads", "regen"})
    ->Args({5, 100, 10000, 1, 0})
    ->Args({5, 100, 10000, 1, 1})
    ->Args({5, 100, 10000, 2, 0})
    ->Args({5, 100, 10000, 2, 1})
    ->Args({2, 20, 100, 1, 1})
    ->Args({2, 100, 10000, 1, 1})
    ->Args({10, 100, 10000, 1, 1})
    ->Args({5, 50, 10000, 1, 1})
    ->Args({5, 200, 10000, 1, 1})
    ->Args({5, 100, 1000, 1, 1})
    ->Args({5, 100, 100000, 2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The same epoch in single precision (issue 12): data, weights and the scan's products in float,
// 16 sequences per pack; flops counted as for double. args: d, T, m, threads.
void BM_EpochSingle(benchmark::State& state) {
  time_epoch(state, setting(state.range(0), state.range(1), state.range(2), Precision::Single), DataLayout::Tokens,
             static_cast<int>(state.range(3)));
}
BENCHMARK(BM_EpochSingle)
    ->ArgNames({"d", "T", "m", "threads"})
    ->Args({5, 100, 10000, 1})
    ->Args({5, 100, 10000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One training epoch of each model of issue 23 through the model seam (models/model.hpp), at the
// paper's size (d 5, T 100, m 10,000), tokens stored (as the WebAssembly build holds them):
//   model 1: one layer of linear attention (the fused kernel, core/THEORY.md §2; = BM_Epoch regen:0),
//   model 2, 3, 4: layers 2, 3, 4 of linear attention with a residual stream (§12),
//   model 5: one layer of softmax attention (§11).
// GFLOP/s from the model's own count (Model::flops(Pass::Gradient), pinned term by term by
// tests/native/test_layers.cpp and test_softmax.cpp). muladd_frac is of the mul+add peak of the
// arithmetic the pass runs in: the kernel's single precision has twice the lanes of double (twice
// the peak); layers and softmax compute in double for either precision (their data and weights are
// floats in single), in scalar loops, so their peak is double's. args: model, threads, single.
void BM_EpochModel(benchmark::State& state) {
  const int which = static_cast<int>(state.range(0)), threads = static_cast<int>(state.range(1));
  Config c = setting(5, 100, 10000, state.range(2) ? Precision::Single : Precision::Double);
  if (which == 5) c.attention = Attention::Softmax;
  else c.layers = std::max(1, which);
  const Model& model = model_of(c);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream, DataLayout::Tokens);
  const Weights w = model.init(c);
  Weights g;
  const Clock clock;
  for (auto _ : state) {
    const Evaluation ev = model.evaluate(w, ds, &g, threads);
    benchmark::DoNotOptimize(ev.loss);
    benchmark::DoNotOptimize(g.blocks.data());
  }
  const bool float_kernel = which <= 1 && c.precision == Precision::Single;  // the fused kernel in float
  const double peak_lanes = float_kernel ? 2 : 1, flops = model.flops(Pass::Gradient, c.d, c.T, c.m);
  report(state, flops, c.m, threads, clock);
  if (g_muladd > 0) {  // report() took double's peak
    const double wall = clock.wall(), total = flops * state.iterations() / 1e9;
    if (wall > 0) state.counters["muladd_frac"] = total / wall / (g_muladd * peak_lanes * threads);
  }
  state.counters["flops_per_epoch"] = flops;
  state.SetLabel(std::string(which == 5 ? "softmax" : "layers " + std::to_string(std::max(1, which))) +
                 (c.precision == Precision::Single ? ", single" : ", double"));
}
BENCHMARK(BM_EpochModel)
    ->ArgNames({"model", "threads", "single"})
    ->ArgsProduct({{1, 2, 3, 4, 5}, {1, 2}, {0, 1}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Forward-only evaluation of a 10,000-sequence test set (done at every recorded epoch).
// args: threads, regenerated
void BM_Evaluate(benchmark::State& state) {
  const Config c = setting(5, 100, 10000);
  const int threads = static_cast<int>(state.range(0));
  const Dataset ds = generate_dataset(c, c.m, kTestStream, state.range(1) ? DataLayout::Regenerated : DataLayout::Tokens);
  const Params p = init_params(c);
  const Clock clock;
  for (auto _ : state) benchmark::DoNotOptimize(evaluate_test(p, ds, threads).loss);  // the test set's pass
  report(state, forward_flops(c.d, c.T, c.m), c.m, threads, clock);
}
BENCHMARK(BM_Evaluate)
    ->ArgNames({"threads", "regen"})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The plain Eigen reference path, for comparison (m = 1,000 to keep it short).
void BM_ReferenceEpoch(benchmark::State& state) {
  const Config c = setting(5, 100, 1000);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Params p = init_params(c);
  Params g;
  const Clock clock;
  for (auto _ : state) benchmark::DoNotOptimize(reference_loss_grad(p, ds, &g));
  report(state, epoch_flops(c.d, c.T, c.m), c.m, 1, clock);
}
BENCHMARK(BM_ReferenceEpoch)->Unit(benchmark::kMillisecond)->UseRealTime();

// Drawing the paper's training set (m = 10,000, T = 100, d = 5) in either representation.
void BM_Generate(benchmark::State& state) {
  const Config c = setting(5, 100, 10000);
  const DataLayout layout = state.range(0) ? DataLayout::Regenerated : DataLayout::Tokens;
  for (auto _ : state) benchmark::DoNotOptimize(generate_dataset(c, c.m, kTrainStream, layout).m);
  state.SetItemsProcessed(state.iterations() * c.m);
}
BENCHMARK(BM_Generate)->ArgName("regen")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// Takes --peak_gflops=X and --muladd_gflops=X out of argv (before Google Benchmark sees them).
void take_flags(int& argc, char** argv) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    if (std::strncmp(a, "--peak_gflops=", 14) == 0) g_peak = std::atof(a + 14);
    else if (std::strncmp(a, "--muladd_gflops=", 16) == 0) g_muladd = std::atof(a + 16);
    else argv[out++] = argv[i];
  }
  argc = out;
}

}  // namespace

int main(int argc, char** argv) {
  take_flags(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const bool measured = g_peak <= 0 || g_muladd <= 0;
  // The peak of the instruction set the kernel runs with (isa.hpp; MESAFLOW_ISA forces one).
  try {
    kernel_isa();
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "mesaflow_bench: %s\n", e.what());
    return 2;
  }
  const bench::Isa isa = bench::isa_of_kernel(kernel_isa());
  if (g_peak <= 0) g_peak = bench::measure_peak_gflops(isa, bench::Op::Fma);
  if (g_muladd <= 0) g_muladd = bench::measure_peak_gflops(isa, bench::Op::MulAdd);
  benchmark::AddCustomContext("kernel_isa", kernel_isa());
  benchmark::AddCustomContext("kernel_scan_bytes", std::to_string(kernel_scan_bytes()));
  benchmark::AddCustomContext("peak_isa", bench::isa_name(isa));
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", g_peak);
  benchmark::AddCustomContext("core_peak_fma_GFLOP/s", buf);
  std::snprintf(buf, sizeof buf, "%.2f", g_muladd);
  benchmark::AddCustomContext("core_peak_muladd_GFLOP/s", buf);
  benchmark::AddCustomContext("peak_source", measured ? "measured at startup per CPU second (best of 5, bench/peak.hpp)" : "given by flag");
  std::snprintf(buf, sizeof buf, "%.4g", epoch_flops(5, 100, 10000));
  benchmark::AddCustomContext("epoch_flops_paper_setting", buf);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
