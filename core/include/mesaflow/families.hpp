// First-token distributions x_1 (core/THEORY.md §1) and their moments for the theory.
#pragma once
#include <complex>
#include <vector>

#include "mesaflow/config.hpp"
#include "mesaflow/rng.hpp"

namespace mesaflow {

using cplx = std::complex<double>;

// Draws x_1 into x[0..d): the family's support and signs or phases, each non-zero modulus scale
// times a draw from law (const: exactly scale; then no extra numbers are drawn).
void sample_x1(X1Family f, double scale, int d, Rng& rng, cplx* x, const MagnitudeLaw& law = {});

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

// Closed form for each family and magnitude law.
Moments closed_moments(X1Family f, double scale, int d, const MagnitudeLaw& law = {});

// Assumption 4.1 (core/THEORY.md §5): on the diagonal family the expected gradient of
// an off-diagonal entry (k != j) of the red blocks is a combination of four mixed moments of x_1,
//   mu1 = E[x_k conj(x_j) |x_j|^2],          mu2 = E[x_k conj(x_j) |x_k|^2 |x_j|^2],
//   mu3 = E[x_k conj(x_j) |x_j|^2 sum_{l != j,k} |x_l|^2],   mu4 = E[x_k conj(x_j) |x_j|^4],
// and the structure is kept for every T exactly when all four vanish for every pair.
struct MixedMoments {
  std::complex<double> mu[4];  // mu1..mu4 of the pair where |mu| / bound is largest
  double ratio = 0;   // the largest |mu_i| / bound_i over pairs and i, in [0, 1]: bound_i is the same moment
                      // with |x_k| |x_j| for x_k conj(x_j) (its largest possible size); 0 when all vanish
  double zscore = 0;  // measured only: the largest |mean| in standard errors, over pairs, moments, re and im
  long draws = 0;     // measured only: how many draws (0: closed form)
  // The verdict: closed form, all vanish (ratio below 1e-12); measured, every mean within 5 standard errors.
  bool vanish() const { return draws == 0 ? ratio < 1e-12 : zscore <= 5; }
};

// Monte Carlo estimate from n draws (so any user-defined family works too), with the
// standard error of each moment in *stderr_out and the mixed moments in *mixed when given.
Moments monte_carlo_moments(X1Family f, double scale, int d, long n, std::uint64_t seed,
                            Moments* stderr_out = nullptr, const MagnitudeLaw& law = {},
                            MixedMoments* mixed = nullptr);

MixedMoments closed_mixed_moments(X1Family f, double scale, int d, const MagnitudeLaw& law = {});

// The mixed moments of draws x[0..d) added one at a time (Monte Carlo, or a data set's first tokens).
class MixedMomentSums {
 public:
  explicit MixedMomentSums(int d);
  void add(const cplx* x);
  MixedMoments result() const;

 private:
  int d_;
  long n_ = 0;
  // Per ordered pair (k, j), k != j, and moment i: sums of re, im, re^2, im^2 and of the bound.
  std::vector<double> sums_;
};

}  // namespace mesaflow
