// The theory of PAPER.md: the optimum c* = ab of the diagonal family, the predicted ratio,
// the recovery condition, and the gradient-flow ODE of (a, b).
//
// In the diagonal family (all diagonal entries a, b; c = ab) the loss is
//   (1/2) sum_{t=2}^{T-1} (A_t c^2 - 2 B_t c + const),  B_t = M4,  A_t = M6 + M24 / (t - 1),
// so with A = sum_t A_t = (T-2) M6 + H_{T-2} M24 and B = sum_t B_t = (T-2) M4:
//   c*(T) = B / A,  c*(inf) = M4 / M6,
//   da/dtau = -(b/d)(A ab - B),  db/dtau = -(a/d)(A ab - B),  tau = lr * epoch.
#pragma once
#include <vector>

#include "mesaflow/config.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/families.hpp"
#include "mesaflow/json.hpp"

namespace mesaflow {

struct Theory {
  Moments moments;
  double A = 0, B = 0;          // population sums over t = 2..T-1
  double A_emp = 0, B_emp = 0;  // the same sums measured on the training set (0 if not computed)
  double c_star_T = 0, c_star_inf = 0, c_star_empirical = 0;
  double ratio_pred = 0;        // c*(T) M2 / E#{j: x_1j != 0}: the expected Re(y_hat/x) at the optimum
                                // (the ratio is taken over non-zero coordinates; = c*(T) sigma^2 for gaussian)
  double moment_ratio = 0;      // M4^2 / (M2 M6) <= 1 (Cauchy-Schwarz); = 1 iff recovery
  bool recovery = false;
};

// {M2, M4, M6, M24, A, B, c_star_T, c_star_inf, c_star_empirical (null when A_emp is not known),
// ratio_pred, moment_ratio, recovery}.
void to_json(Json& j, const Theory& th);

double harmonic(int n);  // H_n = 1 + 1/2 + ... + 1/n

// From moments alone (closed form or Monte Carlo).
Theory theory_from_moments(const Moments& mo, int d, int T, X1Family f);
// The theory object for c from the closed-form moments of its family, without data.
Theory theory_for(const Config& c);
// Moments of x_1 measured on a data set's first tokens (for data read from a file).
Moments sample_moments(const Dataset& ds);
// Empirical A and B of the diagonal family from a data set: with
//   g_t = (1/(t-1)) sum_{i=2}^{t} x_i x_{i-1}^H x_t   (the prediction at ab = 1),
//   A_emp = (1/m) sum_seq sum_t ||g_t||^2,  B_emp = (1/m) sum_seq sum_t Re<g_t, x_{t+1}>,
// and c_star_empirical = B_emp / A_emp minimises the training loss in the family.
void empirical_AB(const Dataset& ds, double* A, double* B);

// ab on the ODE at epochs 0..epochs (time tau = lr * epoch), RK4 with enough sub-steps per epoch
// for the stiffness (a^2 + b^2) A / d.
std::vector<double> ode_ab(double a0, double b0, double A, double B, int d, double lr, int epochs);

}  // namespace mesaflow
