// One layer of causal softmax attention on the paper's embedding (issue 23; core/THEORY.md §11):
//   e_t = (x_t ; x_{t-1}) in C^D, D = 2d, x_0 = 0,
//   s_{t,i} = Re(e_i^H W_KQ e_t) for i = 1..t,   alpha_{t,i} = exp(s_{t,i}) / sum_{j<=t} exp(s_{t,j}),
//   y_hat_t = W_PV u_t,   u_t = sum_{i<=t} alpha_{t,i} e_i,
// predicting x_{t+1} for t = 2..T-1 on the loss L = 1/(2m) sum_seq sum_t ||y_hat_t - x_{t+1}||^2.
// The blocks are the linear model's, wkq (D, D) = W_KQ and wpv (d, D) = W_PV, initialised and
// clipped as it does (model.hpp init_params, clip_red_blocks), and ab is their red blocks'
// diagonal mean as there; the paper's theory (c*, the ODE) is not this model's (theory_reason).
//
// The softmax is formed stably: the largest score of each row is subtracted before exp, so
// scores of any size give alpha in [0, 1] (no overflow; a row with one dominant score is one-hot).
// Cost O(T^2 d) per sequence (q_t = W_KQ e_t once per t, then one D-dot product per i <= t;
// flops() counts it term by term). The passes run in double for either precision (a
// single-precision run's data and weights are floats, as for every model). The scan runs several
// sequences at once in SIMD vectors (the kernel's instruction set's, as the L-layer model's:
// layers.hpp), each lane one sequence doing the one-sequence scan's operations in its order; each
// shard adds its sequences' sums in sequence order, and the shards run on threads of their own,
// so the sums do not depend on the vectors' width, the thread count or the platform.
#pragma once
#include "mesaflow/models/model.hpp"

namespace mesaflow {

class SoftmaxModel final : public Model {
 public:
  // scalar: one sequence per scan (the scalar reference, for the tests; see the passes below;
  // native builds only: WebAssembly runs the vector scans whatever it says).
  explicit SoftmaxModel(bool scalar = false) : scalar_(scalar) {}
  const char* name() const override { return "softmax-attention"; }
  const char* description() const override {
    return "one-layer softmax attention, y_hat_t = W_PV sum_i alpha_{t,i} e_i, alpha_t = softmax_i Re(e_i^H W_KQ e_t)";
  }
  std::vector<BlockSpec> blocks(int d) const override;
  Weights init(const Config& c) const override;
  // [loss, ratio, ratio_count, last, gkq_re (D, D), gkq_im (D, D), gpv_re (d, D), gpv_im (d, D)]
  // (the four sums only without grad): the linear kernel's record layout (kernel.hpp).
  int record_size(int d, bool grad) const override;
  void shard_sums(const Weights& w, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                  std::vector<double>& out) const override;
  Evaluation combine_shard_sums(const std::vector<double>& sums, int m, int d, Weights* grad) const override;
  double flops(Pass pass, int d, int T, int m) const override;
  double scratch_bytes_per_d2(Precision precision) const override;
  // Per thread: one sequence's tokens (re, im: 16 bytes per T d) and a row of weights alpha and
  // their gradient (16 bytes per T).
  double scratch_bytes_per_Td() const override { return 16.0; }
  double scratch_bytes_per_T() const override { return 16.0; }
  void clip(Weights& w) const override;
  void push_structure(const Weights& w, History& h) const override;
  std::vector<Weights> layer_weights(const Weights& w) const override { return {w}; }  // one layer
  const char* theory_reason() const override;
  bool plain_passes() const override { return true; }
  // The mesa view with the model's own predictions (softmax_predict); gd1, gap, not_gd null.
  bool has_mesa() const override { return true; }
  MesaView mesa(const Weights& w, const Dataset& test, int nseq) const override;

 private:
  bool scalar_;
};

// The model's predictions on sequence s of ds, by the pass that trains it, as a (d, T) matrix:
// column t - 1 holds y_hat_t for t = 2..T-1, columns 0 and T-1 are zero (reference_predict's layout).
Eigen::MatrixXcd softmax_predict(const Weights& w, const Dataset& ds, int s);

}  // namespace mesaflow
