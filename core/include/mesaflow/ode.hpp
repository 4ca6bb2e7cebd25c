// The gradient flow of the diagonal family (theory.hpp): with c = ab,
//   da/dtau = -(b/d)(A ab - B),  db/dtau = -(a/d)(A ab - B),  tau = lr * epoch.
#pragma once
#include <vector>

namespace mesaflow {

// ab on the ODE at epochs 0..epochs (time tau = lr * epoch), RK4 with enough sub-steps per epoch
// for the stiffness (a^2 + b^2) A / d; epochs too stiff for RK4 are solved exactly.
std::vector<double> ode_ab(double a0, double b0, double A, double B, int d, double lr, int epochs);

// The largest curvature of the diagonal family's loss (A (ab)^2 - 2 B ab) / (2d) at (a, b): the
// larger eigenvalue of its Hessian [[A b^2, 2A ab - B], [2A ab - B, A a^2]] / d. Gradient descent
// with step lr follows the flow closely while lr times it stays small (0.2: within about 2% on
// this project's presets, bench/quick_preset.sh), and is unstable there beyond 2.
double curvature(double a, double b, double A, double B, int d);
constexpr double kFollowsTheFlow = 0.2;

// The ODE at epochs 0..epochs: (a, b), ab and the stability number lr * curvature(a, b).
struct OdePath {
  std::vector<double> a, b, ab, stability;
  // Appends `more` from its epoch 1 on (its epoch 0 is this path's last point).
  void extend(const OdePath& more);
};
OdePath ode_path(double a0, double b0, double A, double B, int d, double lr, int epochs);

// A step size and a number of epochs for gradient descent from (a0, b0) that follow the flow
// (stability number at most `stability` along its path) until ab is within tol of c* = B/A
// (epochs capped at max_epochs).
struct GdPlan {
  double lr = 0;
  int epochs = 0;
  double flow_time = 0;  // of the flow to get there
  double curvature = 0;  // the largest along the way
};
GdPlan plan_gd(double a0, double b0, double A, double B, int d, double stability = kFollowsTheFlow, double tol = 1e-3,
               int max_epochs = 100000);

}  // namespace mesaflow
