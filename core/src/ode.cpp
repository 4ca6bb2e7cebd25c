#include "mesaflow/ode.hpp"

#include <algorithm>
#include <cmath>

namespace mesaflow {

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
