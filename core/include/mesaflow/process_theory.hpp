// The theory of each process (core/THEORY.md §10): whether the diagonal family stays invariant
// under the flow, and where it does and the loss of the family is derived, the moments the
// formulas of §3-§6 take. For `unitary` the family's loss is that of the diagonal process with
// the first token seen in W's eigenbasis, y_1 = U^H x_1 = |x_1| u with u uniform on the unit
// sphere of C^d and independent of |x_1|, so its moments follow from E|x_1|^2, E|x_1|^4, E|x_1|^6.
#pragma once
#include <string>

#include "mesaflow/config.hpp"
#include "mesaflow/families.hpp"

namespace mesaflow {

// E|x_1|^p for p = 2, 4, 6 (|x_1| the Euclidean norm), closed form for each family and law.
struct NormMoments {
  double r2 = 0, r4 = 0, r6 = 0;
};
NormMoments norm_moments(X1Family f, double scale, int d, const MagnitudeLaw& law = {});

// The moments (families.hpp) of y_1 = U^H x_1, U Haar on U(d) independent of x_1:
//   M2 = E r^2, M4 = 2 E r^4 / (d+1), M6 = 6 E r^6 / ((d+1)(d+2)), M24 = 2 (d-1) E r^6 / ((d+1)(d+2)),
//   nonzero = d (|u_j|^2 are Dirichlet(1, ..., 1), independent of r = |x_1|).
Moments rotated_moments(X1Family f, double scale, int d, const MagnitudeLaw& law = {});
// The same by Monte Carlo: n draws of U (haar_unitary) and x_1 (sample_x1), averages of
// draw_sums(U^H x_1), with their standard errors in *se.
Moments monte_carlo_rotated_moments(X1Family f, double scale, int d, long n, std::uint64_t seed, Moments* se = nullptr,
                                    const MagnitudeLaw& law = {});

// Why the diagonal family's theory gives no prediction for c's process ("" where it does: the
// diagonal and unitary processes without contraction or noise). Overrides clip.
std::string process_reason(const Config& c);
// Where the family's loss is derived but its invariance under the flow is not guaranteed (unitary
// with full-one; clip restores it): why, else "".
std::string invariance_reason(const Config& c);

}  // namespace mesaflow
