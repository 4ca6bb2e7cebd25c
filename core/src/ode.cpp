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

namespace {
// One span of the flow from (a, b): RK4 with sub-steps that keep h * stiffness <= 0.05 (its error
// is then far below plotting accuracy), or, too stiff for that (e.g. scale 1000), stiff_epoch.
void advance(double& a, double& b, double A, double B, int d, double span) {
  const auto f = [&](double a_, double b_, double& da, double& db) {
    const double g = A * a_ * b_ - B;
    da = -(b_ / d) * g;
    db = -(a_ / d) * g;
  };
  const double stiff = (a * a + b * b) * A / d + std::fabs(A * a * b - B) / d;
  const double want = std::ceil(span * stiff / 0.05);
  if (!(want <= kMaxSubsteps)) {
    stiff_epoch(a, b, A, B, d, span);
    return;
  }
  const int n = static_cast<int>(std::max(4.0, want));
  const double h = span / n;
  for (int k = 0; k < n; ++k) {
    double k1a, k1b, k2a, k2b, k3a, k3b, k4a, k4b;
    f(a, b, k1a, k1b);
    f(a + 0.5 * h * k1a, b + 0.5 * h * k1b, k2a, k2b);
    f(a + 0.5 * h * k2a, b + 0.5 * h * k2b, k3a, k3b);
    f(a + h * k3a, b + h * k3b, k4a, k4b);
    a += h / 6 * (k1a + 2 * k2a + 2 * k3a + k4a);
    b += h / 6 * (k1b + 2 * k2b + 2 * k3b + k4b);
  }
}
}  // namespace

double curvature(double a, double b, double A, double B, int d) {
  // The Hessian of (A (ab)^2 - 2 B ab) / (2d) in (a, b): [[A b^2, 2A ab - B], [2A ab - B, A a^2]] / d.
  const double p = A * b * b, q = A * a * a, r = 2 * A * a * b - B;
  return (p + q + std::sqrt((p - q) * (p - q) + 4 * r * r)) / (2 * d);
}

OdePath ode_path(double a0, double b0, double A, double B, int d, double lr, int epochs) {
  OdePath path;
  double a = a0, b = b0;
  for (int e = 0;; ++e) {
    path.a.push_back(a);
    path.b.push_back(b);
    path.ab.push_back(a * b);
    path.stability.push_back(lr * curvature(a, b, A, B, d));
    if (e == epochs) break;
    advance(a, b, A, B, d, lr);
  }
  return path;
}

void OdePath::extend(const OdePath& more) {
  if (ab.empty()) {
    *this = more;
    return;
  }
  // The shared point: its step (the stability) is the new path's.
  stability.back() = more.stability.front();
  for (auto [to, from] : {std::pair{&a, &more.a}, {&b, &more.b}, {&ab, &more.ab}, {&stability, &more.stability}})
    to->insert(to->end(), from->begin() + 1, from->end());
}

std::vector<double> ode_ab(double a0, double b0, double A, double B, int d, double lr, int epochs) {
  return ode_path(a0, b0, A, B, d, lr, epochs).ab;
}

GdPlan plan_gd(double a0, double b0, double A, double B, int d, double stability, double tol, int max_epochs) {
  GdPlan plan;
  double a = a0, b = b0, tau = 0, largest = curvature(a, b, A, B, d);
  const double c = B / A;
  // Flow time in pieces of a twentieth of the current time scale, until ab is within tol of c*.
  for (int k = 0; k < 1000000 && !(std::fabs(a * b - c) <= tol * std::fabs(c)); ++k) {
    const double scale = (a * a + b * b) * A / d + std::fabs(A * a * b - B) / d;
    const double span = 0.05 / std::max(scale, 1e-300);
    advance(a, b, A, B, d, span);
    tau += span;
    largest = std::max(largest, curvature(a, b, A, B, d));
  }
  plan.curvature = largest;
  plan.flow_time = tau;
  plan.lr = stability / largest;
  plan.epochs = static_cast<int>(std::min<double>(max_epochs, std::ceil(tau / plan.lr)));
  return plan;
}

}  // namespace mesaflow
