// The kernel-smoother comparator of the softmax model (core/THEORY.md §14): a Nadaraya-Watson
// regression on the context's transitions, weighted by the trained model's own scores.
//
// For context position t (1-based, t = 2..T-1; predicting x_{t+1}), with e_i = (x_i ; x_{i-1}),
// x_0 = 0, and the model's scores s_{t,i} = Re(e_i^H W_KQ e_t) (models/softmax.hpp):
//   y_nw_t(tau) = sum_{i=2}^t w_{t,i} x_i,   w_{t,i} = exp(s_{t,i} / tau) / sum_{j=2}^t exp(s_{t,j} / tau):
// each pair of the context (x_{i-1} -> x_i, i = 2..t, the transitions x_i = W x_{i-1} the context
// shows) votes for its successor x_i with the weight the model's attention gives token i. With
// values W_PV e_i over i = 1..t and tau = 1 this is the model itself (§14); the comparator replaces
// the learned read-out by the context's own successors and the model's softmax scale by the
// temperature tau* that is best at the last position (t = T-1) over the sequences.
//
// The temperature search: ln tau in [ln 1e-6, ln 1e6], the error at 25 equally spaced points (half a
// decade apart), then golden-section search on the two intervals beside the best of them until the
// interval is shorter than 1e-4 in ln tau; tau* is the best point evaluated (minimize_1d).
//
// Arithmetic: plain loops in double, the largest exponent subtracted before exp, the project's own
// exp (models/exp.hpp): the same bits natively and in WebAssembly.
#pragma once
#include <vector>

#include <Eigen/Dense>

#include "mesaflow/dataset.hpp"
#include "mesaflow/json.hpp"

namespace mesaflow {

// The search's bracket and tolerance in ln tau, and its grid.
constexpr double kSmootherTauLo = 1e-6, kSmootherTauHi = 1e6, kSmootherLogTol = 1e-4;
constexpr double kSmootherLogTauLo = -13.815510557964274, kSmootherLogTauHi = 13.815510557964274;  // ln 1e-6, ln 1e6
constexpr int kSmootherGrid = 25;

// The model's scores at 0-based position t0 (the paper's t = t0 + 1): s[i0] = Re(e_{i0}^H W_KQ e_{t0})
// for i0 = 0..t0, with e_{i0} = (x_{i0} ; x_{i0-1}) from the tokens re, im ((T, d) row-major, x_{-1}
// = 0). wkq (D, D), D = 2d; s holds t0 + 1 doubles.
void model_scores(const Eigen::MatrixXcd& wkq, const double* re, const double* im, int d, int t0, double* s);

// y = sum_{i=first}^{last} w_i v_i with w = softmax_i(s_i / tau) over [first, last], formed stably
// (the largest s_i / tau subtracted before exp). v_i is row i of v_re, v_im ((., d) row-major);
// w: last + 1 doubles of scratch (holds the weights on return, at [first, last]); y_re, y_im (d).
// tau > 0 and first <= last.
void softmax_average(const double* s, int first, int last, double tau, const double* v_re, const double* v_im, int d,
                     double* w, double* y_re, double* y_im);

// A minimum of f on [lo, hi]: f at `grid` >= 2 equally spaced points (both ends included), then
// golden-section search on [x_{k-1}, x_{k+1}] around the best grid point x_k (clipped to the
// bracket) until that interval is shorter than tol. Returns the best point evaluated, its value
// and the number of evaluations. Finds the global minimum when f is unimodal on the two grid
// intervals beside it (the grid is what guards against other local minima).
// f(ctx, x): a plain function and its context, not std::function (the page's download has a budget).
struct Minimum1D {
  double x = 0, f = 0;
  int evaluations = 0;
};
using Objective1D = double (*)(const void* ctx, double x);
Minimum1D minimize_1d(Objective1D f, const void* ctx, double lo, double hi, int grid, double tol);

struct Smoother {
  int nseq = 0;              // sequences averaged (the first of the set)
  double temperature = 0;    // tau*
  std::vector<double> t;     // 2..T-1
  std::vector<double> error; // mean over sequences of ||y_nw_t(tau*) - x_{t+1}||^2 (summed over coordinates)
};
// {temperature, error, bracket: [kSmootherTauLo, kSmootherTauHi]}.
void to_json(Json& j, const Smoother& s);

// The mean over the first min(nseq, ds.m) sequences of ||y_nw_{T-1}(tau) - x_T||^2: what the search minimises.
double smoother_last_error(const Eigen::MatrixXcd& wkq, const Dataset& ds, int nseq, double tau);

// Floating-point operations of kernel_smoother over nseq sequences, for the time budget (an
// estimate: exp counted as 36 flops, the search as 48 evaluations, about what it takes). Per
// sequence, D = 2d, p = T - 2 positions, P = (T-2)(T-1)/2 pairs, a pair's weight and average 36 + 4d:
//   curve   p 8 D^2 (q) + 4 D (P + p) (scores) + P (36 + 4d) + p 4d (the error)
//   search  8 D^2 + 4 D (T - 1) (the last position's scores once) + 48 ((T - 2)(36 + 4d) + 4d).
double smoother_flops(int d, int T, double nseq);

// The comparator on the first min(nseq, ds.m) sequences of ds (T >= 3): tau* by the search above, and
// the error curve at tau*.
Smoother kernel_smoother(const Eigen::MatrixXcd& wkq, const Dataset& ds, int nseq);

}  // namespace mesaflow
