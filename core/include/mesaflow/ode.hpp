// The gradient flow of the diagonal family (theory.hpp): with c = ab,
//   da/dtau = -(b/d)(A ab - B),  db/dtau = -(a/d)(A ab - B),  tau = lr * epoch.
#pragma once
#include <vector>

namespace mesaflow {

// ab on the ODE at epochs 0..epochs (time tau = lr * epoch), RK4 with enough sub-steps per epoch
// for the stiffness (a^2 + b^2) A / d; epochs too stiff for RK4 are solved exactly.
std::vector<double> ode_ab(double a0, double b0, double A, double B, int d, double lr, int epochs);

}  // namespace mesaflow
