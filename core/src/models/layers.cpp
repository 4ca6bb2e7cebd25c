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
#include "shard_threads.hpp"
#include "../scalar_loops.hpp"  // MESAFLOW_SCALAR_LOOPS, cmac

namespace mesaflow {

namespace {

using scalar::C;
using scalar::CV;
using scalar::kWidth;
using scalar::lane;
using scalar::set_lane;

// A row-major matrix (rows, cols), flat, of complex numbers of kWidth<V> sequences (CV<V>).
template <class V>
struct Mat {
  int rows = 0, cols = 0;
  std::vector<CV<V>> a;
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
// double: one sequence, the scalar reference; V = Vec2: two). Every lane does the one-sequence
// scan's operations in its order, so its sums are that scan's bits; add_sums adds them in lane
// order, as one sequence after the other. n = T - 1 positions (the last token is only a target).
template <class V>
struct LayerScan {
  static constexpr int W = kWidth<V>;
  using Z = CV<V>;
  int L, d, D, n;
  std::vector<Mat<double>> K, P;  // the weights, one for all lanes: K[l] (D, D), P[l] (D or d, D), l = 0..L-1 (layer l + 1)
  std::vector<Mat<V>> gK, gP;     // their gradient sums over the sequence
  Mat<V> S, R;                    // (D, D) prefix state, suffix sum of the backward
  std::vector<Z> z;               // (L, n, D): z[l] = the input z^l of layer l + 1 (z[0] = e)
  std::vector<Z> u, v;            // (L, n, D): u = W_KQ z, v = S u of each layer
  std::vector<Z> r;               // (n, d): y_hat - x_{t+1} (0 at the first position)
  std::vector<Z> g, gnext;        // (n, D): the gradient of the current layer's output, of its input
  std::vector<Z> gv, gu;          // (n, D)
  std::vector<Z> a;               // (D)
  std::vector<V> re, im;          // (T, d) tokens
  std::vector<double> seq_re, seq_im;  // (T, d) one sequence's tokens, as Dataset::sequence writes them
  // The sequence's sums: its loss, last-position error, the ratio's terms Re(y_hat conj(x)) / |x|^2
  // and |x|^2 (d) at the last position (a term counts where |x|^2 > 0).
  V loss{}, last_sq{};
  std::vector<V> ratio_term, ratio_xx;

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
  Z* at(std::vector<Z>& x, int l, int t0) { return x.data() + (static_cast<std::size_t>(l) * n + t0) * D; }
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
      if (n >= 2) {  // a last position: its ratio terms over non-zero x, its error
        for (int i = 0; i < d; ++i)
          if (lane(ratio_xx[i], k) > 0.0) {
            o[1] += lane(ratio_term[i], k);
            o[2] += 1;
          }
        o[3] += lane(last_sq, k);
      }
      o[0] += lane(loss, k);
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
    // The shard's sequences: those of its packs (kernel.hpp's split), in order.
    const int begin = static_cast<int>(static_cast<long long>(ds.packs) * s / kShards) * ds.lanes;
    const int end = std::min(ds.m, static_cast<int>(static_cast<long long>(ds.packs) * (s + 1) / kShards) * ds.lanes);
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

Eigen::MatrixXcd layers_predict(const Weights& w, int L, const Dataset& ds, int s) {
  LayerScan<double> sc(w, L, ds.d, ds.T);
  sc.load(ds, s, 1);
  Eigen::MatrixXcd y = Eigen::MatrixXcd::Zero(ds.d, ds.T);  // column-major: column t0 at t0 * d
  sc.run(false, y.data());
  return y;
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
  if (lanes_ == 1) scan_shards<double>(w, L_, ds, grad, first_shard, last_shard, threads, rec, out);
  else scan_shards<scalar::Vec2>(w, L_, ds, grad, first_shard, last_shard, threads, rec, out);
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
