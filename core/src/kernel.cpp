#include "mesaflow/kernel.hpp"

#include <algorithm>
#include <atomic>
#include <vector>
#ifdef MESAFLOW_THREADS
#include <thread>
#endif

namespace mesaflow {

namespace {

constexpr int L = kLanes;
#define LANES for (int l = 0; l < L; ++l)

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

// Per-thread scratch, every buffer lane-minor: entry k of lane l at [k * L + l].
struct Scratch {
  std::vector<double> s_re, s_im;    // (D, D, L) running state S_t, upper triangle used
  std::vector<double> e_re, e_im;    // (D, L) embedding e_t
  std::vector<double> u_re, u_im;    // (D, L) W_KQ e_t
  std::vector<double> v_re, v_im;    // (D, L) S_t u
  std::vector<double> r_re, r_im;    // (d, L) residual / rho
  std::vector<double> w_re, w_im;    // (D, L) W_PV^H r / rho
  std::vector<double> z_re, z_im;    // (D, L) S_t w
  std::vector<double> gk_re, gk_im;  // (D, D, L) per-lane dW_KQ
  std::vector<double> gp_re, gp_im;  // (d, D, L) per-lane dW_PV
  explicit Scratch(int d) {
    const int D = 2 * d;
    for (auto* b : {&s_re, &s_im, &gk_re, &gk_im}) b->assign(D * D * L, 0.0);
    for (auto* b : {&gp_re, &gp_im}) b->assign(d * D * L, 0.0);
    for (auto* b : {&e_re, &e_im, &u_re, &u_im, &v_re, &v_im, &w_re, &w_im, &z_re, &z_im}) b->assign(D * L, 0.0);
    for (auto* b : {&r_re, &r_im}) b->assign(d * L, 0.0);
  }
};

// y = S x for Hermitian S stored in its upper triangle, on every lane.
inline void hermitian_matvec(int D, const double* __restrict sr, const double* __restrict si,
                             const double* __restrict xr, const double* __restrict xi,
                             double* __restrict yr, double* __restrict yi) {
  std::fill(yr, yr + D * L, 0.0);
  std::fill(yi, yi + D * L, 0.0);
  for (int a = 0; a < D; ++a) {
    const double* sar = sr + (a * D) * L;
    const double* sai = si + (a * D) * L;
    LANES {  // diagonal entries are real
      yr[a * L + l] += sar[a * L + l] * xr[a * L + l];
      yi[a * L + l] += sar[a * L + l] * xi[a * L + l];
    }
    for (int b = a + 1; b < D; ++b) {
      LANES {
        const double pr = sar[b * L + l], pi = sai[b * L + l];
        // y_a += S_ab x_b ; y_b += conj(S_ab) x_a
        yr[a * L + l] += pr * xr[b * L + l] - pi * xi[b * L + l];
        yi[a * L + l] += pr * xi[b * L + l] + pi * xr[b * L + l];
        yr[b * L + l] += pr * xr[a * L + l] + pi * xi[a * L + l];
        yi[b * L + l] += pr * xi[a * L + l] - pi * xr[a * L + l];
      }
    }
  }
}

// One pack of L sequences: tokens xr/xi (T, d, L). Adds into out.
template <bool kGrad>
void pack_scan(const Params& p, const double* kr, const double* ki, const double* pr_, const double* pi_,
               const double* __restrict xr, const double* __restrict xi, int T, int d, Scratch& sc, Partial& out) {
  (void)p;
  const int D = 2 * d;
  double* __restrict s_re = sc.s_re.data();
  double* __restrict s_im = sc.s_im.data();
  double* __restrict e_re = sc.e_re.data();
  double* __restrict e_im = sc.e_im.data();
  double* __restrict u_re = sc.u_re.data();
  double* __restrict u_im = sc.u_im.data();
  double* __restrict v_re = sc.v_re.data();
  double* __restrict v_im = sc.v_im.data();
  double* __restrict r_re = sc.r_re.data();
  double* __restrict r_im = sc.r_im.data();
  double* __restrict w_re = sc.w_re.data();
  double* __restrict w_im = sc.w_im.data();
  double* __restrict z_re = sc.z_re.data();
  double* __restrict z_im = sc.z_im.data();
  double* __restrict gk_re = sc.gk_re.data();
  double* __restrict gk_im = sc.gk_im.data();
  double* __restrict gp_re = sc.gp_re.data();
  double* __restrict gp_im = sc.gp_im.data();
  std::fill(sc.s_re.begin(), sc.s_re.end(), 0.0);
  std::fill(sc.s_im.begin(), sc.s_im.end(), 0.0);
  if (kGrad) {
    std::fill(sc.gk_re.begin(), sc.gk_re.end(), 0.0);
    std::fill(sc.gk_im.begin(), sc.gk_im.end(), 0.0);
    std::fill(sc.gp_re.begin(), sc.gp_re.end(), 0.0);
    std::fill(sc.gp_im.begin(), sc.gp_im.end(), 0.0);
  }
  double loss[L] = {}, ratio[L] = {}, count[L] = {}, last[L] = {};

  for (int t0 = 0; t0 + 1 < T; ++t0) {  // 0-based token index; the paper's t = t0 + 1
    // e_t = (x_t ; x_{t-1}), x_0 = 0
    for (int j = 0; j < d; ++j) LANES {
        e_re[j * L + l] = xr[(t0 * d + j) * L + l];
        e_im[j * L + l] = xi[(t0 * d + j) * L + l];
        e_re[(d + j) * L + l] = t0 > 0 ? xr[((t0 - 1) * d + j) * L + l] : 0.0;
        e_im[(d + j) * L + l] = t0 > 0 ? xi[((t0 - 1) * d + j) * L + l] : 0.0;
      }
    // S_t = S_{t-1} + e_t e_t^H (upper triangle)
    for (int a = 0; a < D; ++a)
      for (int b = a; b < D; ++b) LANES {
          const double ar = e_re[a * L + l], ai = e_im[a * L + l], br = e_re[b * L + l], bi = e_im[b * L + l];
          s_re[(a * D + b) * L + l] += ar * br + ai * bi;
          s_im[(a * D + b) * L + l] += ai * br - ar * bi;
        }
    if (t0 < 1) continue;  // predictions start at t = 2 (rho_t = t - 1 > 0)
    const double inv_rho = 1.0 / t0;

    // u = W_KQ e_t
    for (int a = 0; a < D; ++a) {
      double ur[L] = {}, ui[L] = {};
      for (int b = 0; b < D; ++b) {
        const double cr = kr[a * D + b], ci = ki[a * D + b];
        LANES {
          ur[l] += cr * e_re[b * L + l] - ci * e_im[b * L + l];
          ui[l] += cr * e_im[b * L + l] + ci * e_re[b * L + l];
        }
      }
      LANES {
        u_re[a * L + l] = ur[l];
        u_im[a * L + l] = ui[l];
      }
    }
    // v = S_t u
    hermitian_matvec(D, s_re, s_im, u_re, u_im, v_re, v_im);
    // y_hat = W_PV v / rho ; r = y_hat - x_{t+1}
    const bool last_pos = (t0 + 2 == T);  // t = T - 1, target x_T
    for (int i = 0; i < d; ++i) {
      double yr[L] = {}, yi[L] = {};
      for (int b = 0; b < D; ++b) {
        const double cr = pr_[i * D + b], ci = pi_[i * D + b];
        LANES {
          yr[l] += cr * v_re[b * L + l] - ci * v_im[b * L + l];
          yi[l] += cr * v_im[b * L + l] + ci * v_re[b * L + l];
        }
      }
      LANES {
        const double hr = yr[l] * inv_rho, hi = yi[l] * inv_rho;
        const double tr = xr[((t0 + 1) * d + i) * L + l], ti = xi[((t0 + 1) * d + i) * L + l];
        const double dr = hr - tr, di = hi - ti;
        const double se = dr * dr + di * di;
        loss[l] += se;
        if (last_pos) {
          last[l] += se;
          const double xx = tr * tr + ti * ti;
          if (xx > 0.0) {  // Re(y_hat / x) = Re(y_hat conj(x)) / |x|^2
            ratio[l] += (hr * tr + hi * ti) / xx;
            count[l] += 1.0;
          }
        }
        r_re[i * L + l] = dr * inv_rho;
        r_im[i * L + l] = di * inv_rho;
      }
    }
    if (!kGrad) continue;
    // dW_PV += (r / rho) v^H
    for (int i = 0; i < d; ++i)
      for (int b = 0; b < D; ++b) LANES {
          const double ar = r_re[i * L + l], ai = r_im[i * L + l], br = v_re[b * L + l], bi = v_im[b * L + l];
          gp_re[(i * D + b) * L + l] += ar * br + ai * bi;
          gp_im[(i * D + b) * L + l] += ai * br - ar * bi;
        }
    // w = W_PV^H (r / rho)
    for (int b = 0; b < D; ++b) {
      double wr[L] = {}, wi[L] = {};
      for (int i = 0; i < d; ++i) {
        const double cr = pr_[i * D + b], ci = -pi_[i * D + b];  // conj(W_PV[i, b])
        LANES {
          wr[l] += cr * r_re[i * L + l] - ci * r_im[i * L + l];
          wi[l] += cr * r_im[i * L + l] + ci * r_re[i * L + l];
        }
      }
      LANES {
        w_re[b * L + l] = wr[l];
        w_im[b * L + l] = wi[l];
      }
    }
    // z = S_t w ; dW_KQ += z e_t^H
    hermitian_matvec(D, s_re, s_im, w_re, w_im, z_re, z_im);
    for (int a = 0; a < D; ++a)
      for (int b = 0; b < D; ++b) LANES {
          const double ar = z_re[a * L + l], ai = z_im[a * L + l], br = e_re[b * L + l], bi = e_im[b * L + l];
          gk_re[(a * D + b) * L + l] += ar * br + ai * bi;
          gk_im[(a * D + b) * L + l] += ai * br - ar * bi;
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
        out.gk_re[k] += gk_re[k * L + l];
        out.gk_im[k] += gk_im[k * L + l];
      }
    for (int k = 0; k < d * D; ++k)
      for (int l = 0; l < L; ++l) {
        out.gp_re[k] += gp_re[k * L + l];
        out.gp_im[k] += gp_im[k * L + l];
      }
  }
}

}  // namespace

Evaluation evaluate(const Params& p, const Dataset& ds, Params* grad, int threads) {
  const int d = ds.d, D = 2 * d, T = ds.T;
  // Parameters as separate real and imaginary arrays, row-major.
  std::vector<double> kr(D * D), ki(D * D), pr(d * D), pi(d * D);
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
  const bool want_grad = grad != nullptr;
  std::vector<Partial> shard(kShards);
  const std::size_t pack_size = static_cast<std::size_t>(T) * d * L;
  auto run_shard = [&](int s, Scratch& sc) {
    shard[s].reset(d, want_grad);
    const int begin = static_cast<int>(static_cast<long long>(ds.packs) * s / kShards);
    const int end = static_cast<int>(static_cast<long long>(ds.packs) * (s + 1) / kShards);
    for (int k = begin; k < end; ++k) {
      const double* xr = ds.re.data() + k * pack_size;
      const double* xi = ds.im.data() + k * pack_size;
      if (want_grad) pack_scan<true>(p, kr.data(), ki.data(), pr.data(), pi.data(), xr, xi, T, d, sc, shard[s]);
      else pack_scan<false>(p, kr.data(), ki.data(), pr.data(), pi.data(), xr, xi, T, d, sc, shard[s]);
    }
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
