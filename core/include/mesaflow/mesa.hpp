// The mesa-optimizer view: prediction error against context position t (t = 2..T-1) for
//   model : the trained model y_hat_t,
//   gd1   : one step of gradient descent from W = 0 on min_W 1/2 sum_{i=2}^t ||x_i - W x_{i-1}||^2
//           with step ab/(t-1):  W_hat_t = (ab/(t-1)) sum_{i=2}^t x_i x_{i-1}^H,
//   ls    : the least-squares solution of that problem (minimum norm while t-1 < d),
//   true_w: the sequence's own W (recovered from the whole sequence), the floor,
//   gap   : mean ||y_hat_model - y_hat_gd1||^2, which vanishes with diagonal structure,
//   gd_best: one step of gradient descent from W = 0 with the step eta_t that is best for position t
//           over these sequences (least squares: eta_t = sum Re<g_t, x_{t+1}> / sum ||g_t||^2 with
//           g_t = (1/(t-1)) sum_{i=2}^t x_i x_{i-1}^H x_t): the best any vanilla one-step GD can do,
//   ridge, noise_floor: added by add_baselines (baselines.hpp), which needs the configuration
//           (and replaces true_w, for generated sets, by the sequence's own W);
//   not_gd: the share of the model's predictions that no vanilla one-step GD makes:
//           min_eta sum ||y_hat_model - eta g_t||^2 / sum ||y_hat_model||^2 (0 for a model of the
//           diagonal family, whatever its ab).
//   gd_steps, gd_steps_causal: K-step gradient descent from W = 0 for K = 1..4, each with its best
//           constant step, non-causal and causal (gd_steps.hpp, core/THEORY.md §13);
//   gd_worth: how many steps of that gradient descent the model is worth at the last position
//           (gd_steps.hpp gd_worth), or null with gd_worth_reason.
// Each entry is a mean over sequences of the squared error, summed over coordinates.
//
// Every attention model has the view (linear with any layers, softmax): model is the model's own
// prediction at each position (its forward pass), the other curves do not depend on the model.
// gd1, gap and not_gd are about the trained ab of the one-layer linear model, whose predictions
// are a one-step GD exactly when it is in the diagonal family (§7); for layers > 1 and softmax no
// ab makes the model a GD step, so they are null there (ab_curves false), and the K-step
// comparators say what the model is worth instead.
#pragma once
#include <string>
#include <vector>

#include "mesaflow/dataset.hpp"
#include "mesaflow/gd_steps.hpp"
#include "mesaflow/json.hpp"
#include "mesaflow/model.hpp"

namespace mesaflow {

struct MesaView {
  int nseq = 0;  // sequences averaged
  std::vector<double> t, model, gd1, ls, true_w, gap, gd_best, gd_best_eta, not_gd;
  std::vector<double> ridge, noise_floor;  // baselines.hpp (empty until added)
  bool ab_curves = true;                   // gd1, gap, not_gd are the model's (false: null)
  std::vector<GdStep> gd_steps, gd_steps_causal;
  double gd_worth = 0;          // NaN: null, with the reason
  std::string gd_worth_reason;  // "" when gd_worth is a number
};
// {nseq, t, model, gd1, ls, true_w, gap, gd_best, gd_best_eta, not_gd, ridge, noise_floor,
//  gd_steps: [{k, eta, error}], gd_steps_causal: [...], gd_worth, gd_worth_reason}; gd1, gap and
// not_gd null without ab_curves.
void to_json(Json& j, const MesaView& v);

// The pseudo-inverse of a Hermitian positive semi-definite matrix, from its eigendecomposition
// (the least-squares fits of the view: G = sum x_{i-1} x_{i-1}^H is singular while t - 1 < d).
// The eigenvalues of a Hermitian G (n, n) by cyclic Jacobi rotations, and its eigenvectors as the
// columns of *vectors when given (G = V diag(values) V^H).
Eigen::VectorXd hermitian_eigen(const Eigen::MatrixXcd& G, Eigen::MatrixXcd* vectors = nullptr);
Eigen::MatrixXcd hermitian_pinv(const Eigen::MatrixXcd& G);

// The one-layer linear model's view (with gd1, gap, not_gd from its ab). Uses the first
// min(nseq, ds.m) sequences.
MesaView mesa_view(const Params& p, const Dataset& ds, int nseq);
// Any model's view: predict(ctx, ds, s) is the model's y_hat on sequence s of ds as a (d, T)
// matrix, column t - 1 holding y_hat_t for t = 2..T-1 (reference_predict's layout); gd1, gap and
// not_gd null. (A plain function and its context, not std::function: the page's download has a
// budget.)
using SequencePredictor = Eigen::MatrixXcd (*)(const void* ctx, const Dataset& ds, int s);
MesaView mesa_view(SequencePredictor predict, const void* ctx, const Dataset& ds, int nseq);

// Vanilla one-step gradient descent at the last position (t = T-1) with the step that is best over
// all of ds: that step, and its mean squared error per coordinate (comparable with last_mse).
struct VanillaGD {
  double eta = 0, last_mse = 0;
};
VanillaGD best_vanilla_gd(const Dataset& ds);
void to_json(Json& j, const VanillaGD& v);

}  // namespace mesaflow
