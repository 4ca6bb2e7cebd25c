// The paper's one-layer linear causal self-attention model (core/THEORY.md §1):
//   e_t = (x_t ; x_{t-1}) in C^{2d},  S_t = sum_{i<=t} e_i e_i^H,  rho_t = t - 1,
//   y_hat_t = W_PV S_t W_KQ e_t / rho_t,   predicting x_{t+1} for t = 2..T-1.
// Legend: d token dimension, D = 2d embedding dimension.
// These are the attention model's own parameters (the fused kernel's Params); the rest of the core
// sees them through the model seam (models/model.hpp, models/attention.hpp) as the blocks wkq, wpv.
#pragma once
#include <Eigen/Dense>

#include "mesaflow/config.hpp"
#include "mesaflow/json.hpp"

namespace mesaflow {

struct Params {
  Eigen::MatrixXcd wkq;  // (D, D)  W_KQ; red block = bottom-left (d, d)
  Eigen::MatrixXcd wpv;  // (d, D)  W_PV; red block = left (d, d)
  int d() const { return static_cast<int>(wpv.rows()); }
  static Params zeros(int d) {
    return {Eigen::MatrixXcd::Zero(2 * d, 2 * d), Eigen::MatrixXcd::Zero(d, 2 * d)};
  }
  bool finite() const { return wkq.allFinite() && wpv.allFinite(); }
};

// Diagonal (the paper's Assumption 3.1) or N(0, sigma_w^2) on every real and imaginary part,
// drawn from the init stream of c.seed; in c.precision.
Params init_params(const Config& c);
// {wkq_re, wkq_im (D x D), wpv_re, wpv_im (d x D)}: row-major nested arrays.
void to_json(Json& j, const Params& p);
// A complex matrix's real (imag false) or imaginary parts as rows of JSON numbers (the weights'
// documents: Params here, a model's Weights in models/weights.cpp).
Json matrix_rows(const Eigen::MatrixXcd& m, bool imag);
// In single precision, every real and imaginary part rounded to the nearest float (the weights of
// a single-precision run are floats after every step); nothing in double.
void round_to(Params& p, Precision precision);
// Zero the off-diagonal entries of both red blocks (the clip option).
void clip_red_blocks(Params& p);
// ab = mean_j Re(W_KQ[d+j, j]) * Re(W_PV[j, j]).
double ab_of(const Params& p);

// How far the weights are from the diagonal family (Frobenius norms, complex entries):
//   offdiag_kq, offdiag_pv: the off-diagonal part of each red block over its diagonal part,
//   outside: every entry outside the red blocks (both matrices) over the red blocks,
//   ab_complex: mean_j Re(W_KQ[d+j, j] W_PV[j, j]), the real part of the complex products. The loss
//     does not change when W_KQ[d+j, j] turns by a phase and W_PV[j, j] by the opposite one, so from a
//     gaussian initialisation each pair settles at some phase; ab (the authors' Re times Re) then sees
//     only cos^2 of it, ab_complex all of it (they agree for the diagonal initialisation),
//   ab_spread: the spread (standard deviation over j) of those complex products' real parts.
struct Structure {
  double offdiag_kq = 0, offdiag_pv = 0, outside = 0, ab_complex = 0, ab_spread = 0;
};
Structure structure_of(const Params& p);

// Real parameter vector view (real and imaginary parts of every entry are independent
// parameters): [Re wkq (row-major), Im wkq, Re wpv, Im wpv], length 2 (D^2 + d D).
Eigen::VectorXd to_vector(const Params& p);
Params from_vector(const Eigen::VectorXd& v, int d);

}  // namespace mesaflow
