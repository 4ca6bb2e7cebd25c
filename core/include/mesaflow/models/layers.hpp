// L layers of linear causal attention with a residual stream (issue 23, core/THEORY.md §12),
// L = layers in 2..4 (layers 1 is the paper's model, models/attention.hpp, and its fused kernel):
//   z^0_t = e_t = (x_t ; x_{t-1}),  S^l_t = sum_{i<=t} z^{l-1}_i (z^{l-1}_i)^H,
//   z^l_t = z^{l-1}_t + W_PV^l S^l_t W_KQ^l z^{l-1}_t / rho_t        for l = 1..L-1,
//   y_hat_t = W_PV^L S^L_t W_KQ^L z^{L-1}_t / rho_t,                  rho_t = t - 1,
// predicting x_{t+1} for t = 2..T-1, with the paper's loss. At t = 1 (rho_1 = 0) a layer adds
// nothing: z^l_1 = z^{l-1}_1 (there is no context to average; §12 states the convention).
// Blocks, layer 1 first: wkq<l> = W_KQ^l (D, D); wpv<l> = W_PV^l (D, D) for l < L, (d, D) for l = L.
//
// The passes are plain C++ (the same operations in the same order natively and in WebAssembly;
// real and imaginary parts written out, no library complex product): forward and backward in
// O(L T D^2) per sequence with the prefix states S^l_t, the backward derived in §12. They scan
// several sequences at once in SIMD vectors, the kernel's instruction set's (kernel_scan_bytes() / 8
// sequences: 2 for SSE2, NEON and wasm SIMD128, 4 for AVX2, 8 for AVX-512), each lane one sequence
// doing the one-sequence scan's operations in its order, and add the lanes' sums in sequence
// order: the bits of the scalar reference (one sequence per scan) in every build.
// Both precisions run in double arithmetic (a single-precision run's data and weights are floats,
// as for every model). Each shard sums its sequences in order and the shards are added in shard
// order, so the sums do not depend on the number of threads.
#pragma once
#include "mesaflow/models/model.hpp"

namespace mesaflow {

class LayersModel final : public Model {
 public:
  // scalar: one sequence per scan (the scalar reference, for the tests; native builds only:
  // WebAssembly runs the vector scans whatever it says).
  explicit LayersModel(int layers, bool scalar = false) : L_(layers), scalar_(scalar) {}
  int layers() const { return L_; }
  const char* name() const override { return "attention"; }
  const char* description() const override {
    return "L layers of linear attention with a residual stream, y_hat_t = W_PV^L S^L_t W_KQ^L z^{L-1}_t / rho_t";
  }
  std::vector<BlockSpec> blocks(int d) const override;
  Weights init(const Config& c) const override;
  // [loss, ratio, ratio_count, last, then the gradient sums in to_vector's order of the blocks].
  int record_size(int d, bool grad) const override;
  void shard_sums(const Weights& w, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                  std::vector<double>& out) const override;
  Evaluation combine_shard_sums(const std::vector<double>& sums, int m, int d, Weights* grad) const override;
  double flops(Pass pass, int d, int T, int m) const override;
  double scratch_bytes_per_d2(Precision precision) const override;
  // Per thread, one sequence's scan (layers.cpp LayerScan): z, u, v of every layer and the four
  // gradient vectors g, gnext, gv, gu, (3 L + 4) (T - 1) D complex numbers, the residuals (T - 1) d
  // and the tokens T d (re, im): at most (3 L + 5) T D complex (16-byte) numbers, D = 2d, so
  // 32 (3 L + 5) bytes per T d.
  double scratch_bytes_per_Td() const override { return 32.0 * (3 * L_ + 5); }
  void clip(Weights& w) const override;
  // ab and the structure columns of the last layer (as the one-layer model's), ab_layers of each.
  void push_structure(const Weights& w, History& h) const override;
  std::vector<Weights> layer_weights(const Weights& w) const override;
  const char* theory_reason() const override;
  bool plain_passes() const override { return true; }
  // The mesa view with the model's own predictions (layers_predict); gd1, gap, not_gd null.
  bool has_mesa() const override { return true; }
  MesaView mesa(const Weights& w, const Dataset& test, int nseq) const override;

 private:
  int L_;
  bool scalar_;
};

// The model of layers L in 2..4 (registry.cpp's model_of for model attention).
const LayersModel& layers_model(int L);
// The model's predictions on sequence s of ds, by the pass that trains it, as a (d, T) matrix:
// column t - 1 holds y_hat_t for t = 2..T-1, columns 0 and T-1 are zero (reference_predict's layout).
Eigen::MatrixXcd layers_predict(const Weights& w, int L, const Dataset& ds, int s);
// ab of layer l (1-based): mean_j Re(W_KQ^l[d+j, j]) Re(W_PV^l[j, j]).
double layer_ab(const Weights& w, int l);

}  // namespace mesaflow
