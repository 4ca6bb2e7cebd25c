// First-token distributions x_1 (PAPER.md "Data") and their moments for the theory.
#pragma once
#include <complex>

#include "mesaflow/config.hpp"
#include "mesaflow/rng.hpp"

namespace mesaflow {

using cplx = std::complex<double>;

// Draws x_1 into x[0..d).
void sample_x1(X1Family f, double scale, int d, Rng& rng, cplx* x);

// Moments of x_1 that the theory needs:
//   M2 = sum_j E|x_j|^2, M4 = sum_j E|x_j|^4, M6 = sum_j E|x_j|^6,
//   M24 = sum_{j != k} E |x_j|^2 |x_k|^4,
//   nonzero = E #{j : x_j != 0} (the coordinates over which the ratio y_hat / x is taken).
struct Moments {
  double M2 = 0, M4 = 0, M6 = 0, M24 = 0, nonzero = 0;
};

// The five sums of one draw x[0..d): sum|x_j|^2, sum|x_j|^4, sum|x_j|^6,
// sum_{j!=k}|x_j|^2|x_k|^4 (= the first times the second minus the third), #{j: x_j != 0}.
// Averaged over draws they are M2, M4, M6, M24 and nonzero.
void draw_sums(const cplx* x, int d, double v[5]);

// Closed form for each family.
Moments closed_moments(X1Family f, double scale, int d);

// Monte Carlo estimate from n draws (so any user-defined family works too), with the
// standard error of each moment in *stderr_out when it is given.
Moments monte_carlo_moments(X1Family f, double scale, int d, long n, std::uint64_t seed,
                            Moments* stderr_out = nullptr);

}  // namespace mesaflow
