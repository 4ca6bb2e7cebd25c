// The attention model (models/attention.hpp): the seam's calls passed on to the fused kernel
// (kernel.hpp) and model.hpp's functions on Params, unchanged; the weights are copied exactly.
#include "mesaflow/models/attention.hpp"

#include <limits>
#include <stdexcept>

#include "mesaflow/flops.hpp"
#include "mesaflow/history.hpp"
#include "mesaflow/mesa.hpp"

namespace mesaflow {

Params attention_params(const Weights& w) {
  if (w.blocks.size() != 2 || w.names[0] != "wkq" || w.names[1] != "wpv")
    throw std::invalid_argument("attention model: expected the blocks wkq and wpv");
  return {w.blocks[0], w.blocks[1]};
}

Weights attention_weights(const Params& p) { return {{"wkq", "wpv"}, {p.wkq, p.wpv}}; }

std::vector<BlockSpec> AttentionModel::blocks(int d) const {
  return {{"wkq", "W_KQ", 2 * d, 2 * d}, {"wpv", "W_PV", d, 2 * d}};
}

Weights AttentionModel::init(const Config& c) const { return attention_weights(init_params(c)); }

int AttentionModel::record_size(int d, bool grad) const { return shard_record_size(d, grad); }

void AttentionModel::shard_sums(const Weights& w, const Dataset& ds, Pass pass, int first_shard, int last_shard,
                                int threads, std::vector<double>& out) const {
  mesaflow::shard_sums(attention_params(w), ds, pass, first_shard, last_shard, threads, out);
}

Evaluation attention_combine_shard_sums(const std::vector<double>& sums, int m, int d, Weights* grad) {
  if (!grad) return mesaflow::combine_shard_sums(sums, m, d, nullptr);
  Params g;
  const Evaluation ev = mesaflow::combine_shard_sums(sums, m, d, &g);
  *grad = attention_weights(g);
  return ev;
}

Evaluation AttentionModel::combine_shard_sums(const std::vector<double>& sums, int m, int d, Weights* grad) const {
  return attention_combine_shard_sums(sums, m, d, grad);
}

double AttentionModel::flops(Pass pass, int d, int T, int m) const {
  return pass == Pass::Test ? forward_flops(d, T, m) : epoch_flops(d, T, m);
}

double AttentionModel::scratch_bytes_per_d2(Precision precision) const {
  // Per-thread scratch of the scan and the parameters, per lane of a pack (kernel.cpp): 64 complex
  // (16-byte) D x D matrices, D = 2d, so 64 * 4 * 16 bytes per d^2 and lane.
  return 64.0 * 4.0 * lanes_of(precision) * 16.0;
}

void attention_clip(Weights& w) {
  Params p = attention_params(w);
  clip_red_blocks(p);
  w = attention_weights(p);
}

void attention_push_structure(const Weights& w, History& h) {
  const Params p = attention_params(w);
  h.ab.push_back(ab_of(p));
  h.ab_layers.push_back({h.ab.back()});  // one layer
  const Structure st = structure_of(p);
  h.offdiag_kq.push_back(st.offdiag_kq);
  h.offdiag_pv.push_back(st.offdiag_pv);
  h.outside.push_back(st.outside);
  h.ab_complex.push_back(st.ab_complex);
  h.ab_spread.push_back(st.ab_spread);
}

void AttentionModel::clip(Weights& w) const { attention_clip(w); }

void AttentionModel::push_structure(const Weights& w, History& h) const { attention_push_structure(w, h); }

MesaView AttentionModel::mesa(const Weights& w, const Dataset& test, int nseq) const {
  return mesa_view(attention_params(w), test, nseq);
}

}  // namespace mesaflow
