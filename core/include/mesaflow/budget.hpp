// Whether a configuration may run: every field in its range (fields.hpp), and the memory and
// time it needs within a budget, estimated before anything is allocated.
#pragma once
#include <string>

#include "mesaflow/config.hpp"
#include "mesaflow/fields.hpp"
#include "mesaflow/problem.hpp"

namespace mesaflow {

class Model;

// The time budget: a run whose estimated work (estimate_flops) would take longer than `seconds`
// at its rate (seconds_of) is refused before anything is allocated. The rates are those of a modest
// machine (this project's 2-core test machine does 37 GFLOP/s per core natively, 13-20 in wasm,
// with the fused kernel of kernel.hpp), so the refusal comes well after a run that fits would have
// finished. A model whose passes are not the fused kernel (Model::plain_passes: L > 1 layers,
// softmax; one sequence per SIMD lane, models/passes_isa.cpp) is counted at plain_flops_per_second:
// on the same machine those passes run at about 24 GFLOP/s per core natively for layers and 9 for
// softmax (BM_EpochModel, AVX2), and at 3.5-5 in wasm for layers 2 (node, d 3 T 16 m 500 and d 5
// T 100 m 2000, load 2.4): the browser's 1 GFLOP/s is a quarter of that, as 4 is of the fused
// kernel's 13-20.
struct TimeBudget {
  double seconds;
  double flops_per_second;
  const char* where;  // for the message: "natively", "in a browser"
  const char* hint;   // appended to "reduce epochs, m, test-m or T"
  double plain_flops_per_second;  // the rate of a model with plain passes (Model::plain_passes)
};
constexpr TimeBudget kNativeTimeBudget{7 * 24 * 3600.0, 10e9, "natively", "", 2e9};
constexpr TimeBudget kBrowserTimeBudget{3600.0, 4e9, "in a browser", " (or run it with the command-line tool)", 1e9};
constexpr TimeBudget kNoTimeBudget{1e300, 1, "", "", 1};

constexpr double kNativeMemoryBudget = 16.0 * 1024 * 1024 * 1024;
constexpr double kBrowserMemoryBudget = 1.0 * 1024 * 1024 * 1024;

// Every field of the table in its range, then the memory budget, then the time budget; the
// first problem found. generated: the layout of generated sets; train_from_file: the training
// set is read from a file (held as tokens).
Problem validate(const Config& c, double memory_budget_bytes, DataLayout generated = kGeneratedLayout,
                 bool train_from_file = false, const TimeBudget& time = kNativeTimeBudget,
                 const FieldTable& table = config_fields());

// A memory refusal: "this setting needs about NEED, more than the budget of BUDGET; reduce m,
// test-m or T", field m, also involving test-m, T and d (what estimate_bytes() depends on). need
// and budget as texts in the caller's unit ("20.51 GB" here; the page's "512 MiB"); with "{need}"
// and "{budget}" it is the template site/build.mjs writes into the page's core-tables.js.
Problem memory_problem(const std::string& need, const std::string& budget);
// The same for configuration c, naming what drives its model's cost too (cost_field): for L > 1
// layers "...; reduce m, test-m, T or layers" (also involving layers), for softmax attention
// "...; reduce m, test-m or T, or use attention linear" (also involving attention); for the
// others memory_problem(need, budget)'s words. wasm/api.cpp writes each model kind's template
// into the page's tables (tables().memory.by_kind).
Problem memory_problem(const std::string& need, const std::string& budget, const Config& c);

// The field beyond the sizes (m, test-m, T, d; epochs for the time) that drives c's cost and that
// the budgets' refusals name: "layers" for a stack of L > 1 layers (L passes, (3 L + 5) T 2d
// numbers of scratch), "attention" for softmax attention (O(T^2 d) per sequence), else "".
const char* cost_field(const Config& c);

// Seconds the time budget counts for c's work: estimate_flops(c) at time's rate for c's model
// (flops_per_second, or plain_flops_per_second for a model with plain passes).
double estimate_seconds(const Config& c, const TimeBudget& time);

// Floating-point operations of a whole run, as flops.hpp counts them: the training gradient of
// every epoch (method flow: at least one Dormand-Prince step, 6 new gradients, per epoch) and the
// test set's forward pass at every evaluation.
double estimate_flops(const Config& c);

// Floating-point operations of the mesa view (mesa.hpp) of c's model over nseq sequences: a
// pseudo-inverse at every position of every sequence, the model's forward pass (Model::flops of
// its test pass) and the K-step gradient descent comparators (gd_steps_flops); 0 for a model
// without the view.
double estimate_mesa_flops(const Config& c, double nseq);

// The memory estimate as data: the terms estimate_bytes() adds up, per model and precision.
// site/core-tables.mjs writes them into the page's core-tables.js (tables().memory.terms), so that
// the page refuses a setting that does not fit before it asks a worker (site/js/model/memory.js
// evaluates the same formula, in the same order, to the same bits):
//   bytes = pad(m) * per_train + pad(test_m) * per_test + scratch_d2 * d * d + fixed,
//   pad(n) = ceil(n / lanes) * lanes                  (sequences come in packs of `lanes`),
//   per sequence held as tokens T * d * token_bytes, as (x_1, lambda) d * compact_bytes;
// a generated set is held as `generated` says (kGeneratedLayout), a file's sets as tokens.
struct MemoryTerms {
  double lanes;          // sequences per pack (dataset.hpp lanes_of)
  double token_bytes;    // per token coordinate: one complex double, 16
  double compact_bytes;  // per coordinate of a sequence held as x_1 and lambda: two complex doubles, 32
  double scratch_d2;     // the model's per-thread scratch and parameters per d^2 (Model::scratch_bytes_per_d2)
  double fixed;          // 1 MiB (also covers a materialised sequence)
  // The model's per-thread scratch per T d and per T (Model::scratch_bytes_per_Td, _per_T): 0 but
  // for softmax attention, whose pass holds a sequence and a row of scores; added as
  // (scratch_td * d + scratch_t) * T when not 0.
  double scratch_td = 0, scratch_t = 0;
};
MemoryTerms memory_terms(const Model& model, Precision precision);

// Bytes the training and test sets and scratch take for this configuration: memory_terms() of
// its model and precision, added up.
double estimate_bytes(const Config& c, DataLayout generated = kGeneratedLayout, bool train_from_file = false);

}  // namespace mesaflow
