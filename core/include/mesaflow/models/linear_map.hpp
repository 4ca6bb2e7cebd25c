// The "no attention" baseline: a learned linear predictor y_hat_t = A x_t, A (d, d) complex, on the
// same next-token loss L = 1/(2m) sum_seq sum_{t=2}^{T-1} ||A x_t - x_{t+1}||^2 (core/THEORY.md §9).
// Gradient (dL/dRe + i dL/dIm of each entry): dA = 1/m sum r_t x_t^H, r_t = A x_t - x_{t+1}.
// Its population optimum for the diagonal-unitary process is A = 0 (a fixed map cannot know a
// sequence's own W), at loss (T-2) M2 / 2.
//
// init diagonal: A = a0 I; init gaussian: every real and imaginary part N(0, sigma_w^2) (the init
// stream of the seed). clip: A kept diagonal. The passes run in double for either precision (a
// single-precision run's data and weights are floats, as for every model); each shard sums its
// sequences in order, so the sums do not depend on threads or platform.
#pragma once
#include "mesaflow/models/model.hpp"

namespace mesaflow {

class LinearMapModel final : public Model {
 public:
  const char* name() const override { return "linear-map"; }
  const char* description() const override { return "learned linear predictor y_hat_t = A x_t (no attention)"; }
  std::vector<BlockSpec> blocks(int d) const override;
  Weights init(const Config& c) const override;
  // [loss, ratio, ratio_count, last, gA_re (d, d), gA_im (d, d)] (the gradient only with grad).
  int record_size(int d, bool grad) const override;
  void shard_sums(const Weights& w, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                  std::vector<double>& out) const override;
  Evaluation combine_shard_sums(const std::vector<double>& sums, int m, int d, Weights* grad) const override;
  double flops(Pass pass, int d, int T, int m) const override;
  double scratch_bytes_per_d2(Precision precision) const override;
  void clip(Weights& w) const override;
  void push_structure(const Weights& w, History& h) const override;
  const char* theory_reason() const override;
};

}  // namespace mesaflow
