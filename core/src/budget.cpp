#include "mesaflow/budget.hpp"

#include <cmath>
#include <cstdio>
#include <string>

#include "mesaflow/dataset.hpp"
#include "mesaflow/gd_steps.hpp"
#include "mesaflow/smoother.hpp"
#include "mesaflow/models/model.hpp"

namespace mesaflow {

MemoryTerms memory_terms(const Model& model, Precision precision) {
  return {static_cast<double>(lanes_of(precision)), 16.0, 32.0, model.scratch_bytes_per_d2(precision), 1 << 20,
          model.scratch_bytes_per_Td(), model.scratch_bytes_per_T()};
}

double estimate_bytes(const Config& c, DataLayout generated, bool train_from_file) {
  const MemoryTerms t = memory_terms(model_of(c), c.precision);
  const double m = std::ceil(c.m / t.lanes) * t.lanes, tm = std::ceil(c.test_m / t.lanes) * t.lanes;
  const double tokens = c.T * c.d * t.token_bytes;  // bytes per sequence held as tokens
  const double compact = c.d * t.compact_bytes;     // held as x_1 and lambda
  const double per_generated = layout_for(c, generated) == DataLayout::Tokens ? tokens : compact;  // process.hpp: a full W or noise is held as tokens
  // Both sets, plus per-thread scratch and parameters. Data from a file: both sets held as tokens
  // (the test set is a held-out part of it, or another file).
  const double per_test = train_from_file ? tokens : per_generated;
  const double bytes = m * (train_from_file ? tokens : per_generated) + tm * per_test + t.scratch_d2 * c.d * c.d + t.fixed;
  // Only a model with scratch per position adds a term (the others' estimate keeps its bits).
  return t.scratch_td == 0 && t.scratch_t == 0 ? bytes : bytes + (t.scratch_td * c.d + t.scratch_t) * c.T;
}

double estimate_flops(const Config& c) {
  const double gradients = c.method == Method::GD ? c.epochs : 6.0 * c.epochs + 1;
  const double evaluations = std::floor(c.epochs / static_cast<double>(c.eval_every)) + 2;
  const Model& model = model_of(c);
  return gradients * model.flops(Pass::Gradient, c.d, c.T, c.m) + evaluations * model.flops(Pass::Test, c.d, c.T, c.test_m);
}

Problem memory_problem(const std::string& need, const std::string& budget) { return memory_problem(need, budget, Config{}); }

const char* cost_field(const Config& c) {
  return c.attention == Attention::Softmax ? "attention" : c.layers > 1 ? "layers" : "";
}

namespace {
// What a refusal asks to reduce: the memory's (time false) or the time's sizes, and cost_field(c).
const char* reduce_text(const Config& c, bool time) {
  static const char* const words[2][3] = {
      {"reduce m, test-m or T", "reduce m, test-m, T or layers", "reduce m, test-m or T, or use attention linear"},
      {"reduce epochs, m, test-m or T", "reduce epochs, m, test-m, T or layers",
       "reduce epochs, m, test-m or T, or use attention linear"}};
  const char f = *cost_field(c);
  return words[time ? 1 : 0][f == 'l' ? 1 : f == 'a' ? 2 : 0];
}
}  // namespace

Problem memory_problem(const std::string& need, const std::string& budget, const Config& c) {
  Problem p{"m", "this setting needs about " + need + ", more than the budget of " + budget + "; " + reduce_text(c, false),
            {"test-m", "T", "d"}};
  if (*cost_field(c)) p.also.emplace_back(cost_field(c));
  return p;
}

double estimate_seconds(const Config& c, const TimeBudget& time) {
  return estimate_flops(c) / (model_of(c).plain_passes() ? time.plain_flops_per_second : time.flops_per_second);
}

double estimate_mesa_flops(const Config& c, double nseq) {
  const Model& model = model_of(c);
  if (!model.has_mesa()) return 0;  // linear-map: no view
  // Per sequence and position: the Jacobi pseudo-inverse of a d x d Hermitian matrix (about 10
  // sweeps of d^2/2 rotations of 2 rows and 2 columns, complex: ~60 d^3) and the d x d products
  // around it (~16 d^3); the sequence's own W once (same cost).
  const double dd = static_cast<double>(c.d);
  const double least_squares = nseq * (static_cast<double>(c.T) + 1) * 76.0 * dd * dd * dd;
  // The model's own predictions (its forward pass over the sequences, as its test pass counts it)
  // and the K-step gradient descent comparators (gd_steps.hpp).
  // Softmax attention: its kernel-smoother comparator too (smoother.hpp).
  const double smoother = c.attention == Attention::Softmax ? smoother_flops(c.d, c.T, nseq) : 0.0;
  return least_squares + nseq * model.flops(Pass::Test, c.d, c.T, 1) + gd_steps_flops(c.d, c.T, nseq) + smoother;
}

namespace {
// "45 s", "12 min", "3.5 hours", "9 days".
std::string duration_text(double s) {
  char buf[64];
  if (s < 90) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else if (s < 90 * 60) std::snprintf(buf, sizeof buf, "%.0f min", s / 60);
  else if (s < 48 * 3600) std::snprintf(buf, sizeof buf, "%.1f hours", s / 3600);
  else std::snprintf(buf, sizeof buf, "%.0f days", s / 86400);
  return buf;
}
}  // namespace

Problem validate(const Config& c, double budget, DataLayout generated, bool train_from_file, const TimeBudget& time,
                 const FieldTable& table) {
  for (const auto& f : table)
    if (Problem p = check_field(c, f)) return p;
  if (Problem p = check_relations(c)) return p;
  const double bytes = estimate_bytes(c, generated, train_from_file);
  if (bytes > budget) {
    char need[64], most[64];
    std::snprintf(need, sizeof need, "%.2f GiB", bytes / 1073741824.0);
    std::snprintf(most, sizeof most, "%.2f GiB", budget / 1073741824.0);
    return memory_problem(need, most, c);
  }
  const double flops = estimate_flops(c), seconds = estimate_seconds(c, time);
  if (seconds > time.seconds) {
    char buf[448];
    std::snprintf(buf, sizeof buf,
                  "this run needs about %.2g floating-point operations, %s at %.2g GFLOP/s%s, more than the budget of %s "
                  "%s; %s%s",
                  flops, duration_text(seconds).c_str(), flops / seconds / 1e9,
                  model_of(c).plain_passes() ? " (the rate of this model's plain passes)" : "", duration_text(time.seconds).c_str(),
                  time.where, reduce_text(c, true), time.hint);
    Problem p{"epochs", buf, {}};
    if (*cost_field(c)) p.also.emplace_back(cost_field(c));
    return p;
  }
  return {};
}

}  // namespace mesaflow
