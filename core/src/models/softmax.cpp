// The softmax-attention model (models/softmax.hpp); forward and backward as derived in
// core/THEORY.md §11.
#include "mesaflow/models/softmax.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#ifdef MESAFLOW_THREADS
#include <atomic>
#include <thread>
#endif

#include "mesaflow/history.hpp"
#include "mesaflow/models/attention.hpp"  // attention_params, attention_weights, attention_combine_shard_sums
#include "mesaflow/models/exp.hpp"
#include "../scalar_loops.hpp"  // MESAFLOW_SCALAR_LOOPS

namespace mesaflow {

std::vector<BlockSpec> SoftmaxModel::blocks(int d) const {
  return {{"wkq", "W_KQ", 2 * d, 2 * d}, {"wpv", "W_PV", d, 2 * d}};
}

Weights SoftmaxModel::init(const Config& c) const { return attention_weights(init_params(c)); }

int SoftmaxModel::record_size(int d, bool grad) const { return shard_record_size(d, grad); }

namespace {

// One thread's buffers for one sequence. Legend: d token dimension, D = 2d, T positions.
struct SoftmaxScratch {
  std::vector<double> re, im;  // (T, d) row-major: the sequence's tokens x_1..x_T
  std::vector<double> alpha;   // (T) alpha_{t,i}, i <= t (first the scores s_{t,i})
  std::vector<double> ds;      // (T) dL/ds_{t,i}
  std::vector<double> q_re, q_im, u_re, u_im, g_re, g_im, v_re, v_im;  // (D) each
  std::vector<double> r_re, r_im;  // (d) the residual y_hat_t - x_{t+1}
  SoftmaxScratch(int T, int d)
      : re(static_cast<std::size_t>(T) * d), im(re.size()), alpha(T), ds(T), q_re(2 * d), q_im(2 * d), u_re(2 * d),
        u_im(2 * d), g_re(2 * d), g_im(2 * d), v_re(2 * d), v_im(2 * d), r_re(d), r_im(d) {}
};

// The weights as real arrays, row-major: kq (D, D), pv (d, D).
struct Arrays {
  std::vector<double> kq_re, kq_im, pv_re, pv_im;
  explicit Arrays(const Params& p) {
    for (int a = 0; a < p.wkq.rows(); ++a)
      for (int b = 0; b < p.wkq.cols(); ++b) {
        kq_re.push_back(p.wkq(a, b).real());
        kq_im.push_back(p.wkq(a, b).imag());
      }
    for (int a = 0; a < p.wpv.rows(); ++a)
      for (int b = 0; b < p.wpv.cols(); ++b) {
        pv_re.push_back(p.wpv(a, b).real());
        pv_im.push_back(p.wpv(a, b).imag());
      }
  }
};

// One sequence's sums into record o (size shard_record_size): [loss, ratio, ratio_count, last,
// gkq (D, D) re then im, gpv (d, D) re then im]. Positions are 0-based here: e_t is held as its
// two halves, x_t (row t of re, im) and x_{t-1} (row t-1; zero at t = 0); the predictions are
// at t = 1..T-2 with target x_{t+1} (the paper's t = 2..T-1). With y (T d), the predictions too:
// y[t * d + a] = y_hat at position t.
MESAFLOW_SCALAR_LOOPS void sequence_sums(const Arrays& W, int T, int d, bool grad, SoftmaxScratch& sc, double* o,
                                         std::complex<double>* y = nullptr) {
  const int D = 2 * d;
  const double* re = sc.re.data();
  const double* im = sc.im.data();
  // Entry k of e_t, real and imaginary parts.
  const auto e_re = [&](int t, int k) { return k < d ? re[t * d + k] : (t > 0 ? re[(t - 1) * d + k - d] : 0.0); };
  const auto e_im = [&](int t, int k) { return k < d ? im[t * d + k] : (t > 0 ? im[(t - 1) * d + k - d] : 0.0); };
  double* gkq_re = o + 4;
  double* gkq_im = gkq_re + D * D;
  double* gpv_re = gkq_im + D * D;
  double* gpv_im = gpv_re + d * D;
  double loss = 0;
  for (int t = 1; t + 1 < T; ++t) {
    // q = W_KQ e_t (D): once per position, then the scores are dot products with it.
    for (int a = 0; a < D; ++a) {
      double qr = 0, qi = 0;
      for (int b = 0; b < D; ++b) {
        const double wr = W.kq_re[a * D + b], wi = W.kq_im[a * D + b], er = e_re(t, b), ei = e_im(t, b);
        qr += wr * er - wi * ei;
        qi += wr * ei + wi * er;
      }
      sc.q_re[a] = qr;
      sc.q_im[a] = qi;
    }
    // s_i = Re(e_i^H q) for i <= t, the largest subtracted before exp (alpha in [0, 1] for any scores).
    double top = -std::numeric_limits<double>::infinity();
    for (int i = 0; i <= t; ++i) {
      double s = 0;
      for (int k = 0; k < D; ++k) s += e_re(i, k) * sc.q_re[k] + e_im(i, k) * sc.q_im[k];
      sc.alpha[i] = s;
      top = std::max(top, s);
    }
    double z = 0;
    for (int i = 0; i <= t; ++i) {
      sc.alpha[i] = portable_exp(sc.alpha[i] - top);  // not std::exp: same bits natively and in wasm
      z += sc.alpha[i];
    }
    const double inv_z = 1.0 / z;
    for (int i = 0; i <= t; ++i) sc.alpha[i] *= inv_z;
    // u = sum_i alpha_i e_i (D).
    for (int k = 0; k < D; ++k) sc.u_re[k] = sc.u_im[k] = 0;
    for (int i = 0; i <= t; ++i)
      for (int k = 0; k < D; ++k) {
        sc.u_re[k] += sc.alpha[i] * e_re(i, k);
        sc.u_im[k] += sc.alpha[i] * e_im(i, k);
      }
    // y = W_PV u, r = y - x_{t+1}; the residual r is kept in place of y.
    double sq = 0;
    const bool last = t + 2 == T;
    for (int a = 0; a < d; ++a) {
      double yr = 0, yi = 0;
      for (int k = 0; k < D; ++k) {
        const double wr = W.pv_re[a * D + k], wi = W.pv_im[a * D + k];
        yr += wr * sc.u_re[k] - wi * sc.u_im[k];
        yi += wr * sc.u_im[k] + wi * sc.u_re[k];
      }
      if (y) y[t * d + a] = {yr, yi};
      const double xr = re[(t + 1) * d + a], xi = im[(t + 1) * d + a];
      sc.r_re[a] = yr - xr;
      sc.r_im[a] = yi - xi;
      sq += sc.r_re[a] * sc.r_re[a] + sc.r_im[a] * sc.r_im[a];
      const double xx = xr * xr + xi * xi;
      if (last && xx > 0.0) {  // the ratio Re(y_hat / x) = Re(y_hat conj(x)) / |x|^2 over non-zero x
        o[1] += (yr * xr + yi * xi) / xx;
        o[2] += 1;
      }
    }
    loss += sq;
    if (last) o[3] += sq;  // the last-position error
    if (!grad) continue;
    // dW_PV += r u^H; g = W_PV^H r (D), the gradient of the loss in u.
    for (int a = 0; a < d; ++a)
      for (int k = 0; k < D; ++k) {
        gpv_re[a * D + k] += sc.r_re[a] * sc.u_re[k] + sc.r_im[a] * sc.u_im[k];
        gpv_im[a * D + k] += sc.r_im[a] * sc.u_re[k] - sc.r_re[a] * sc.u_im[k];
      }
    for (int k = 0; k < D; ++k) {
      double gr = 0, gi = 0;
      for (int a = 0; a < d; ++a) {
        const double wr = W.pv_re[a * D + k], wi = W.pv_im[a * D + k];  // conj(W_PV[a, k]) r_a
        gr += wr * sc.r_re[a] + wi * sc.r_im[a];
        gi += wr * sc.r_im[a] - wi * sc.r_re[a];
      }
      sc.g_re[k] = gr;
      sc.g_im[k] = gi;
    }
    // c_i = dL/dalpha_i = Re(e_i^H g); cbar = sum_i alpha_i c_i; dL/ds_i = alpha_i (c_i - cbar).
    double cbar = 0;
    for (int i = 0; i <= t; ++i) {
      double c = 0;
      for (int k = 0; k < D; ++k) c += e_re(i, k) * sc.g_re[k] + e_im(i, k) * sc.g_im[k];
      sc.ds[i] = c;
      cbar += sc.alpha[i] * c;
    }
    // v = sum_i (dL/ds_i) e_i (D); dW_KQ += v e_t^H (the gradient of s_i in W_KQ is e_i e_t^H).
    for (int k = 0; k < D; ++k) sc.v_re[k] = sc.v_im[k] = 0;
    for (int i = 0; i <= t; ++i) {
      const double w = sc.alpha[i] * (sc.ds[i] - cbar);
      for (int k = 0; k < D; ++k) {
        sc.v_re[k] += w * e_re(i, k);
        sc.v_im[k] += w * e_im(i, k);
      }
    }
    for (int a = 0; a < D; ++a)
      for (int b = 0; b < D; ++b) {
        const double er = e_re(t, b), ei = e_im(t, b);
        gkq_re[a * D + b] += sc.v_re[a] * er + sc.v_im[a] * ei;
        gkq_im[a * D + b] += sc.v_im[a] * er - sc.v_re[a] * ei;
      }
  }
  o[0] += loss;
}

}  // namespace

void SoftmaxModel::shard_sums(const Weights& w, const Dataset& ds, Pass pass, int first_shard, int last_shard,
                              int threads, std::vector<double>& out) const {
  const int d = ds.d, T = ds.T;
  if (!check_weights(w, d).empty() || first_shard < 0 || last_shard > kShards || first_shard > last_shard)
    throw std::invalid_argument("shard_sums: weights of another shape, or shards outside [0, kShards)");
  const bool grad = pass == Pass::Gradient;  // Forward and Test: the same loss sums
  const Arrays W(attention_params(w));
  const int rec = record_size(d, grad);
  out.assign(static_cast<std::size_t>(last_shard - first_shard) * rec, 0.0);
  // A shard's sums: its packs' sequences (kernel.hpp's split) in order, into its own record, so that
  // which thread ran it changes no bit.
  const auto run_shard = [&](int s, SoftmaxScratch& sc) {
    double* o = out.data() + static_cast<std::size_t>(s - first_shard) * rec;
    const int begin = static_cast<int>(static_cast<long long>(ds.packs) * s / kShards) * ds.lanes;
    const int end = std::min(ds.m, static_cast<int>(static_cast<long long>(ds.packs) * (s + 1) / kShards) * ds.lanes);
    for (int q = begin; q < end; ++q) {
      ds.sequence(q, sc.re.data(), sc.im.data());
      sequence_sums(W, T, d, grad, sc, o);
    }
  };
  int nthreads = 1;
#ifdef MESAFLOW_THREADS
  nthreads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nthreads = std::min(nthreads, last_shard - first_shard);
#else
  (void)threads;
#endif
  if (nthreads <= 1) {
    SoftmaxScratch sc(T, d);
    for (int s = first_shard; s < last_shard; ++s) run_shard(s, sc);
    return;
  }
#ifdef MESAFLOW_THREADS
  std::atomic<int> next{first_shard};
  std::vector<std::thread> pool;
  for (int i = 0; i < nthreads; ++i)
    pool.emplace_back([&] {
      SoftmaxScratch sc(T, d);
      for (int s; (s = next.fetch_add(1)) < last_shard;) run_shard(s, sc);
    });
  for (auto& th : pool) th.join();
#endif
}

Eigen::MatrixXcd softmax_predict(const Weights& w, const Dataset& ds, int s) {
  const Arrays W(attention_params(w));
  SoftmaxScratch sc(ds.T, ds.d);
  ds.sequence(s, sc.re.data(), sc.im.data());
  Eigen::MatrixXcd y = Eigen::MatrixXcd::Zero(ds.d, ds.T);  // column-major: column t at t * d
  std::vector<double> o(static_cast<std::size_t>(shard_record_size(ds.d, false)), 0.0);
  sequence_sums(W, ds.T, ds.d, false, sc, o.data(), y.data());
  return y;
}

MesaView SoftmaxModel::mesa(const Weights& w, const Dataset& test, int nseq) const {
  const SequencePredictor predict = [](const void* ctx, const Dataset& ds, int s) {
    return softmax_predict(*static_cast<const Weights*>(ctx), ds, s);
  };
  return mesa_view(predict, &w, test, nseq);
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

void SoftmaxModel::clip(Weights& w) const {
  Params p = attention_params(w);
  clip_red_blocks(p);
  w = attention_weights(p);
}

void SoftmaxModel::push_structure(const Weights& w, History& h) const {
  // The blocks are the linear model's: ab and the red blocks' structure mean the same here.
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

const char* SoftmaxModel::theory_reason() const {
  return "the paper's theory (c*, the ODE of ab, recovery) is derived for linear attention; softmax attention is "
         "measured only (core/THEORY.md §11)";
}

}  // namespace mesaflow
