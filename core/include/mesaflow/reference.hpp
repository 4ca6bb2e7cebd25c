// The plain reference path: one sequence at a time with Eigen, the running state S_t and the
// backward pass written as in the derivation below. Slow and clear; the fast kernel
// (kernel.hpp) is checked against it.
//
// With r_t = y_hat_t - x_{t+1}, u_t = W_KQ e_t, v_t = S_t u_t and
// L = 1/(2m) sum_seq sum_{t=2}^{T-1} ||r_t||^2, the gradient with respect to the real and
// imaginary parts of each entry (combined as dL/dRe + i dL/dIm) is
//   dW_PV = 1/m sum r_t v_t^H / rho_t
//   dW_KQ = 1/m sum S_t W_PV^H r_t e_t^H / rho_t        (S_t is Hermitian)
#pragma once
#include <vector>

#include "mesaflow/dataset.hpp"
#include "mesaflow/model.hpp"

namespace mesaflow {

// Tokens of sequence s as a (d, T) matrix.
Eigen::MatrixXcd sequence_tokens(const Dataset& ds, int s);

// Predictions y_hat_t for t = 2..T-1 as a (d, T) matrix; column t-1 holds y_hat_t
// (0-based column = 1-based t minus one); columns 0 and T-1 are zero.
Eigen::MatrixXcd reference_predict(const Params& p, const Eigen::MatrixXcd& x);

// Loss over the whole set; the gradient into *grad when grad != nullptr.
double reference_loss_grad(const Params& p, const Dataset& ds, Params* grad);

}  // namespace mesaflow
