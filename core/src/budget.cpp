#include "mesaflow/budget.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "mesaflow/dataset.hpp"
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

Problem memory_problem(const std::string& need, const std::string& budget) {
  return {"m", "this setting needs about " + need + ", more than the budget of " + budget + "; reduce m, test-m or T",
          {"test-m", "T", "d"}};
}

std::vector<std::string> cost_fields(const Config& c) {
  if (c.attention == Attention::Softmax) return {"attention"};
  if (c.layers > 1) return {"layers"};
  return {};
}

namespace {
// "reduce A, B or C" with what drives c's cost: "reduce A, B, C or layers", "reduce A, B or C, or
// use attention linear".
std::string reduce_words(const Config& c, const std::string& sizes, const std::string& last) {
  const std::vector<std::string> extra = cost_fields(c);
  if (extra.empty()) return "reduce " + sizes + " or " + last;
  if (extra[0] == "layers") return "reduce " + sizes + ", " + last + " or layers";
  return "reduce " + sizes + " or " + last + ", or use attention linear";
}
}  // namespace

Problem memory_problem(const std::string& need, const std::string& budget, const Config& c) {
  Problem p = memory_problem(need, budget);
  if (cost_fields(c).empty()) return p;
  p.message = "this setting needs about " + need + ", more than the budget of " + budget + "; " + reduce_words(c, "m, test-m", "T");
  for (const std::string& f : cost_fields(c)) p.also.push_back(f);
  return p;
}

double estimate_seconds(const Config& c, const TimeBudget& time) {
  return estimate_flops(c) / (model_of(c).plain_passes() ? time.plain_flops_per_second : time.flops_per_second);
}

double estimate_mesa_flops(int d, int T, double nseq) {
  // Per sequence and position: the Jacobi pseudo-inverse of a d x d Hermitian matrix (about 10
  // sweeps of d^2/2 rotations of 2 rows and 2 columns, complex: ~60 d^3) and the d x d products
  // around it (~16 d^3); the sequence's own W once (same cost).
  const double dd = static_cast<double>(d);
  return nseq * (static_cast<double>(T) + 1) * 76.0 * dd * dd * dd;
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
                  time.where, reduce_words(c, "epochs, m, test-m", "T").c_str(), time.hint);
    return {"epochs", buf, cost_fields(c)};
  }
  return {};
}

}  // namespace mesaflow
