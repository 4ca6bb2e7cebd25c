// K-step gradient descent from W = 0 on the in-context least squares of each position
// (core/THEORY.md §13), the mesa view's comparators for every attention model (issue 23):
//   L_t(W) = 1/2 sum_{i=2}^t ||x_i - W x_{i-1}||^2,   W_{j+1} = W_j - (eta / (t-1)) grad L_t(W_j),
// K = 1..kGdSteps steps, one constant eta per K, predicting x_{t+1} by W_K x_t;
// and its causal variant, what a causal stack can compute: token i's weight after j steps,
// W_j^(i), is built from the pairs up to i only, W_{j+1}^(i) = W_j^(i) + (eta / (i-1)) sum_{i'<=i}
// r_{i'}^(j) x_{i'-1}^H with the residuals r_i^(j) = x_i - W_j^(i) x_{i-1}, and the prediction at t
// is W_K^(t) x_t (it reads every token's residuals r^(0..K-1)).
// Both predictions are y_K(eta) = sum_{k<K} (-1)^k binom(K, k+1) eta^{k+1} v_k with the power
// vectors v_k of the position (non-causal: C_t G_t^k x_t / (t-1)^{k+1}; causal: §13), so the mean
// squared error at a position is a polynomial of degree 2K in eta. eta: the minimiser of the mean
// last-position error (t = T-1) on the view's sequences, over the real line: K = 1 in closed form
// (gd_best's step at the last position, mesa.hpp), K > 1 the stationary point of least error among
// all real roots of the derivative (§13: a derivative cascade with bisection to adjacent doubles).
// Plain loops over small arrays in double, one order of operations: the same bits natively and in
// WebAssembly.
#pragma once
#include <complex>
#include <string>
#include <vector>

#include "mesaflow/dataset.hpp"

namespace mesaflow {

constexpr int kGdSteps = 4;  // K = 1..4 always (so that "worth" can exceed the number of layers)

struct GdStep {
  int k = 0;
  double eta = 0;
  std::vector<double> error;  // per position t = 2..T-1: mean over the sequences of ||y_K - x_{t+1}||^2
};
struct GdSteps {
  std::vector<GdStep> plain, causal;  // K = 1..kGdSteps each
  double zero_last = 0;               // K = 0 (W = 0, predicting 0): mean ||x_T||^2
};

// Over the first min(nseq, ds.m) sequences of ds (at least one, T >= 3).
GdSteps gd_steps(const Dataset& ds, int nseq);

// The power vectors v_k (k = 0..kGdSteps-1) of one sequence, tokens x (T, d) row-major (re, im),
// at every position t0 = 1..T-2 (0-based: the paper's t = t0 + 1), into
// v[((t0 - 1) * kGdSteps + k) * d + j], non-causal or causal (§13).
void gd_power_vectors(const double* re, const double* im, int T, int d, bool causal, std::vector<std::complex<double>>& v);

// The eta minimising sum_s ||sum_{k<K} (-1)^k binom(K, k+1) eta^{k+1} v_k - x||^2 given its sums
// M[k * kGdSteps + l] = sum Re<v_k, v_l>, b[k] = sum Re<v_k, x>, xx = sum ||x||^2 (§13).
double gd_best_eta(int K, const double* M, const double* b, double xx);
// That error at eta from the same sums (the polynomial of degree 2K).
double gd_error_polynomial(int K, const double* M, const double* b, double xx, double eta);

// "GD steps worth": the smallest K whose best K-step GD error e_K (non-causal, last position)
// is at most the model's, interpolated linearly in log error between K - 1 and K
// (e_0 = zero_last: W = 0); null (NaN) with a reason when the model is not below e_0, or below
// every e_K (then the reason says "better than 4 steps").
struct GdWorth {
  double value;        // NaN: null
  std::string reason;  // "" when value is a number
};
GdWorth gd_worth(double model_last, double zero_last, const std::vector<double>& last_errors);

// Floating-point operations of gd_steps over nseq sequences (the power vectors twice, the sums at
// the last position, the error curves), counted from its loops (gd_steps.cpp).
double gd_steps_flops(int d, int T, double nseq);

}  // namespace mesaflow
