#include "mesaflow/families.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace mesaflow {

namespace {
// The modulus of one non-zero coordinate: scale c times a draw from the law (nothing drawn for
// const, so the paper's families keep their numbers).
inline double modulus(double c, const MagnitudeLaw& law, Rng& rng) {
  return law.is_const() ? c : c * law.quantile(rng.uniform());
}
}  // namespace

void sample_x1(X1Family f, double c, int d, Rng& rng, cplx* x, const MagnitudeLaw& law) {
  switch (f) {
    case X1Family::Gaussian:  // real part N(0, c^2), imaginary part 0
      for (int j = 0; j < d; ++j) x[j] = cplx(c * rng.normal(), 0.0);
      break;
    case X1Family::Sparse: {  // one coordinate +-c, the rest 0 (the paper's Example 4.1)
      for (int j = 0; j < d; ++j) x[j] = 0.0;
      const int j = static_cast<int>(rng.below(d));
      const bool plus = rng.next_u64() >> 63;
      const double r = modulus(c, law, rng);
      x[j] = plus ? r : -r;
      break;
    }
    case X1Family::FullOne:  // every coordinate c (the paper uses c = 1)
      for (int j = 0; j < d; ++j) x[j] = modulus(c, law, rng);
      break;
    case X1Family::Rademacher:  // every coordinate independently +-c
      for (int j = 0; j < d; ++j) {
        const bool plus = rng.next_u64() >> 63;
        const double r = modulus(c, law, rng);
        x[j] = plus ? r : -r;
      }
      break;
    case X1Family::UnitPhase:  // every coordinate c e^{i phi}, phi uniform, independent
      for (int j = 0; j < d; ++j) {
        double re, im;
        rng.unit_phase(re, im);
        const double r = modulus(c, law, rng);
        x[j] = cplx(r * re, r * im);
      }
      break;
  }
}

Moments closed_moments(X1Family f, double c, int d, const MagnitudeLaw& law) {
  // E[R^p] for the modulus R = c U of a non-zero coordinate (products in this order keep the
  // const law's numbers those of c^2, c^4 = c^2 c^2, c^6 = c^4 c^2 exactly).
  const double c2 = c * c, c4 = c2 * c2, c6 = c4 * c2;
  const double r2 = c2 * law.moment(2), r4 = c4 * law.moment(4), r6 = c6 * law.moment(6);
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
      m.M2 = r2;
      m.M4 = r4;
      m.M6 = r6;
      m.M24 = 0.0;
      m.nonzero = 1;
      break;
    case X1Family::FullOne:
    case X1Family::Rademacher:
    case X1Family::UnitPhase:  // every coordinate non-zero, moduli independent
      m.M2 = d * r2;
      m.M4 = d * r4;
      m.M6 = d * r6;
      m.M24 = d * (d - 1.0) * (r4 * r2);
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

Moments monte_carlo_moments(X1Family f, double scale, int d, long n, std::uint64_t seed, Moments* se,
                            const MagnitudeLaw& law, MixedMoments* mixed) {
  MixedMomentSums mixed_sums(mixed ? d : 0);
  // Per-draw values of the four sums, accumulated with their squares for the standard error.
  double s[5] = {0, 0, 0, 0, 0}, q[5] = {0, 0, 0, 0, 0};
  std::vector<cplx> x(d);
  Rng rng(seed, 7, 0);
  for (long i = 0; i < n; ++i) {
    sample_x1(f, scale, d, rng, x.data(), law);
    if (mixed) mixed_sums.add(x.data());
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
  if (mixed) *mixed = mixed_sums.result();
  return Moments{mean[0], mean[1], mean[2], mean[3], mean[4]};
}

MixedMoments closed_mixed_moments(X1Family f, double c, int d, const MagnitudeLaw& law) {
  MixedMoments mm;
  // Every family but full-one draws each coordinate's sign or phase on its own, symmetric and
  // independent of the moduli (sparse has a single non-zero coordinate): x_k conj(x_j) has mean 0
  // whatever it is multiplied by. full-one: x_j = c U_j >= 0, independent U_j.
  if (f != X1Family::FullOne || d < 2) return mm;
  const double u1 = law.moment(1), u2 = law.moment(2), u3 = law.moment(3), u5 = law.moment(5);
  const double c4 = std::pow(c, 4), c6 = std::pow(c, 6);
  mm.mu[0] = c4 * u1 * u3;
  mm.mu[1] = c6 * u3 * u3;
  mm.mu[2] = (d - 2) * c6 * u1 * u3 * u2;
  mm.mu[3] = c6 * u1 * u5;
  mm.ratio = 1;  // every term is positive: each moment is as large as its bound
  return mm;
}

MixedMomentSums::MixedMomentSums(int d) : d_(d), sums_(static_cast<std::size_t>(d) * d * 4 * 5, 0.0) {}

void MixedMomentSums::add(const cplx* x) {
  double total = 0;
  for (int l = 0; l < d_; ++l) total += std::norm(x[l]);
  for (int k = 0; k < d_; ++k)
    for (int j = 0; j < d_; ++j) {
      if (k == j) continue;
      const cplx w = x[k] * std::conj(x[j]);
      const double ak = std::norm(x[k]), aj = std::norm(x[j]), bound = std::abs(x[k]) * std::abs(x[j]);
      const double f[4] = {aj, ak * aj, aj * (total - ak - aj), aj * aj};  // mu1..mu4 without x_k conj(x_j)
      double* s = &sums_[(static_cast<std::size_t>(k) * d_ + j) * 20];
      for (int i = 0; i < 4; ++i, s += 5) {
        const double re = w.real() * f[i], im = w.imag() * f[i];
        s[0] += re;
        s[1] += im;
        s[2] += re * re;
        s[3] += im * im;
        s[4] += bound * f[i];
      }
    }
  ++n_;
}

MixedMoments MixedMomentSums::result() const {
  MixedMoments mm;
  mm.draws = n_;
  if (n_ == 0) return mm;
  const double n = static_cast<double>(n_);
  // |mean| in standard errors; a mean of exactly 0 is 0 whatever its error, a non-zero mean
  // with no spread at all is infinitely many.
  const auto z = [n](double sum, double sq) {
    const double mean = sum / n, se = std::sqrt(std::max(0.0, sq / n - mean * mean) / n);
    return mean == 0 ? 0.0 : se > 0 ? std::fabs(mean) / se : INFINITY;
  };
  for (int k = 0; k < d_; ++k)
    for (int j = 0; j < d_; ++j) {
      if (k == j) continue;
      const double* s = &sums_[(static_cast<std::size_t>(k) * d_ + j) * 20];
      cplx mu[4];
      double worst = 0;
      for (int i = 0; i < 4; ++i) {
        const double* t = s + 5 * i;
        mu[i] = cplx(t[0] / n, t[1] / n);
        const double bound = t[4] / n;
        if (bound > 0) worst = std::max(worst, std::abs(mu[i]) / bound);
        mm.zscore = std::max({mm.zscore, z(t[0], t[2]), z(t[1], t[3])});
      }
      if (worst > mm.ratio) {
        mm.ratio = std::max(mm.ratio, worst);
        for (int i = 0; i < 4; ++i) mm.mu[i] = mu[i];
      }
    }
  return mm;
}

}  // namespace mesaflow
