#include "mesaflow/families.hpp"

#include <cmath>
#include <vector>

namespace mesaflow {

void sample_x1(X1Family f, double c, int d, Rng& rng, cplx* x) {
  switch (f) {
    case X1Family::Gaussian:  // real part N(0, c^2), imaginary part 0
      for (int j = 0; j < d; ++j) x[j] = cplx(c * rng.normal(), 0.0);
      break;
    case X1Family::Sparse: {  // one coordinate +-c, the rest 0 (the paper's Example 4.1)
      for (int j = 0; j < d; ++j) x[j] = 0.0;
      const int j = static_cast<int>(rng.below(d));
      x[j] = (rng.next_u64() >> 63) ? c : -c;
      break;
    }
    case X1Family::FullOne:  // every coordinate c (the paper uses c = 1)
      for (int j = 0; j < d; ++j) x[j] = c;
      break;
    case X1Family::Rademacher:  // every coordinate independently +-c
      for (int j = 0; j < d; ++j) x[j] = (rng.next_u64() >> 63) ? c : -c;
      break;
    case X1Family::UnitPhase:  // every coordinate c e^{i phi}, phi uniform, independent
      for (int j = 0; j < d; ++j) {
        double re, im;
        rng.unit_phase(re, im);
        x[j] = cplx(c * re, c * im);
      }
      break;
  }
}

Moments closed_moments(X1Family f, double c, int d) {
  const double c2 = c * c, c4 = c2 * c2, c6 = c4 * c2;
  Moments m;
  switch (f) {
    case X1Family::Gaussian:  // E x^2 = s^2, E x^4 = 3 s^4, E x^6 = 15 s^6, coordinates independent
      m.M2 = d * c2;
      m.M4 = d * 3.0 * c4;
      m.M6 = d * 15.0 * c6;
      m.M24 = d * (d - 1.0) * c2 * 3.0 * c4;
      m.nonzero = d;  // zero with probability 0
      break;
    case X1Family::Sparse:  // exactly one non-zero coordinate, so no cross moments
      m.M2 = c2;
      m.M4 = c4;
      m.M6 = c6;
      m.M24 = 0.0;
      m.nonzero = 1;
      break;
    case X1Family::FullOne:
    case X1Family::Rademacher:
    case X1Family::UnitPhase:  // |x_j| = c for every coordinate
      m.M2 = d * c2;
      m.M4 = d * c4;
      m.M6 = d * c6;
      m.M24 = d * (d - 1.0) * c6;
      m.nonzero = d;
      break;
  }
  return m;
}

void draw_sums(const cplx* x, int d, double v[5]) {
  double p2 = 0, p4 = 0, p6 = 0, nz = 0;
  for (int j = 0; j < d; ++j) {
    const double a = std::norm(x[j]);
    p2 += a;
    p4 += a * a;
    p6 += a * a * a;
    nz += a > 0 ? 1 : 0;
  }
  v[0] = p2;
  v[1] = p4;
  v[2] = p6;
  v[3] = p2 * p4 - p6;
  v[4] = nz;
}

Moments monte_carlo_moments(X1Family f, double scale, int d, long n, std::uint64_t seed, Moments* se) {
  // Per-draw values of the four sums, accumulated with their squares for the standard error.
  double s[5] = {0, 0, 0, 0, 0}, q[5] = {0, 0, 0, 0, 0};
  std::vector<cplx> x(d);
  Rng rng(seed, 7, 0);
  for (long i = 0; i < n; ++i) {
    sample_x1(f, scale, d, rng, x.data());
    double v[5];
    draw_sums(x.data(), d, v);
    for (int k = 0; k < 5; ++k) {
      s[k] += v[k];
      q[k] += v[k] * v[k];
    }
  }
  double mean[5], err[5];
  for (int k = 0; k < 5; ++k) {
    mean[k] = s[k] / n;
    const double var = std::max(0.0, q[k] / n - mean[k] * mean[k]);
    err[k] = std::sqrt(var / n);
  }
  if (se) *se = Moments{err[0], err[1], err[2], err[3], err[4]};
  return Moments{mean[0], mean[1], mean[2], mean[3], mean[4]};
}

}  // namespace mesaflow
