// The softmax-attention model (models/softmax.hpp); forward and backward as derived in
// core/THEORY.md §11.
#include "mesaflow/models/softmax.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#ifdef MESAFLOW_THREADS
#endif

#include "mesaflow/history.hpp"
#include "mesaflow/models/attention.hpp"  // attention_params, attention_weights, attention_combine_shard_sums, attention_clip, attention_push_structure
#include "mesaflow/models/exp.hpp"
#include "mesaflow/smoother.hpp"
#include "passes_isa.hpp"
#ifndef __EMSCRIPTEN__
#include "softmax_scan.hpp"  // the scalar reference (SoftmaxModel(true)): native builds only
#endif

namespace mesaflow {

std::vector<BlockSpec> SoftmaxModel::blocks(int d) const {
  return {{"wkq", "W_KQ", 2 * d, 2 * d}, {"wpv", "W_PV", d, 2 * d}};
}

Weights SoftmaxModel::init(const Config& c) const { return attention_weights(init_params(c)); }

int SoftmaxModel::record_size(int d, bool grad) const { return shard_record_size(d, grad); }

void SoftmaxModel::shard_sums(const Weights& w, const Dataset& ds, Pass pass, int first_shard, int last_shard,
                              int threads, std::vector<double>& out) const {
  const int d = ds.d;
  if (!check_weights(w, d).empty() || first_shard < 0 || last_shard > kShards || first_shard > last_shard)
    throw std::invalid_argument("shard_sums: weights of another shape, or shards outside [0, kShards)");
  const bool grad = pass == Pass::Gradient;  // Forward and Test: the same loss sums
  const int rec = record_size(d, grad);
  out.assign(static_cast<std::size_t>(last_shard - first_shard) * rec, 0.0);
#ifndef __EMSCRIPTEN__
  // The scalar reference the native tests compare with (left out of WebAssembly, as for layers).
  if (scalar_) return softmax_scan_shards<double>(attention_params(w), ds, grad, first_shard, last_shard, threads, rec, out);
#else
  (void)scalar_;  // the vector scans only
#endif
  softmax_shard_sums(attention_params(w), ds, grad, first_shard, last_shard, threads, rec, out);
}

Eigen::MatrixXcd softmax_predict(const Weights& w, const Dataset& ds, int s) {
  return softmax_predict_lanes(attention_params(w), ds, s);
}

MesaView SoftmaxModel::mesa(const Weights& w, const Dataset& test, int nseq) const {
  const SequencePredictor predict = [](const void* ctx, const Dataset& ds, int s) {
    return softmax_predict(*static_cast<const Weights*>(ctx), ds, s);
  };
  MesaView v = mesa_view(predict, &w, test, nseq);
  v.smoother = kernel_smoother(w.blocks[0], test, nseq);  // blocks[0]: W_KQ (D, D), the model's scores
  v.has_smoother = true;
  return v;
}

Evaluation SoftmaxModel::combine_shard_sums(const std::vector<double>& sums, int m, int d, Weights* grad) const {
  return attention_combine_shard_sums(sums, m, d, grad);  // the linear kernel's record layout and scaling
}

double SoftmaxModel::flops(Pass pass, int d, int T, int m) const {
  // Counted from sequence_sums' loops, per position t (1-based, t = 2..T-1) with its t scores;
  // cmac: a complex multiply-add in real arithmetic (8 flops); exp, a comparison (max) and a
  // division count one each.
  //   q = W_KQ e_t                   D^2 cmac
  //   s_i = Re(e_i^H q)              4 D per score (2 multiplies, 2 adds per entry)
  //   max; exp(s - max); z +=        4 per score; 1 / z: 1; alpha *= 1 / z: 1 per score
  //   u = sum_i alpha_i e_i          4 D per score
  //   y = W_PV u                     d D cmac
  //   r = y - x, |r|^2 sum           6 per coordinate; loss += sq: 1
  // once per sequence, the ratio at the last position: |x|^2 (3), Re(y conj x) / |x|^2 (4) and the
  // two sums (2) per coordinate, counted as if every coordinate were non-zero; with the gradient:
  //   dW_PV += r u^H                 d D cmac
  //   g = W_PV^H r                   d D cmac
  //   c_i = Re(e_i^H g); cbar +=     4 D + 2 per score
  //   v += alpha_i (c_i - cbar) e_i  4 D + 2 per score
  //   dW_KQ += v e_t^H               D^2 cmac
  const double D = 2.0 * d, cmac = 8.0;
  const bool g = pass == Pass::Gradient;
  const double per_position = (D * D + d * D) * cmac + 6.0 * d + 2 + (g ? (D * D + 2.0 * d * D) * cmac : 0);
  const double per_score = 8.0 * D + 5 + (g ? 8.0 * D + 4 : 0);
  // sum_{t=2}^{T-1} t = (T - 2)(T + 1) / 2 scores per sequence.
  const double positions = T - 2.0, scores = (T - 2.0) * (T + 1.0) / 2.0;
  return static_cast<double>(m) * (per_position * positions + per_score * scores + 9.0 * d);
}

double SoftmaxModel::scratch_bytes_per_d2(Precision) const {
  // The weights, their gradient and each shard's record (2 (D^2 + d D) doubles each): 64 complex
  // d x d matrices cover them, as for the linear-map model.
  return 64.0 * 16.0;
}

void SoftmaxModel::clip(Weights& w) const { attention_clip(w); }

// The blocks are the linear model's: ab and the red blocks' structure mean the same here.
void SoftmaxModel::push_structure(const Weights& w, History& h) const { attention_push_structure(w, h); }

const char* SoftmaxModel::theory_reason() const {
  return "the paper's theory (c*, the ODE of ab, recovery) is derived for linear attention; softmax attention is "
         "measured only (core/THEORY.md §11)";
}

}  // namespace mesaflow
