#include "mesaflow/kernel.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>
#ifdef MESAFLOW_THREADS
#include <thread>
#endif

namespace mesaflow {

namespace {

constexpr int L = kLanes;
constexpr int kMaxD = 64;  // D = 2d for d <= 32

// kLanes doubles, one per sequence of a pack. GCC and clang vector extensions: element-wise IEEE
// arithmetic (AVX-512/AVX2/SSE natively, wasm SIMD f64x2 in the browser) with no reordering, so
// every lane computes exactly what a scalar loop would. Token loads go through ld() (unaligned).
typedef double V __attribute__((vector_size(sizeof(double) * kLanes)));

inline V ld(const double* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline V zero() { return V{} * 0.0; }

// Sums of one shard (or of the whole set): gradients unscaled, as sum r v^H / rho etc.
struct Partial {
  double loss = 0, ratio = 0, ratio_count = 0, last = 0;
  std::vector<double> gk_re, gk_im;  // (D, D)
  std::vector<double> gp_re, gp_im;  // (d, D)
  void reset(int d, bool grad) {
    loss = ratio = ratio_count = last = 0;
    const int D = 2 * d;
    gk_re.assign(grad ? D * D : 0, 0.0);
    gk_im.assign(grad ? D * D : 0, 0.0);
    gp_re.assign(grad ? d * D : 0, 0.0);
    gp_im.assign(grad ? d * D : 0, 0.0);
  }
};

// Per-thread scratch that does not fit in registers.
struct Scratch {
  std::vector<V> s_re, s_im;    // (D, D) running state S_t, upper triangle used
  std::vector<V> gk_re, gk_im;  // (D, D) per-lane dW_KQ
  std::vector<V> gp_re, gp_im;  // (d, D) per-lane dW_PV
  explicit Scratch(int d) {
    const int D = 2 * d;
    for (auto* b : {&s_re, &s_im, &gk_re, &gk_im}) b->assign(D * D, zero());
    for (auto* b : {&gp_re, &gp_im}) b->assign(d * D, zero());
  }
};

// Parameters as separate real and imaginary arrays, row-major.
struct ParamArrays {
  std::vector<double> kr, ki;  // (D, D) W_KQ
  std::vector<double> pr, pi;  // (d, D) W_PV
  explicit ParamArrays(const Params& p) {
    const int d = p.d(), D = 2 * d;
    kr.resize(D * D), ki.resize(D * D), pr.resize(d * D), pi.resize(d * D);
    for (int a = 0; a < D; ++a)
      for (int b = 0; b < D; ++b) {
        kr[a * D + b] = p.wkq(a, b).real();
        ki[a * D + b] = p.wkq(a, b).imag();
      }
    for (int a = 0; a < d; ++a)
      for (int b = 0; b < D; ++b) {
        pr[a * D + b] = p.wpv(a, b).real();
        pi[a * D + b] = p.wpv(a, b).imag();
      }
  }
};

// y = S x for Hermitian S stored in its upper triangle. Row by row with the sums in
// registers: S_ab for b >= a as stored, for b < a as conj(S_ba).
template <int DC>
inline void hermitian_matvec(int D, const V* __restrict sr, const V* __restrict si, const V* xr, const V* xi, V* yr,
                             V* yi) {
  if (DC) D = DC;
  for (int a = 0; a < D; ++a) {
    V accr = zero(), acci = zero();
    for (int b = 0; b < a; ++b) {
      const V pr = sr[b * D + a], pi = si[b * D + a];
      accr += pr * xr[b] + pi * xi[b];
      acci += pr * xi[b] - pi * xr[b];
    }
    for (int b = a; b < D; ++b) {
      const V pr = sr[a * D + b], pi = si[a * D + b];
      accr += pr * xr[b] - pi * xi[b];
      acci += pr * xi[b] + pi * xr[b];
    }
    yr[a] = accr;
    yi[a] = acci;
  }
}

// One pack of L sequences: tokens xr/xi (T, d, L). Adds into out. DC = D known at compile time
// (loops unrolled, vectors in registers), or 0 for any D <= kMaxD.
template <int DC, bool kGrad>
void pack_scan(const ParamArrays& P, const double* __restrict xr, const double* __restrict xi, int T, int d_any,
               Scratch& sc, Partial& out) {
  constexpr int DM = DC ? DC : kMaxD;
  const int D = DC ? DC : 2 * d_any, d = D / 2;
  const double* kr = P.kr.data();
  const double* ki = P.ki.data();
  const double* pr = P.pr.data();
  const double* pi = P.pi.data();
  V* __restrict s_re = sc.s_re.data();
  V* __restrict s_im = sc.s_im.data();
  V* __restrict gk_re = sc.gk_re.data();
  V* __restrict gk_im = sc.gk_im.data();
  V* __restrict gp_re = sc.gp_re.data();
  V* __restrict gp_im = sc.gp_im.data();
  std::fill(sc.s_re.begin(), sc.s_re.end(), zero());
  std::fill(sc.s_im.begin(), sc.s_im.end(), zero());
  if (kGrad) {
    std::fill(sc.gk_re.begin(), sc.gk_re.end(), zero());
    std::fill(sc.gk_im.begin(), sc.gk_im.end(), zero());
    std::fill(sc.gp_re.begin(), sc.gp_re.end(), zero());
    std::fill(sc.gp_im.begin(), sc.gp_im.end(), zero());
  }
  V loss = zero(), last = zero();
  double ratio[L] = {}, count[L] = {};
  V er[DM], ei[DM];  // (D) embedding e_t = (x_t ; x_{t-1})
  V ur[DM], ui[DM];  // (D) W_KQ e_t
  V vr[DM], vi[DM];  // (D) S_t u
  V rr[DM], ri[DM];  // (d) (y_hat - x_{t+1}) / rho
  V wr[DM], wi[DM];  // (D) W_PV^H r
  V zr[DM], zi[DM];  // (D) S_t w
  for (int j = 0; j < d; ++j) er[d + j] = ei[d + j] = zero();  // x_0 = 0

  for (int t0 = 0; t0 + 1 < T; ++t0) {  // 0-based token index; the paper's t = t0 + 1
    for (int j = 0; j < d; ++j) {
      if (t0 > 0) {
        er[d + j] = er[j];
        ei[d + j] = ei[j];
      }
      er[j] = ld(xr + (t0 * d + j) * L);
      ei[j] = ld(xi + (t0 * d + j) * L);
    }
    // S_t = S_{t-1} + e_t e_t^H (upper triangle)
    for (int a = 0; a < D; ++a)
      for (int b = a; b < D; ++b) {
        s_re[a * D + b] += er[a] * er[b] + ei[a] * ei[b];
        s_im[a * D + b] += ei[a] * er[b] - er[a] * ei[b];
      }
    if (t0 < 1) continue;  // predictions start at t = 2 (rho_t = t - 1 > 0)
    const double inv_rho = 1.0 / t0;

    // u = W_KQ e_t
    for (int a = 0; a < D; ++a) {
      V accr = zero(), acci = zero();
      for (int b = 0; b < D; ++b) {
        const double cr = kr[a * D + b], ci = ki[a * D + b];
        accr += cr * er[b] - ci * ei[b];
        acci += cr * ei[b] + ci * er[b];
      }
      ur[a] = accr;
      ui[a] = acci;
    }
    // v = S_t u
    hermitian_matvec<DC>(D, s_re, s_im, ur, ui, vr, vi);
    // y_hat = W_PV v / rho ; r = y_hat - x_{t+1}
    const bool last_pos = (t0 + 2 == T);  // t = T - 1, target x_T
    for (int i = 0; i < d; ++i) {
      V yr = zero(), yi = zero();
      for (int b = 0; b < D; ++b) {
        const double cr = pr[i * D + b], ci = pi[i * D + b];
        yr += cr * vr[b] - ci * vi[b];
        yi += cr * vi[b] + ci * vr[b];
      }
      const V hr = yr * inv_rho, hi = yi * inv_rho;
      const V tr = ld(xr + ((t0 + 1) * d + i) * L), ti = ld(xi + ((t0 + 1) * d + i) * L);
      const V dr = hr - tr, di = hi - ti;
      const V se = dr * dr + di * di;
      loss += se;
      if (last_pos) {
        last += se;
        for (int l = 0; l < L; ++l) {
          const double xx = tr[l] * tr[l] + ti[l] * ti[l];
          if (xx > 0.0) {  // Re(y_hat / x) = Re(y_hat conj(x)) / |x|^2
            ratio[l] += (hr[l] * tr[l] + hi[l] * ti[l]) / xx;
            count[l] += 1.0;
          }
        }
      }
      rr[i] = dr * inv_rho;
      ri[i] = di * inv_rho;
    }
    if (!kGrad) continue;
    // dW_PV += (r / rho) v^H
    for (int i = 0; i < d; ++i)
      for (int b = 0; b < D; ++b) {
        gp_re[i * D + b] += rr[i] * vr[b] + ri[i] * vi[b];
        gp_im[i * D + b] += ri[i] * vr[b] - rr[i] * vi[b];
      }
    // w = W_PV^H (r / rho)
    for (int b = 0; b < D; ++b) {
      V accr = zero(), acci = zero();
      for (int i = 0; i < d; ++i) {
        const double cr = pr[i * D + b], ci = -pi[i * D + b];  // conj(W_PV[i, b])
        accr += cr * rr[i] - ci * ri[i];
        acci += cr * ri[i] + ci * rr[i];
      }
      wr[b] = accr;
      wi[b] = acci;
    }
    // z = S_t w ; dW_KQ += z e_t^H
    hermitian_matvec<DC>(D, s_re, s_im, wr, wi, zr, zi);
    for (int a = 0; a < D; ++a)
      for (int b = 0; b < D; ++b) {
        gk_re[a * D + b] += zr[a] * er[b] + zi[a] * ei[b];
        gk_im[a * D + b] += zi[a] * er[b] - zr[a] * ei[b];
      }
  }
  // Lanes into the shard's sums, in lane order.
  for (int l = 0; l < L; ++l) {
    out.loss += loss[l];
    out.ratio += ratio[l];
    out.ratio_count += count[l];
    out.last += last[l];
  }
  if (kGrad) {
    for (int k = 0; k < D * D; ++k)
      for (int l = 0; l < L; ++l) {
        out.gk_re[k] += gk_re[k][l];
        out.gk_im[k] += gk_im[k][l];
      }
    for (int k = 0; k < d * D; ++k)
      for (int l = 0; l < L; ++l) {
        out.gp_re[k] += gp_re[k][l];
        out.gp_im[k] += gp_im[k][l];
      }
  }
}

using ScanFn = void (*)(const ParamArrays&, const double*, const double*, int, int, Scratch&, Partial&);

// Unrolled kernels for d = 1..8 (the paper uses d = 5); the generic one above that.
template <bool kGrad>
ScanFn pick_scan(int d) {
  switch (d) {
    case 1: return pack_scan<2, kGrad>;
    case 2: return pack_scan<4, kGrad>;
    case 3: return pack_scan<6, kGrad>;
    case 4: return pack_scan<8, kGrad>;
    case 5: return pack_scan<10, kGrad>;
    case 6: return pack_scan<12, kGrad>;
    case 7: return pack_scan<14, kGrad>;
    case 8: return pack_scan<16, kGrad>;
    default: return pack_scan<0, kGrad>;
  }
}

}  // namespace

Evaluation evaluate(const Params& p, const Dataset& ds, Params* grad, int threads) {
  const int d = ds.d, D = 2 * d, T = ds.T;
  const ParamArrays P(p);
  const bool want_grad = grad != nullptr;
  const ScanFn scan = want_grad ? pick_scan<true>(d) : pick_scan<false>(d);
  std::vector<Partial> shard(kShards);
  const std::size_t pack_size = static_cast<std::size_t>(T) * d * L;
  auto run_shard = [&](int s, Scratch& sc) {
    shard[s].reset(d, want_grad);
    const int begin = static_cast<int>(static_cast<long long>(ds.packs) * s / kShards);
    const int end = static_cast<int>(static_cast<long long>(ds.packs) * (s + 1) / kShards);
    for (int k = begin; k < end; ++k)
      scan(P, ds.re.data() + k * pack_size, ds.im.data() + k * pack_size, T, d, sc, shard[s]);
  };
  int nthreads = 1;
#ifdef MESAFLOW_THREADS
  nthreads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nthreads = std::min({nthreads, kShards, std::max(1, ds.packs)});
#else
  (void)threads;
#endif
  if (nthreads <= 1) {
    Scratch sc(d);
    for (int s = 0; s < kShards; ++s) run_shard(s, sc);
  }
#ifdef MESAFLOW_THREADS
  else {
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < nthreads; ++t)
      pool.emplace_back([&] {
        Scratch sc(d);
        for (int s; (s = next.fetch_add(1)) < kShards;) run_shard(s, sc);
      });
    for (auto& th : pool) th.join();
  }
#endif
  Partial total;
  total.reset(d, want_grad);
  for (const Partial& s : shard) {  // shard order: independent of the thread count
    total.loss += s.loss;
    total.ratio += s.ratio;
    total.ratio_count += s.ratio_count;
    total.last += s.last;
    for (std::size_t k = 0; k < total.gk_re.size(); ++k) {
      total.gk_re[k] += s.gk_re[k];
      total.gk_im[k] += s.gk_im[k];
    }
    for (std::size_t k = 0; k < total.gp_re.size(); ++k) {
      total.gp_re[k] += s.gp_re[k];
      total.gp_im[k] += s.gp_im[k];
    }
  }
  Evaluation ev;
  ev.loss = total.loss / (2.0 * ds.m);
  ev.ratio = total.ratio_count > 0 ? total.ratio / total.ratio_count : 0.0;
  ev.last_mse = total.last / (static_cast<double>(ds.m) * d);
  if (want_grad) {
    Params g = Params::zeros(d);
    const double inv_m = 1.0 / ds.m;
    for (int a = 0; a < D; ++a)
      for (int b = 0; b < D; ++b) g.wkq(a, b) = {total.gk_re[a * D + b] * inv_m, total.gk_im[a * D + b] * inv_m};
    for (int a = 0; a < d; ++a)
      for (int b = 0; b < D; ++b) g.wpv(a, b) = {total.gp_re[a * D + b] * inv_m, total.gp_im[a * D + b] * inv_m};
    *grad = g;
  }
  return ev;
}

double epoch_flops(int d, int T, int m) {
  const double D = 2.0 * d, cmac = 8.0;
  const double state = D * (D + 1) / 2 * cmac * (T - 1);  // S_t updates, t = 1..T-1
  // per prediction: u = W_KQ e (D^2), v = S u (D^2), y = W_PV v (dD), dW_PV (dD),
  // w = W_PV^H r (dD), z = S w (D^2), dW_KQ (D^2)
  const double per_t = (4 * D * D + 3 * d * D) * cmac;
  return m * (state + per_t * (T - 2));
}

}  // namespace mesaflow
