// Private to the core: the L-layer linear attention pass (models/layers.hpp, core/THEORY.md §12)
// for several sequences at once, one per SIMD lane. Included by layers.cpp (the scalar reference,
// V = double) and by passes_isa.cpp, which kernel_isa.hpp's mechanism compiles once per
// instruction set (V its widest vector of doubles) inside MESAFLOW_KERNEL_BEGIN/_END; hence the
// anonymous namespace: each compilation keeps its own copy, none is merged with another's.
#pragma once
#include <algorithm>
#include <complex>
#include <vector>

#include "mesaflow/dataset.hpp"
#include "mesaflow/kernel.hpp"  // kShards
#include "mesaflow/models/model.hpp"
#include "lane_sums.hpp"  // shard_sequences, add_sequence_sums
#include "shard_threads.hpp"
#include "../kernel_isa.hpp"    // KernelAlloc
#include "../scalar_loops.hpp"  // MESAFLOW_SCALAR_LOOPS, CV, cmac, cmac_conj, scale

namespace mesaflow {
namespace {

// kBytes / 8 sequences' doubles, a sequence per lane: double for 8 bytes (the scalar reference).
template <int kBytes>
struct SeqLanes {
  typedef double V __attribute__((vector_size(kBytes)));
};
template <>
struct SeqLanes<8> {
  using V = double;
};

using scalar::C;
using scalar::CV;
using scalar::kWidth;
using scalar::lane;
using scalar::set_lane;

// A row-major matrix (rows, cols), flat, of complex numbers of kWidth<V> sequences (CV<V>).
template <class V>
struct Mat {
  int rows = 0, cols = 0;
  std::vector<CV<V>, KernelAlloc<CV<V>>> a;
  Mat() = default;
  Mat(int r, int c) : rows(r), cols(c), a(static_cast<std::size_t>(r) * c) {}
  CV<V>& operator()(int i, int j) { return a[static_cast<std::size_t>(i) * cols + j]; }
  const CV<V>& operator()(int i, int j) const { return a[static_cast<std::size_t>(i) * cols + j]; }
  void zero() { std::fill(a.begin(), a.end(), CV<V>{}); }
};

// A is one matrix for all lanes (the weights, A = double) or a matrix per lane (A = V).
template <class A, class V>
void mul(const Mat<A>& M, const CV<V>* x, CV<V>* y) {  // y = M x (y of M.rows), y overwritten
  for (int i = 0; i < M.rows; ++i) {
    CV<V> s{};
    for (int j = 0; j < M.cols; ++j) cmac(s, M(i, j), x[j]);
    y[i] = s;
  }
}
template <class A, class V>
void mul_adjoint_add(const Mat<A>& M, const CV<V>* x, CV<V>* y) {  // y += M^H x (y of M.cols)
  for (int j = 0; j < M.cols; ++j) {
    CV<V> s = y[j];
    for (int i = 0; i < M.rows; ++i) cmac_conj(s, x[i], M(i, j));  // conj(M_ij) x_i
    y[j] = s;
  }
}
template <class V>
void outer_add(Mat<V>& G, const CV<V>* a, const CV<V>* b) {  // G += a b^H
  for (int i = 0; i < G.rows; ++i)
    for (int j = 0; j < G.cols; ++j) cmac_conj(G(i, j), a[i], b[j]);
}

// Per-thread scratch of the scan of kWidth<V> sequences at once, lane k holding the k-th (V =
// double: one sequence, the scalar reference; SeqLanes<16>::V two, <32> four, <64> eight). Every
// lane does the one-sequence scan's operations in its order, so its sums are that scan's bits;
// add_sums adds them in lane order, as one sequence after the other. n = T - 1 positions (the last token is only a target).
template <class V>
struct LayerScan {
  static constexpr int W = kWidth<V>;
  using Z = CV<V>;
  int L, d, D, n;
  std::vector<Mat<double>> K, P;  // the weights, one for all lanes: K[l] (D, D), P[l] (D or d, D), l = 0..L-1 (layer l + 1)
  std::vector<Mat<V>> gK, gP;     // their gradient sums over the sequence
  Mat<V> S, R;                    // (D, D) prefix state, suffix sum of the backward
  using Zs = std::vector<Z, KernelAlloc<Z>>;
  using Vs = std::vector<V, KernelAlloc<V>>;
  Zs z;                                // (L, n, D): z[l] = the input z^l of layer l + 1 (z[0] = e)
  Zs u, v;                             // (L, n, D): u = W_KQ z, v = S u of each layer
  Zs r;                                // (n, d): y_hat - x_{t+1} (0 at the first position)
  Zs g, gnext;                         // (n, D): the gradient of the current layer's output, of its input
  Zs gv, gu;                           // (n, D)
  Zs a;                                // (D)
  Vs re, im;                           // (T, d) tokens
  std::vector<double> seq_re, seq_im;  // (T, d) one sequence's tokens, as Dataset::sequence writes them
  // The sequence's sums: its loss, last-position error, the ratio's terms Re(y_hat conj(x)) / |x|^2
  // and |x|^2 (d) at the last position (a term counts where |x|^2 > 0).
  V loss{}, last_sq{};
  Vs ratio_term, ratio_xx;

  LayerScan(const Weights& w, int L_, int d_, int T)
      : L(L_), d(d_), D(2 * d_), n(T - 1), S(D, D), R(D, D), ratio_term(d_), ratio_xx(d_) {
    for (int l = 0; l < L; ++l) {
      for (int b = 0; b < 2; ++b) {
        const Eigen::MatrixXcd& src = w.blocks[2 * l + b];
        Mat<double> m(static_cast<int>(src.rows()), static_cast<int>(src.cols()));
        for (int i = 0; i < m.rows; ++i)
          for (int j = 0; j < m.cols; ++j) m(i, j) = {src(i, j).real(), src(i, j).imag()};
        (b == 0 ? K : P).push_back(m);
        (b == 0 ? gK : gP).push_back(Mat<V>(m.rows, m.cols));
      }
    }
    const std::size_t layer = static_cast<std::size_t>(n) * D;
    z.assign(L * layer, Z{});
    u.assign(L * layer, Z{});
    v.assign(L * layer, Z{});
    r.assign(static_cast<std::size_t>(n) * d, Z{});
    g.assign(layer, Z{});
    gnext.assign(layer, Z{});
    gv.assign(layer, Z{});
    gu.assign(layer, Z{});
    a.assign(D, Z{});
    seq_re.resize(static_cast<std::size_t>(T) * d);
    seq_im.resize(seq_re.size());
    re.resize(seq_re.size());
    im.resize(seq_re.size());
  }
  Z* at(Zs& x, int l, int t0) { return x.data() + (static_cast<std::size_t>(l) * n + t0) * D; }
  Z token(int t0, int j) const {  // x at 0-based position t0, coordinate j
    return {re[static_cast<std::size_t>(t0) * d + j], im[static_cast<std::size_t>(t0) * d + j]};
  }

  // The tokens of sequences first..first + count - 1 of ds into the lanes; lanes past count
  // (count < W: the set's tail) scan a copy of the last one, and add_sums skips them.
  void load(const Dataset& ds, int first, int count) {
    for (int k = 0; k < W; ++k) {
      ds.sequence(first + std::min(k, count - 1), seq_re.data(), seq_im.data());
      for (std::size_t i = 0; i < seq_re.size(); ++i) {
        set_lane(re[i], k, seq_re[i]);
        set_lane(im[i], k, seq_im[i]);
      }
    }
  }

  // The loaded sequences' scans (their sums in loss, last_sq, ratio_*, gK, gP: add_sums adds them).
  // With y_out, lane 0's predictions too: y_out[t0 * d + i] = y_hat at 0-based position t0 (t0 = 1..n-1).
  MESAFLOW_SCALAR_LOOPS void run(bool grad, C* y_out = nullptr) {
    // z^0_t = e_t = (x_t ; x_{t-1}), x_0 = 0, 0-based t0 = t - 1.
    for (int t0 = 0; t0 < n; ++t0) {
      Z* e = at(z, 0, t0);
      for (int j = 0; j < d; ++j) {
        e[j] = token(t0, j);
        e[d + j] = t0 > 0 ? token(t0 - 1, j) : Z{};
      }
    }
    // Forward, layer by layer: S^l_t += z z^H, u = W_KQ z, v = S u, a = W_PV v / rho.
    loss = V{};
    for (int l = 0; l < L; ++l) {
      const bool last = l == L - 1;
      S.zero();
      for (int t0 = 0; t0 < n; ++t0) {
        const Z* zt = at(z, l, t0);
        outer_add(S, zt, zt);
        if (t0 == 0) {  // rho_1 = 0: the layer adds nothing at the first position (§12)
          if (!last) std::copy(zt, zt + D, at(z, l + 1, 0));
          continue;
        }
        Z* ut = at(u, l, t0);
        Z* vt = at(v, l, t0);
        mul(K[l], zt, ut);
        mul(S, ut, vt);
        mul(P[l], vt, a.data());
        const double inv = 1.0 / t0;  // 1 / rho_t
        if (!last) {
          Z* znext = at(z, l + 1, t0);
          for (int i = 0; i < D; ++i) znext[i] = zt[i] + scale(a[i], inv);
        } else {
          Z* rt = r.data() + static_cast<std::size_t>(t0) * d;
          V sq{};
          for (int i = 0; i < d; ++i) {
            const Z y = scale(a[i], inv);
            if (y_out) y_out[static_cast<std::size_t>(t0) * d + i] = {lane(y.re, 0), lane(y.im, 0)};
            const Z x = token(t0 + 1, i);
            rt[i] = y - x;
            sq += rt[i].re * rt[i].re + rt[i].im * rt[i].im;
            if (t0 + 1 == n) {  // the last position, target x_T: ratio Re(y_hat / x) over non-zero x
              ratio_xx[i] = x.re * x.re + x.im * x.im;
              ratio_term[i] = (y.re * x.re + y.im * x.im) / ratio_xx[i];
            }
          }
          loss += sq;
          if (t0 + 1 == n) last_sq = sq;
        }
      }
    }
    if (!grad) return;

    // Backward (§12), layer L down to 1; g holds dl/d(output of the layer) (+ i dl/dIm).
    for (auto& m : gK) m.zero();
    for (auto& m : gP) m.zero();
    std::fill(g.begin(), g.end(), Z{});
    for (int t0 = 1; t0 < n; ++t0) std::copy(r.data() + static_cast<std::size_t>(t0) * d, r.data() + static_cast<std::size_t>(t0 + 1) * d, g.data() + static_cast<std::size_t>(t0) * D);
    for (int l = L - 1; l >= 0; --l) {
      const bool last = l == L - 1;
      const int Pl = P[l].rows;
      // gs = g / rho; dW_PV += gs v^H; gv = W_PV^H gs.
      std::fill(gv.begin(), gv.end(), Z{});
      for (int t0 = 1; t0 < n; ++t0) {
        const double inv = 1.0 / t0;
        const Z* gt = g.data() + static_cast<std::size_t>(t0) * D;
        for (int i = 0; i < Pl; ++i) a[i] = scale(gt[i], inv);
        outer_add(gP[l], a.data(), at(v, l, t0));  // a: gs = g / rho here
        mul_adjoint_add(P[l], a.data(), gv.data() + static_cast<std::size_t>(t0) * D);
      }
      // A forward scan for the prefix states again: gu = S_t gv, dW_KQ += gu z^H.
      S.zero();
      for (int t0 = 0; t0 < n; ++t0) {
        const Z* zt = at(z, l, t0);
        outer_add(S, zt, zt);
        if (t0 == 0) continue;
        Z* gut = gu.data() + static_cast<std::size_t>(t0) * D;
        mul(S, gv.data() + static_cast<std::size_t>(t0) * D, gut);
        outer_add(gK[l], gut, zt);
      }
      if (l == 0) break;  // z^0 = e is data
      // A reverse scan: R_t = sum_{s >= t} (gv_s u_s^H + u_s gv_s^H), and the input's gradient
      // gz_t = (residual: g_t) + W_KQ^H gu_t + R_t z_t.
      R.zero();
      for (int t0 = n - 1; t0 >= 0; --t0) {
        const Z* zt = at(z, l, t0);
        Z* out = gnext.data() + static_cast<std::size_t>(t0) * D;
        if (t0 > 0) {
          const Z* gvt = gv.data() + static_cast<std::size_t>(t0) * D;
          const Z* ut = at(u, l, t0);
          outer_add(R, gvt, ut);
          outer_add(R, ut, gvt);
        }
        // The residual stream carries the output's gradient (at t0 = 0 z^{l+1} = z^l).
        for (int i = 0; i < D; ++i) out[i] = Z{};
        if (!last) {
          const Z* gt = g.data() + static_cast<std::size_t>(t0) * D;
          for (int i = 0; i < D; ++i) out[i] = gt[i];
        }
        for (int i = 0; i < D; ++i) {
          Z s = out[i];
          for (int j = 0; j < D; ++j) cmac(s, R(i, j), zt[j]);
          out[i] = s;
        }
        if (t0 > 0) mul_adjoint_add(K[l], gu.data() + static_cast<std::size_t>(t0) * D, out);
      }
      std::swap(g, gnext);
    }
  }

  // The sums of lanes 0..count - 1 into o = [loss, ratio, ratio_count, last, gradient], lane 0's
  // first: as the scan of one sequence after the other adds them (the same additions into o).
  void add_sums(bool grad, int count, double* o) const {
    for (int k = 0; k < count; ++k) {
      add_sequence_sums(o, k, n >= 2, d, loss, last_sq, ratio_term, ratio_xx);  // n >= 2: a last position
      if (!grad) continue;
      // The sums in to_vector's order: each block's real parts row-major, then its imaginary parts.
      double* q = o + 4;
      for (int l = 0; l < L; ++l)
        for (const Mat<V>* m : {&gK[l], &gP[l]}) {
          for (const Z& c : m->a) *q++ += lane(c.re, k);
          for (const Z& c : m->a) *q++ += lane(c.im, k);
        }
    }
  }
};

// The shards' sums with kWidth<V> sequences per scan.
template <class V>
void scan_shards(const Weights& w, int L, const Dataset& ds, bool grad, int first_shard, int last_shard, int threads,
                 int rec, std::vector<double>& out) {
  auto run_shard = [&](int s, LayerScan<V>& sc) {
    double* o = out.data() + static_cast<std::size_t>(s - first_shard) * rec;
    const auto [begin, end] = shard_sequences(ds, s);
    for (int q = begin; q < end; q += LayerScan<V>::W) {
      const int count = std::min(LayerScan<V>::W, end - q);
      sc.load(ds, q, count);
      sc.run(grad);
      sc.add_sums(grad, count, o);
    }
  };
  run_shards(first_shard, last_shard, threads, ds.packs, [&] { return LayerScan<V>(w, L, ds.d, ds.T); }, run_shard);
}


}  // namespace
}  // namespace mesaflow
