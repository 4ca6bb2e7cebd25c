// Private to the core: the softmax-attention pass (models/softmax.hpp, core/THEORY.md §11) for
// several sequences at once, one per SIMD lane, as layer_scan.hpp does for the L-layer pass (its
// comment says where this is compiled and why the anonymous namespace).
//
// The pass adds each position's gradient terms into the shard's record directly, sequence after
// sequence, so the lanes cannot form their sums side by side: the scan keeps each position's
// residual r, mixture u and score gradient v, and add_sums adds the terms, the loss and the ratio
// of lane 0, then lane 1, ..., with the scalar pass's operations in its order.
#pragma once
#include <algorithm>
#include <complex>
#include <cstring>
#include <limits>
#include <vector>

#include "mesaflow/dataset.hpp"
#include "mesaflow/kernel.hpp"  // kShards
#include "mesaflow/models/attention.hpp"
#include "mesaflow/models/exp.hpp"
#include "lane_sums.hpp"  // shard_sequences, add_sequence_sums
#include "shard_threads.hpp"
#include "../kernel_isa.hpp"    // KernelAlloc
#include "../scalar_loops.hpp"  // MESAFLOW_SCALAR_LOOPS, kWidth, lane, set_lane

namespace mesaflow {
namespace {

using scalar::kWidth;
using scalar::lane;
using scalar::set_lane;

// portable_exp of every lane, with its operations elementwise (exp.hpp portable_exp_steps): its
// bits. Where a lane needs one of its special cases (NaN, overflow, a result below the normal
// range), every lane goes through portable_exp itself.
template <class V>
V exp_lanes(const V& x) {
  constexpr int W = kWidth<V>;
  if constexpr (W == 1) {
    return portable_exp(x);
  } else {
    bool steps = true;
    for (int l = 0; l < W; ++l) steps = steps && x[l] >= -708.0 && x[l] <= 709.0;  // false for NaN
    if (!steps) {
      V y = x;
      for (int l = 0; l < W; ++l) y[l] = portable_exp(x[l]);
      return y;
    }
    // floor(t) for |t| < 2^51: t rounded to an integer by adding and removing 1.5 2^52, less 1
    // where that rounded up (the comparison's lanes are -1 where true, 0 where false).
    const auto floor_of = [](const V& t) {
      const V n = (t + 0x1.8p52) - 0x1.8p52;
      return n + __builtin_convertvector(n > t, V);
    };
    // 2^k p for integers k in [-1022, 1023], p in [0.7, 1.5]: a product with 2^k, built from its bits
    // ((k + 1023) + 2^52 holds k + 1023 in its low bits), exact as the result is normal.
    const auto scale = [](const V& p, const V& k) {
      typedef long long I __attribute__((vector_size(sizeof(V))));
      const V m = (k + 1023.0) + 0x1p52;
      I b;
      std::memcpy(&b, &m, sizeof b);
      b = (b - 0x4330000000000000LL) << 52;
      V two_k;
      std::memcpy(&two_k, &b, sizeof two_k);
      return p * two_k;
    };
    return portable_exp_steps(x, floor_of, scale);
  }
}

// The weights as real arrays, row-major: kq (D, D), pv (d, D).
struct SoftmaxWeights {
  std::vector<double> kq_re, kq_im, pv_re, pv_im;
  explicit SoftmaxWeights(const Params& p) {
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

// One thread's buffers for kWidth<V> sequences, lane k the k-th (V = double: one sequence, the
// scalar reference). Legend: d token dimension, D = 2d, T positions.
template <class V>
struct SoftmaxScan {
  static constexpr int W = kWidth<V>;
  using Vs = std::vector<V, KernelAlloc<V>>;
  int T, d, D;
  Vs re, im;                                   // (T, d) row-major: the sequences' tokens x_1..x_T
  std::vector<double> seq_re, seq_im;          // (T, d) one sequence's, as Dataset::sequence writes them
  Vs alpha;                                    // (T) alpha_{t,i}, i <= t (first the scores s_{t,i})
  Vs ds;                                       // (T) dL/ds_{t,i}
  Vs q_re, q_im, g_re, g_im;                   // (D) each
  Vs u_re, u_im, v_re, v_im;                   // (T, D): each position's u and v (kept for add_sums)
  Vs r_re, r_im;                               // (T, d): each position's residual y_hat_t - x_{t+1}
  V loss{}, last_sq{};                         // the sequence's loss and last-position error
  Vs ratio_term, ratio_xx;                     // (d) Re(y_hat conj(x)) / |x|^2 and |x|^2 at the last position

  SoftmaxScan(int T_, int d_)
      : T(T_), d(d_), D(2 * d_), re(static_cast<std::size_t>(T_) * d_), im(re.size()), seq_re(re.size()),
        seq_im(re.size()), alpha(T_), ds(T_), q_re(D), q_im(D), g_re(D), g_im(D), u_re(static_cast<std::size_t>(T_) * D),
        u_im(u_re.size()), v_re(u_re.size()), v_im(u_re.size()), r_re(re.size()), r_im(re.size()), ratio_term(d_),
        ratio_xx(d_) {}

  // The tokens of sequences first..first + count - 1 of ds into the lanes; lanes past count
  // (count < W: the set's tail) scan a copy of the last one, and add_sums skips them.
  void load(const Dataset& set, int first, int count) {
    for (int k = 0; k < W; ++k) {
      set.sequence(first + std::min(k, count - 1), seq_re.data(), seq_im.data());
      for (std::size_t i = 0; i < seq_re.size(); ++i) {
        set_lane(re[i], k, seq_re[i]);
        set_lane(im[i], k, seq_im[i]);
      }
    }
  }

  // The loaded sequences' scans; add_sums adds their sums. Positions are 0-based here: e_t is held
  // as its two halves, x_t (row t of re, im) and x_{t-1} (row t-1; zero at t = 0); the predictions
  // are at t = 1..T-2 with target x_{t+1} (the paper's t = 2..T-1). With y (T d), lane 0's
  // predictions too: y[t * d + a] = y_hat at position t.
  MESAFLOW_SCALAR_LOOPS void run(const SoftmaxWeights& Wt, bool grad, std::complex<double>* y = nullptr) {
    // Entry k of e_t, real and imaginary parts.
    const auto e_re = [&](int t, int k) { return k < d ? re[t * d + k] : (t > 0 ? re[(t - 1) * d + k - d] : V{}); };
    const auto e_im = [&](int t, int k) { return k < d ? im[t * d + k] : (t > 0 ? im[(t - 1) * d + k - d] : V{}); };
    loss = V{};
    for (int t = 1; t + 1 < T; ++t) {
      // q = W_KQ e_t (D): once per position, then the scores are dot products with it.
      for (int a = 0; a < D; ++a) {
        V qr{}, qi{};
        for (int b = 0; b < D; ++b) {
          const double wr = Wt.kq_re[a * D + b], wi = Wt.kq_im[a * D + b];
          const V er = e_re(t, b), ei = e_im(t, b);
          qr += wr * er - wi * ei;
          qi += wr * ei + wi * er;
        }
        q_re[a] = qr;
        q_im[a] = qi;
      }
      // s_i = Re(e_i^H q) for i <= t, the largest subtracted before exp (alpha in [0, 1] for any scores).
      V top = -std::numeric_limits<double>::infinity() + V{};
      for (int i = 0; i <= t; ++i) {
        V s{};
        for (int k = 0; k < D; ++k) s += e_re(i, k) * q_re[k] + e_im(i, k) * q_im[k];
        alpha[i] = s;
        for (int l = 0; l < W; ++l) set_lane(top, l, std::max(lane(top, l), lane(s, l)));
      }
      V z{};
      for (int i = 0; i <= t; ++i) {
        alpha[i] = exp_lanes(alpha[i] - top);  // portable_exp, not std::exp: same bits natively and in wasm
        z += alpha[i];
      }
      const V inv_z = 1.0 / z;
      for (int i = 0; i <= t; ++i) alpha[i] *= inv_z;
      // u = sum_i alpha_i e_i (D).
      V* ur = u_re.data() + static_cast<std::size_t>(t) * D;
      V* ui = u_im.data() + static_cast<std::size_t>(t) * D;
      for (int k = 0; k < D; ++k) ur[k] = ui[k] = V{};
      for (int i = 0; i <= t; ++i)
        for (int k = 0; k < D; ++k) {
          ur[k] += alpha[i] * e_re(i, k);
          ui[k] += alpha[i] * e_im(i, k);
        }
      // y = W_PV u, r = y - x_{t+1}.
      V* rr = r_re.data() + static_cast<std::size_t>(t) * d;
      V* ri = r_im.data() + static_cast<std::size_t>(t) * d;
      V sq{};
      const bool last = t + 2 == T;
      for (int a = 0; a < d; ++a) {
        V yr{}, yi{};
        for (int k = 0; k < D; ++k) {
          const double wr = Wt.pv_re[a * D + k], wi = Wt.pv_im[a * D + k];
          yr += wr * ur[k] - wi * ui[k];
          yi += wr * ui[k] + wi * ur[k];
        }
        if (y) y[t * d + a] = {lane(yr, 0), lane(yi, 0)};
        const V xr = re[(t + 1) * d + a], xi = im[(t + 1) * d + a];
        rr[a] = yr - xr;
        ri[a] = yi - xi;
        sq += rr[a] * rr[a] + ri[a] * ri[a];
        if (last) {  // the ratio Re(y_hat / x) = Re(y_hat conj(x)) / |x|^2 over non-zero x (add_sums)
          ratio_xx[a] = xr * xr + xi * xi;
          ratio_term[a] = (yr * xr + yi * xi) / ratio_xx[a];
        }
      }
      loss += sq;
      if (last) last_sq = sq;  // the last-position error
      if (!grad) continue;
      // g = W_PV^H r (D), the gradient of the loss in u (dW_PV += r u^H: add_sums).
      for (int k = 0; k < D; ++k) {
        V gr{}, gi{};
        for (int a = 0; a < d; ++a) {
          const double wr = Wt.pv_re[a * D + k], wi = Wt.pv_im[a * D + k];  // conj(W_PV[a, k]) r_a
          gr += wr * rr[a] + wi * ri[a];
          gi += wr * ri[a] - wi * rr[a];
        }
        g_re[k] = gr;
        g_im[k] = gi;
      }
      // c_i = dL/dalpha_i = Re(e_i^H g); cbar = sum_i alpha_i c_i; dL/ds_i = alpha_i (c_i - cbar).
      V cbar{};
      for (int i = 0; i <= t; ++i) {
        V c{};
        for (int k = 0; k < D; ++k) c += e_re(i, k) * g_re[k] + e_im(i, k) * g_im[k];
        ds[i] = c;
        cbar += alpha[i] * c;
      }
      // v = sum_i (dL/ds_i) e_i (D) (dW_KQ += v e_t^H: add_sums; the gradient of s_i in W_KQ is e_i e_t^H).
      V* vr = v_re.data() + static_cast<std::size_t>(t) * D;
      V* vi = v_im.data() + static_cast<std::size_t>(t) * D;
      for (int k = 0; k < D; ++k) vr[k] = vi[k] = V{};
      for (int i = 0; i <= t; ++i) {
        const V w = alpha[i] * (ds[i] - cbar);
        for (int k = 0; k < D; ++k) {
          vr[k] += w * e_re(i, k);
          vi[k] += w * e_im(i, k);
        }
      }
    }
  }

  // Lanes 0..count - 1 into record o (size shard_record_size): [loss, ratio, ratio_count, last,
  // gkq (D, D) re then im, gpv (d, D) re then im], lane 0 first, each position's gradient terms in
  // position order, as the scalar pass adds them one sequence after the other.
  MESAFLOW_SCALAR_LOOPS void add_sums(bool grad, int count, double* o) const {
    double* gkq_re = o + 4;
    double* gkq_im = gkq_re + D * D;
    double* gpv_re = gkq_im + D * D;
    double* gpv_im = gpv_re + d * D;
    for (int l = 0; l < count; ++l) {
      // Lane l's entry k of e_t.
      const auto e_re = [&](int t, int k) { return lane(k < d ? re[t * d + k] : re[(t - 1) * d + k - d], l); };
      const auto e_im = [&](int t, int k) { return lane(k < d ? im[t * d + k] : im[(t - 1) * d + k - d], l); };
      for (int t = 1; grad && t + 1 < T; ++t) {
        const V* ur = u_re.data() + static_cast<std::size_t>(t) * D;
        const V* ui = u_im.data() + static_cast<std::size_t>(t) * D;
        const V* rr = r_re.data() + static_cast<std::size_t>(t) * d;
        const V* ri = r_im.data() + static_cast<std::size_t>(t) * d;
        for (int a = 0; a < d; ++a)  // dW_PV += r u^H
          for (int k = 0; k < D; ++k) {
            const double r_re_a = lane(rr[a], l), r_im_a = lane(ri[a], l), u_re_k = lane(ur[k], l), u_im_k = lane(ui[k], l);
            gpv_re[a * D + k] += r_re_a * u_re_k + r_im_a * u_im_k;
            gpv_im[a * D + k] += r_im_a * u_re_k - r_re_a * u_im_k;
          }
        const V* vr = v_re.data() + static_cast<std::size_t>(t) * D;
        const V* vi = v_im.data() + static_cast<std::size_t>(t) * D;
        for (int a = 0; a < D; ++a)  // dW_KQ += v e_t^H
          for (int b = 0; b < D; ++b) {
            const double er = e_re(t, b), ei = e_im(t, b), v_re_a = lane(vr[a], l), v_im_a = lane(vi[a], l);
            gkq_re[a * D + b] += v_re_a * er + v_im_a * ei;
            gkq_im[a * D + b] += v_im_a * er - v_re_a * ei;
          }
      }
      add_sequence_sums(o, l, T >= 3, d, loss, last_sq, ratio_term, ratio_xx);  // T >= 3: a last position t = T - 2 >= 1
    }
  }
};

// The shards' sums with kWidth<V> sequences per scan: a shard's are its packs' sequences
// (kernel.hpp's split) in order, into its own record, so that which thread ran it changes no bit.
template <class V>
void softmax_scan_shards(const Params& p, const Dataset& ds, bool grad, int first_shard, int last_shard, int threads,
                         int rec, std::vector<double>& out) {
  const SoftmaxWeights Wt(p);
  const auto run_shard = [&](int s, SoftmaxScan<V>& sc) {
    double* o = out.data() + static_cast<std::size_t>(s - first_shard) * rec;
    const auto [begin, end] = shard_sequences(ds, s);
    for (int q = begin; q < end; q += SoftmaxScan<V>::W) {
      const int count = std::min(SoftmaxScan<V>::W, end - q);
      sc.load(ds, q, count);
      sc.run(Wt, grad);
      sc.add_sums(grad, count, o);
    }
  };
  run_shards(first_shard, last_shard, threads, last_shard - first_shard, [&] { return SoftmaxScan<V>(ds.T, ds.d); },
             run_shard);
}

}  // namespace
}  // namespace mesaflow
