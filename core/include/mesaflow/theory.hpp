// The paper's theory and what we derived from it (core/THEORY.md §3, §5, §6): the optimum
// c* = ab of the diagonal family, the predicted ratio and last-position error, the two moment
// conditions (the paper's Assumptions 4.1 and 4.2), and, in ode.hpp, the gradient-flow ODE.
//
// In the diagonal family (all diagonal entries a, b; c = ab) the loss is
//   (1/2) sum_{t=2}^{T-1} (A_t c^2 - 2 B_t c + M2),  B_t = M4,  A_t = M6 + M24 / (t - 1),
// so with A = sum_t A_t = (T-2) M6 + H_{T-2} M24 and B = sum_t B_t = (T-2) M4:
//   c*(T) = B / A,  c*(inf) = M4 / M6,
// and the squared error at position t is A_t c^2 - 2 M4 c + M2.
#pragma once
#include <string>
#include <vector>

#include "mesaflow/config.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/empirical.hpp"
#include "mesaflow/families.hpp"
#include "mesaflow/json.hpp"
#include "mesaflow/ode.hpp"

namespace mesaflow {

// The last-position prediction "recovers" the sequence at this T when its expected squared error
// is at most this fraction of E|x|^2 per coordinate.
constexpr double kRecoveryTolerance = 0.01;

struct Theory {
  int d = 0, T = 0;
  Moments moments;
  MixedMoments mixed;           // Assumption 4.1's mixed moments (families.hpp)
  std::string source = "closed form";  // or how the moments were measured
  bool clip = false;            // the run keeps the red blocks diagonal itself (the clip option)
  std::string model_reason;     // why the run's model is not the one the theory describes ("" for attention)
  // Whether the data follow x_{t+1} = W x_t with W diagonal and unitary (dynamics.hpp): generated
  // sets by construction; a file's checked from its training sequences (Session).
  bool dynamics_diagonal = true;
  std::string dynamics_source = "by construction";  // or what was checked
  std::string dynamics_reason;  // why the data do not ("" when they do)
  std::string process_reason;   // why the run's process has no prediction (process_theory.hpp; "" where it has)
  std::string invariance_reason;  // the family's loss is derived but its invariance is not guaranteed (clip restores it)
  double A = 0, B = 0;          // population sums over t = 2..T-1
  double A_emp = 0, B_emp = 0;  // the same sums measured on the training set (0 if not computed)
  double c_star_T = 0, c_star_inf = 0, c_star_empirical = 0;
  double ratio_pred = 0;        // c*(T) M2 / E#{j: x_1j != 0}: the expected Re(y_hat/x) at the optimum
                                // (the ratio is taken over non-zero coordinates; = c*(T) sigma^2 for gaussian)
  double last_mse_pred = 0;     // E|y_hat - x|^2 per coordinate at the last position (t = T-1) at c*(T)
  double relative_error_pred = 0;  // last_mse_pred / (M2 / d)
  double moment_ratio = 0;      // M4^2 / (M2 M6) <= 1 (Cauchy-Schwarz); = 1 iff Assumption 4.2
  bool recovery = false;        // Assumption 4.2 holds: the learned optimizer recovers as T -> infinity
  bool recovery_at_T = false;   // ... and already at this T (relative_error_pred <= kRecoveryTolerance)

  // Assumption 4.1: the diagonal family is kept by gradient flow (the mixed moments vanish).
  // (For process unitary: the mixed moments of y_1 = U^H x_1, and the symmetry of x_1's law, §10.)
  bool assumption_4_1() const { return mixed.vanish() && invariance_reason.empty(); }
  // The diagonal family's predictions describe the run: Assumption 4.1 holds, or clip keeps
  // the run in the family.
  // The run's model must be the linear-attention model (model_reason empty).
  // The data must follow the diagonal dynamics (dynamics_diagonal): clip cannot make up for that.
  // The run's process must be one whose family loss is derived (process_reason empty): neither.
  bool applies() const {
    return model_reason.empty() && dynamics_diagonal && process_reason.empty() && (assumption_4_1() || clip);
  }
  // Why they do not ("" when they do).
  std::string reason() const;
  // "recovers at this T", "recovers as T -> infinity (...)" or "does not recover (...)".
  std::string verdict() const;
};

// The theory object: facts of the distribution (M2, M4, M6, M24, A, B, moment_ratio,
// assumption_4_1, assumption_4_2, dynamics {diagonal, source, why}, applies, reason) and the predictions (c_star_T, c_star_inf,
// c_star_empirical, ratio_pred, last_mse_pred, relative_error_pred, recovery, recovery_at_T,
// verdict), which are null where the theory does not apply (reason says why).
void to_json(Json& j, const Theory& th);

double harmonic(int n);  // H_n = 1 + 1/2 + ... + 1/n

// From moments (closed form, Monte Carlo or measured) at (d, T); clip: the run clips.
Theory theory_from_moments(const Moments& mo, const MixedMoments& mixed, int d, int T, bool clip = false);
// The theory object for c from the closed-form moments of its family and magnitude law (and
// model_reason from c's model).
Theory theory_for(const Config& c);

// The capability curve: the predictions at each T (log-spaced points from log_spaced()).
struct Capability {
  std::vector<double> T, c_star_T, ratio_pred, last_mse_pred, relative_error_pred;
};
Capability capability(const Moments& mo, int d, const std::vector<int>& Ts);
void to_json(Json& j, const Capability& c);
// About `per_decade` points per decade from lo to hi inclusive, rounded to integers, no repeats.
std::vector<int> log_spaced(int lo, int hi, int per_decade = 10);

}  // namespace mesaflow
