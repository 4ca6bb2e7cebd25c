// The paper's one-layer linear causal self-attention model (core/THEORY.md §1-§2) behind the model
// seam: blocks wkq (D, D) = W_KQ and wpv (d, D) = W_PV, D = 2d; its passes are the fused kernel's
// (kernel.hpp), its structure columns model.hpp's Structure, its flops flops.hpp's count.
#pragma once
#include "mesaflow/model.hpp"
#include "mesaflow/models/model.hpp"

namespace mesaflow {

class AttentionModel final : public Model {
 public:
  const char* name() const override { return "attention"; }
  const char* description() const override { return "one-layer linear attention, y_hat_t = W_PV S_t W_KQ e_t / rho_t"; }
  std::vector<BlockSpec> blocks(int d) const override;
  Weights init(const Config& c) const override;
  int record_size(int d, bool grad) const override;
  void shard_sums(const Weights& w, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                  std::vector<double>& out) const override;
  Evaluation combine_shard_sums(const std::vector<double>& sums, int m, int d, Weights* grad) const override;
  double flops(Pass pass, int d, int T, int m) const override;
  double scratch_bytes_per_d2(Precision precision) const override;
  void clip(Weights& w) const override;
  void push_structure(const Weights& w, History& h) const override;
  std::vector<Weights> layer_weights(const Weights& w) const override { return {w}; }
  bool has_mesa() const override { return true; }
  MesaView mesa(const Weights& w, const Dataset& test, int nseq) const override;
};

// The attention model's weights as the kernel's Params and back (exact copies).
Params attention_params(const Weights& w);
Weights attention_weights(const Params& p);
// The kernel's kShards records combined in shard order, the gradient as the attention model's
// blocks: every model that uses the linear kernel's record layout (attention, softmax).
Evaluation attention_combine_shard_sums(const std::vector<double>& sums, int m, int d, Weights* grad);
// clip and push_structure of every model with the attention blocks {wkq, wpv} (attention, softmax:
// the red blocks, ab and their structure mean the same for both).
void attention_clip(Weights& w);
void attention_push_structure(const Weights& w, History& h);

}  // namespace mesaflow
