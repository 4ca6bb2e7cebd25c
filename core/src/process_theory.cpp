#include "mesaflow/process_theory.hpp"

#include <cmath>
#include <vector>

#include "mesaflow/process.hpp"

namespace mesaflow {

NormMoments norm_moments(X1Family f, double c, int d, const MagnitudeLaw& law) {
  const double c2 = c * c, c4 = c2 * c2, c6 = c4 * c2;
  if (f == X1Family::Sparse) return {c2 * law.moment(2), c4 * law.moment(4), c6 * law.moment(6)};
  // Independent coordinates, a_j = |x_j|^2 with E a = m1, E a^2 = m2, E a^3 = m3:
  //   E r^4 = E (sum a_j)^2 = d m2 + d(d-1) m1^2,
  //   E r^6 = E (sum a_j)^3 = d m3 + 3 d(d-1) m2 m1 + d(d-1)(d-2) m1^3.
  double m1, m2, m3;
  if (f == X1Family::Gaussian) m1 = c2, m2 = 3 * c4, m3 = 15 * c6;  // a = c^2 z^2
  else m1 = c2 * law.moment(2), m2 = c4 * law.moment(4), m3 = c6 * law.moment(6);
  const double n = d;
  return {n * m1, n * m2 + n * (n - 1) * m1 * m1, n * m3 + 3 * n * (n - 1) * m2 * m1 + n * (n - 1) * (n - 2) * m1 * m1 * m1};
}

Moments rotated_moments(X1Family f, double c, int d, const MagnitudeLaw& law) {
  const NormMoments r = norm_moments(f, c, d, law);
  const double n = d;
  Moments m;
  m.M2 = r.r2;
  m.M4 = 2 * r.r4 / (n + 1);
  m.M6 = 6 * r.r6 / ((n + 1) * (n + 2));
  m.M24 = 2 * (n - 1) * r.r6 / ((n + 1) * (n + 2));
  m.nonzero = d;
  return m;
}

Moments monte_carlo_rotated_moments(X1Family f, double scale, int d, long n, std::uint64_t seed, Moments* se,
                                    const MagnitudeLaw& law) {
  double s[5] = {0, 0, 0, 0, 0}, q[5] = {0, 0, 0, 0, 0};
  std::vector<cplx> x(d), y(d);
  std::vector<double> ur(static_cast<std::size_t>(d) * d), ui(ur.size());
  Rng rng(seed, 8, 0);
  for (long i = 0; i < n; ++i) {
    haar_unitary(d, rng, ur.data(), ui.data());
    sample_x1(f, scale, d, rng, x.data(), law);
    for (int k = 0; k < d; ++k) {  // y_k = sum_j conj(U_jk) x_j
      cplx v = 0;
      for (int j = 0; j < d; ++j) v += std::conj(cplx(ur[j * d + k], ui[j * d + k])) * x[j];
      y[k] = v;
    }
    double v[5];
    draw_sums(y.data(), d, v);
    for (int k = 0; k < 5; ++k) s[k] += v[k], q[k] += v[k] * v[k];
  }
  double mean[5], err[5];
  for (int k = 0; k < 5; ++k) {
    mean[k] = s[k] / n;
    err[k] = std::sqrt(std::max(0.0, q[k] / n - mean[k] * mean[k]) / n);
  }
  if (se) *se = Moments{err[0], err[1], err[2], err[3], err[4]};
  return Moments{mean[0], mean[1], mean[2], mean[3], mean[4]};
}

std::string process_reason(const Config& c) {
  std::string why;
  switch (c.process) {
    case Process::Diagonal:
    case Process::Unitary: break;
    case Process::Orthogonal:
      why = "process orthogonal: W is real, its eigenvalues come in conjugate pairs e^{+-i theta} with Haar SO(d)'s "
            "law (not independent uniform phases), so the phase counting of core/THEORY.md §3 does not give A_t, B_t; "
            "the red blocks stay scalar by symmetry for every family but full-one, but the entries outside them may move, and c*(T) is not derived here (§10)";
      break;
    case Process::Rotation:
      why = "process rotation: each 2x2 block has the eigenvalue pair e^{+-i theta} (conjugate, not independent), so "
            "the phase counting of core/THEORY.md §3 does not give A_t, B_t";
      if (c.d % 2 == 1) why += "; with odd d the kept last coordinate is a symmetry class of its own, so the invariance of the one-parameter family is not guaranteed (§10)";
      break;
    case Process::Fixed:
      why = "process fixed: one W for every sequence, no average over W, so the expectations of core/THEORY.md §3 "
            "do not apply (the model can learn W itself)";
      break;
  }
  if (why.empty() && c.radius != 1)
    why = "radius < 1: |lambda| = r, the tokens shrink like r^t and A_t, B_t of core/THEORY.md §3 (which use |lambda| = 1) "
          "are not derived for it here";
  if (why.empty() && c.noise > 0)
    why = "noise > 0: x_{t+1} = W x_t + sigma_eps eps_t is not W^t x_1, and the noise terms of A_t, B_t are not derived "
          "here; nor is the family invariant: the entries outside the red blocks may move (core/THEORY.md §10)";
  return why;
}

std::string invariance_reason(const Config& c) {
  if (c.process == Process::Unitary && c.x1 == X1Family::FullOne && c.d > 1)
    return "process unitary with full-one: the law of x_1 is symmetric under coordinate permutations only, so the "
           "expected gradient at the family may hold a multiple of the all-ones direction E[x_1 x_1^H / |x_1|^2] "
           "(core/THEORY.md §10): the invariance of the diagonal family is not guaranteed; with clip it is";
  return "";
}

}  // namespace mesaflow
