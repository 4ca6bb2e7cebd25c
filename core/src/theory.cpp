#include "mesaflow/theory.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace mesaflow {

void to_json(Json& j, const Theory& th) {
  j = Json::object();
  j["M2"] = number(th.moments.M2);
  j["M4"] = number(th.moments.M4);
  j["M6"] = number(th.moments.M6);
  j["M24"] = number(th.moments.M24);
  j["A"] = number(th.A);
  j["B"] = number(th.B);
  j["c_star_T"] = number(th.c_star_T);
  j["c_star_inf"] = number(th.c_star_inf);
  j["c_star_empirical"] = th.A_emp > 0 ? number(th.c_star_empirical) : Json(nullptr);
  j["ratio_pred"] = number(th.ratio_pred);
  j["moment_ratio"] = number(th.moment_ratio);
  j["recovery"] = th.recovery;
}

double harmonic(int n) {
  double h = 0;
  for (int k = n; k >= 1; --k) h += 1.0 / k;  // small terms first
  return h;
}

Theory theory_from_moments(const Moments& mo, int d, int T, X1Family f) {
  Theory th;
  th.moments = mo;
  th.A = (T - 2) * mo.M6 + harmonic(T - 2) * mo.M24;
  th.B = (T - 2) * mo.M4;
  th.c_star_T = th.B / th.A;
  th.c_star_inf = mo.M4 / mo.M6;
  // At the optimum coordinate j's prediction is c |x_1j|^2 x_{t+1,j} plus cross terms of mean
  // zero: the ratio averaged over the non-zero coordinates is c M2 / E#{nonzero}.
  th.ratio_pred = mo.nonzero > 0 ? th.c_star_T * mo.M2 / mo.nonzero : 0.0;
  (void)d;
  th.moment_ratio = mo.M4 * mo.M4 / (mo.M2 * mo.M6);
  th.recovery = std::fabs(th.moment_ratio - 1.0) < 1e-9;
  (void)f;
  return th;
}

Theory theory_for(const Config& c) {
  return theory_from_moments(closed_moments(c.x1, c.scale, c.d), c.d, c.T, c.x1);
}

Moments sample_moments(const Dataset& ds) {
  double sum[5] = {0, 0, 0, 0, 0};
  std::vector<cplx> x1(ds.d);
  for (int s = 0; s < ds.m; ++s) {
    for (int j = 0; j < ds.d; ++j) x1[j] = ds.x(s, 0, j);
    double v[5];
    draw_sums(x1.data(), ds.d, v);
    for (int k = 0; k < 5; ++k) sum[k] += v[k];
  }
  return {sum[0] / ds.m, sum[1] / ds.m, sum[2] / ds.m, sum[3] / ds.m, sum[4] / ds.m};
}

void empirical_AB(const Dataset& ds, double* A, double* B) {
  // Real arithmetic on separate arrays (see dataset.cpp: no fused multiply-adds sneak in).
  const int d = ds.d, T = ds.T;
  double a_sum = 0, b_sum = 0;
  std::vector<double> cr(static_cast<std::size_t>(d) * d), ci(cr.size());  // C = sum_{i=2}^t x_i x_{i-1}^H  (d, d)
  std::vector<double> xr(static_cast<std::size_t>(T) * d), xi(xr.size());  // (T, d) one sequence
  for (int s = 0; s < ds.m; ++s) {
    ds.sequence(s, xr.data(), xi.data());
    std::fill(cr.begin(), cr.end(), 0.0);
    std::fill(ci.begin(), ci.end(), 0.0);
    for (int t0 = 1; t0 + 1 < T; ++t0) {
      const double* ar = &xr[t0 * d];  // x_t
      const double* ai = &xi[t0 * d];
      const double* br = &xr[(t0 - 1) * d];  // x_{t-1}
      const double* bi = &xi[(t0 - 1) * d];
      const double* nr = &xr[(t0 + 1) * d];  // x_{t+1}
      const double* ni = &xi[(t0 + 1) * d];
      for (int j = 0; j < d; ++j)
        for (int k = 0; k < d; ++k) {  // x_{t,j} conj(x_{t-1,k})
          cr[j * d + k] += ar[j] * br[k] + ai[j] * bi[k];
          ci[j * d + k] += ai[j] * br[k] - ar[j] * bi[k];
        }
      for (int j = 0; j < d; ++j) {
        double gr = 0, gi = 0;  // g_j = (C x_t)_j / (t - 1)
        for (int k = 0; k < d; ++k) {
          gr += cr[j * d + k] * ar[k] - ci[j * d + k] * ai[k];
          gi += cr[j * d + k] * ai[k] + ci[j * d + k] * ar[k];
        }
        gr /= t0;
        gi /= t0;
        a_sum += gr * gr + gi * gi;
        b_sum += gr * nr[j] + gi * ni[j];  // Re(conj(g) x_{t+1})
      }
    }
  }
  *A = a_sum / ds.m;
  *B = b_sum / ds.m;
}

namespace {
constexpr double kMaxSubsteps = 1000;  // RK4 sub-steps per epoch at most; stiffer epochs: stiff_epoch (exact, about as costly)

// One epoch of the flow when it is too stiff for RK4, solved exactly. The flow conserves
// delta = a^2 - b^2, so p = ab obeys dp/dt = -(A/d) (p - c) S(p) with S(p) = sqrt(delta^2 + 4p^2)
// = a^2 + b^2 and c = B/A. Separated: G(p(t)) = G(p(0)) + S(c) (A/d) t, where
// G(x) = ln|N(x) / (x - c)|, N(x) = 2 S(c)^2 + 8c (x - c) + 2 S(c) S(x), is -S(c) times an
// antiderivative of 1 / ((x - c) S(x)); G grows monotonically as x goes from p(0) to c, so p(t)
// is found by bisection on that interval. Then a, b follow from p and delta; the larger of
// |a|, |b| keeps its sign.
void stiff_epoch(double& a, double& b, double A, double B, int d, double lr) {
  const double delta = a * a - b * b, c = B / A, p0 = a * b;
  const auto S = [&](double x) { return std::sqrt(delta * delta + 4 * x * x); };
  const double Sc = S(c);
  const auto G = [&](double x) { return std::log(std::fabs((2 * Sc * Sc + 8 * c * (x - c) + 2 * Sc * S(x)) / (x - c))); };
  double p = c;
  if (p0 != c) {
    const double target = G(p0) + Sc * (A / d) * lr;
    double lo = p0, hi = c;  // G(lo) <= target < G(hi) = infinity
    for (int k = 0; k < 200; ++k) {
      const double mid = lo + (hi - lo) / 2;
      if (mid == lo || mid == hi) break;
      (G(mid) <= target ? lo : hi) = mid;
    }
    p = std::isfinite(target) ? lo : c;
  }
  const double s = S(p);
  const double big = std::sqrt((s + std::fabs(delta)) / 2), small = std::fabs(p) / std::max(big, 1e-300);
  const double sign = p < 0 ? -1.0 : 1.0;
  if (std::fabs(a) >= std::fabs(b)) {
    a = std::copysign(big, a);
    b = sign * std::copysign(small, a);
  } else {
    b = std::copysign(big, b);
    a = sign * std::copysign(small, b);
  }
}
}  // namespace

std::vector<double> ode_ab(double a0, double b0, double A, double B, int d, double lr, int epochs) {
  std::vector<double> out(static_cast<std::size_t>(epochs) + 1);
  double a = a0, b = b0;
  out[0] = a * b;
  auto f = [&](double a_, double b_, double& da, double& db) {
    const double g = A * a_ * b_ - B;
    da = -(b_ / d) * g;
    db = -(a_ / d) * g;
  };
  for (int e = 1; e <= epochs; ++e) {
    // Sub-steps keep h * stiffness <= 0.05 (RK4's error is then far below plotting accuracy).
    const double stiff = (a * a + b * b) * A / d + std::fabs(A * a * b - B) / d;
    const double want = std::ceil(lr * stiff / 0.05);
    if (!(want <= kMaxSubsteps)) {  // too stiff for RK4 (e.g. scale 1000): see stiff_epoch
      stiff_epoch(a, b, A, B, d, lr);
      out[e] = a * b;
      continue;
    }
    const int n = static_cast<int>(std::max(4.0, want));
    const double h = lr / n;
    for (int k = 0; k < n; ++k) {
      double k1a, k1b, k2a, k2b, k3a, k3b, k4a, k4b;
      f(a, b, k1a, k1b);
      f(a + 0.5 * h * k1a, b + 0.5 * h * k1b, k2a, k2b);
      f(a + 0.5 * h * k2a, b + 0.5 * h * k2b, k3a, k3b);
      f(a + h * k3a, b + h * k3b, k4a, k4b);
      a += h / 6 * (k1a + 2 * k2a + 2 * k3a + k4a);
      b += h / 6 * (k1b + 2 * k2b + 2 * k3b + k4b);
    }
    out[e] = a * b;
  }
  return out;
}

}  // namespace mesaflow
