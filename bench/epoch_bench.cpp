// One full-batch epoch (forward + backward over the training set) at the paper's setting and
// a sweep over d, T and m. Reports sequences per second and achieved GFLOP/s (flop count from
// epoch_flops(), see core/src/kernel.cpp).
#include <benchmark/benchmark.h>

#include "mesaflow/dataset.hpp"
#include "mesaflow/kernel.hpp"
#include "mesaflow/model.hpp"
#include "mesaflow/reference.hpp"

using namespace mesaflow;

namespace {

Config setting(int d, int T, int m) {
  Config c;
  c.d = d;
  c.T = T;
  c.m = m;
  return c;
}

void report(benchmark::State& state, const Config& c) {
  state.SetItemsProcessed(state.iterations() * c.m);
  state.counters["GFLOP/s"] =
      benchmark::Counter(epoch_flops(c.d, c.T, c.m) * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

// args: d, T, m, threads
void BM_Epoch(benchmark::State& state) {
  const Config c = setting(state.range(0), state.range(1), state.range(2));
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Params p = init_params(c);
  Params g;
  for (auto _ : state) {
    const Evaluation ev = evaluate(p, ds, &g, static_cast<int>(state.range(3)));
    benchmark::DoNotOptimize(ev.loss);
    benchmark::DoNotOptimize(g.wkq.data());
  }
  report(state, c);
}
BENCHMARK(BM_Epoch)
    ->ArgNames({"d", "T", "m", "threads"})
    ->Args({5, 100, 10000, 1})
    ->Args({5, 100, 10000, 2})
    ->Args({2, 20, 100, 1})
    ->Args({2, 100, 10000, 1})
    ->Args({10, 100, 10000, 1})
    ->Args({5, 50, 10000, 1})
    ->Args({5, 200, 10000, 1})
    ->Args({5, 100, 1000, 1})
    ->Args({5, 100, 100000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Forward-only evaluation of a 10,000-sequence test set (done at every recorded epoch).
void BM_Evaluate(benchmark::State& state) {
  const Config c = setting(5, 100, 10000);
  const Dataset ds = generate_dataset(c, c.m, kTestStream);
  const Params p = init_params(c);
  for (auto _ : state) benchmark::DoNotOptimize(evaluate(p, ds, nullptr, 1).loss);
  state.SetItemsProcessed(state.iterations() * c.m);
}
BENCHMARK(BM_Evaluate)->Unit(benchmark::kMillisecond)->UseRealTime();

// The plain Eigen reference path, for comparison (m = 1,000 to keep it short).
void BM_ReferenceEpoch(benchmark::State& state) {
  const Config c = setting(5, 100, 1000);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Params p = init_params(c);
  Params g;
  for (auto _ : state) benchmark::DoNotOptimize(reference_loss_grad(p, ds, &g));
  report(state, c);
}
BENCHMARK(BM_ReferenceEpoch)->Unit(benchmark::kMillisecond)->UseRealTime();

// Drawing the paper's training set (m = 10,000, T = 100, d = 5).
void BM_Generate(benchmark::State& state) {
  const Config c = setting(5, 100, 10000);
  for (auto _ : state) benchmark::DoNotOptimize(generate_dataset(c, c.m, kTrainStream).re.data());
  state.SetItemsProcessed(state.iterations() * c.m);
}
BENCHMARK(BM_Generate)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
