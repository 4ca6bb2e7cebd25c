#include "mesaflow/theory.hpp"

#include <algorithm>
#include <cmath>

namespace mesaflow {

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
  th.ratio_pred = th.c_star_T * mo.M2 / d;
  th.moment_ratio = mo.M4 * mo.M4 / (mo.M2 * mo.M6);
  th.recovery = std::fabs(th.moment_ratio - 1.0) < 1e-9;
  (void)f;
  return th;
}

void empirical_AB(const Dataset& ds, double* A, double* B) {
  const int d = ds.d, T = ds.T;
  double a_sum = 0, b_sum = 0;
  std::vector<cplx> x(static_cast<std::size_t>(T) * d), C(static_cast<std::size_t>(d) * d);
  for (int s = 0; s < ds.m; ++s) {
    for (int t = 0; t < T; ++t)
      for (int j = 0; j < d; ++j) x[t * d + j] = ds.x(s, t, j);
    std::fill(C.begin(), C.end(), cplx(0.0));  // C = sum_{i=2}^{t} x_i x_{i-1}^H   (d, d)
    for (int t0 = 1; t0 + 1 < T; ++t0) {
      for (int j = 0; j < d; ++j)
        for (int k = 0; k < d; ++k) C[j * d + k] += x[t0 * d + j] * std::conj(x[(t0 - 1) * d + k]);
      for (int j = 0; j < d; ++j) {
        cplx g = 0;
        for (int k = 0; k < d; ++k) g += C[j * d + k] * x[t0 * d + k];
        g /= static_cast<double>(t0);
        a_sum += std::norm(g);
        b_sum += (std::conj(g) * x[(t0 + 1) * d + j]).real();
      }
    }
  }
  *A = a_sum / ds.m;
  *B = b_sum / ds.m;
}

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
    const int n = static_cast<int>(std::min(1e5, std::max(4.0, std::ceil(lr * stiff / 0.05))));
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
