// The L-layer linear attention model (models/layers.hpp, core/THEORY.md §12): forward and
// backward with prefix states, O(L T D^2) per sequence.
#include "mesaflow/models/layers.hpp"

#include <algorithm>
#include <complex>
#include <limits>
#include <stdexcept>
#include <string>

#include "mesaflow/history.hpp"
#include "mesaflow/rng.hpp"
#include "passes_isa.hpp"
#ifndef __EMSCRIPTEN__
#include "layer_scan.hpp"  // the scalar reference (LayersModel(L, true)): native builds only
#endif

namespace mesaflow {


Eigen::MatrixXcd layers_predict(const Weights& w, int L, const Dataset& ds, int s) {
  return layers_predict_lanes(w, L, ds, s);
}

MesaView LayersModel::mesa(const Weights& w, const Dataset& test, int nseq) const {
  struct Ctx {
    const Weights& w;
    int L;
  } ctx{w, L_};
  const SequencePredictor predict = [](const void* c, const Dataset& ds, int s) {
    const Ctx& k = *static_cast<const Ctx*>(c);
    return layers_predict(k.w, k.L, ds, s);
  };
  return mesa_view(predict, &ctx, test, nseq);
}

std::vector<BlockSpec> LayersModel::blocks(int d) const {
  std::vector<BlockSpec> b;
  for (int l = 1; l <= L_; ++l) {
    const std::string k = std::to_string(l);
    b.push_back({"wkq" + k, "W_KQ^" + k, 2 * d, 2 * d});
    b.push_back({"wpv" + k, "W_PV^" + k, l < L_ ? 2 * d : d, 2 * d});
  }
  return b;
}

Weights LayersModel::init(const Config& c) const {
  Weights w = zeros(c.d);
  const int d = c.d;
  if (c.init == Init::Diagonal) {
    for (int l = 0; l < L_; ++l)
      for (int j = 0; j < d; ++j) {
        w.blocks[2 * l](d + j, j) = c.a0;  // W_KQ^l: bottom-left block a0 I
        w.blocks[2 * l + 1](j, j) = c.b0;  // W_PV^l: top-left (left for l = L) block b0 I
      }
  } else {
    Rng rng(c.seed, kInitStream, 0);  // layer 1's W_KQ, W_PV, then layer 2's ...: at L = 1 the one-layer draws
    for (auto& b : w.blocks)
      for (int i = 0; i < b.rows(); ++i)
        for (int j = 0; j < b.cols(); ++j) {
          const double re = c.sigma_w * rng.normal(), im = c.sigma_w * rng.normal();
          b(i, j) = {re, im};
        }
  }
  if (c.clip) clip(w);
  round_to(w, c.precision);
  return w;
}

int LayersModel::record_size(int d, bool grad) const {
  if (!grad) return 4;
  const int D = 2 * d;
  return 4 + 2 * ((L_ - 1) * 2 * D * D + D * D + d * D);
}

void LayersModel::shard_sums(const Weights& w, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                             std::vector<double>& out) const {
  const int d = ds.d;
  if (!check_weights(w, d).empty() || first_shard < 0 || last_shard > kShards || first_shard > last_shard)
    throw std::invalid_argument("shard_sums: weights of another shape, or shards outside [0, kShards)");
  const bool grad = pass == Pass::Gradient;
  const int rec = record_size(d, grad);
  out.assign(static_cast<std::size_t>(last_shard - first_shard) * rec, 0.0);
#ifndef __EMSCRIPTEN__
  // The scalar reference, one sequence at a time, which the native tests compare the vectors with
  // (WebAssembly leaves it out of the page's module: the same bits, the tests say).
  if (scalar_) return scan_shards<double>(w, L_, ds, grad, first_shard, last_shard, threads, rec, out);
#else
  (void)scalar_;  // the vector scans only
#endif
  layers_shard_sums(w, L_, ds, grad, first_shard, last_shard, threads, rec, out);
}

Evaluation LayersModel::combine_shard_sums(const std::vector<double>& sums, int m, int d, Weights* grad) const {
  std::vector<double> g;
  const Evaluation ev = combine_records(sums, static_cast<std::size_t>(record_size(d, grad != nullptr)), m, d, grad ? &g : nullptr);
  if (grad) *grad = from_vector(Eigen::Map<const Eigen::VectorXd>(g.data(), static_cast<Eigen::Index>(g.size())), zeros(d));
  return ev;
}

double LayersModel::flops(Pass pass, int d, int T, int m) const {
  // Per sequence, n = T - 1 positions carry the states and p = T - 2 predict; cmac = 8 flops;
  // P_l = D rows of W_PV^l for l < L, d for l = L (core/THEORY.md §12 derives each term):
  //   forward of layer l:  S += z z^H (n D^2), u = W_KQ z (p D^2), v = S u (p D^2), a = W_PV v
  //     (p P_l D) cmac; a / rho (2 P_l) and z + a (2D) per position for l < L, for l = L
  //     y / rho (2d), y - x (2d), |r|^2 (3d), loss += (d);
  //   backward of layer l: g / rho (2 P_l flops), dW_PV += g v^H and gv = W_PV^H g (2 p P_l D),
  //     S again (n D^2), gu = S gv and dW_KQ += gu z^H (2 p D^2) cmac; for l > 1 also
  //     R += gv u^H + u gv^H (2 p D^2), gz = R z (n D^2) + W_KQ^H gu (p D^2) cmac.
  const double D = 2.0 * d, n = T - 1.0, p = T - 2.0, cmac = 8;
  double per_seq = 0;
  for (int l = 1; l <= L_; ++l) {
    const double Pl = l < L_ ? D : d;
    per_seq += cmac * (n * D * D + p * (2 * D * D + Pl * D)) + p * (l < L_ ? 2 * Pl + 2 * D : 8.0 * d);
    if (pass != Pass::Gradient) continue;
    per_seq += cmac * (2 * p * Pl * D + n * D * D + 2 * p * D * D) + p * 2 * Pl;
    if (l > 1) per_seq += cmac * (2 * p * D * D + n * D * D + p * D * D);
  }
  return static_cast<double>(m) * per_seq;
}

double LayersModel::scratch_bytes_per_d2(Precision) const {
  // Per thread: the weights and their gradients (4 L D x D blocks at most) and S, R: (4 L + 2) complex
  // (16-byte) D x D matrices, D = 2d. The per-sequence vectors (about (3 L + 5) T D complex numbers)
  // grow with T d, not d^2: scratch_bytes_per_Td counts them.
  return (4.0 * L_ + 2.0) * 4.0 * 16.0;
}

void LayersModel::clip(Weights& w) const {
  const int d = static_cast<int>(w.blocks.back().rows());
  for (int l = 0; l < L_; ++l)
    for (int i = 0; i < d; ++i)
      for (int j = 0; j < d; ++j)
        if (i != j) {
          w.blocks[2 * l](d + i, j) = 0.0;
          w.blocks[2 * l + 1](i, j) = 0.0;
        }
}

double layer_ab(const Weights& w, int l) {
  const Eigen::MatrixXcd& K = w.blocks.at(2 * (l - 1));
  const Eigen::MatrixXcd& P = w.blocks.at(2 * (l - 1) + 1);
  const int d = static_cast<int>(K.rows()) / 2;
  double s = 0;
  for (int j = 0; j < d; ++j) s += K(d + j, j).real() * P(j, j).real();
  return s / d;
}

void LayersModel::push_structure(const Weights& w, History& h) const {
  const Params last{w.blocks[2 * (L_ - 1)], w.blocks[2 * (L_ - 1) + 1]};  // W_KQ^L (D, D), W_PV^L (d, D)
  h.ab.push_back(ab_of(last));
  const Structure st = structure_of(last);
  h.offdiag_kq.push_back(st.offdiag_kq);
  h.offdiag_pv.push_back(st.offdiag_pv);
  h.outside.push_back(st.outside);
  h.ab_complex.push_back(st.ab_complex);
  h.ab_spread.push_back(st.ab_spread);
  std::vector<double> per;
  for (int l = 1; l <= L_; ++l) per.push_back(layer_ab(w, l));
  h.ab_layers.push_back(std::move(per));
}

std::vector<Weights> LayersModel::layer_weights(const Weights& w) const {
  std::vector<Weights> out;
  for (int l = 0; l < L_; ++l) out.push_back({{"wkq", "wpv"}, {w.blocks[2 * l], w.blocks[2 * l + 1]}});
  return out;
}

const char* LayersModel::theory_reason() const {
  return "the paper's theory (c*, the ODE of ab, recovery) is of one layer of linear attention; for layers > 1 the "
         "model is measured only (core/THEORY.md §12)";
}

const LayersModel& layers_model(int L) {
  static const LayersModel two(2), three(3), four(4);
  switch (L) {
    case 2: return two;
    case 3: return three;
    case 4: return four;
    default: throw std::invalid_argument("layers_model: layers must be 2, 3 or 4");
  }
}

}  // namespace mesaflow
