#include "mesaflow/rng.hpp"

#include <cmath>

namespace mesaflow {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

Rng::Rng(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  std::uint64_t h = seed;
  std::uint64_t a = splitmix64(h) ^ (stream * 0xD1B54A32D192ED03ULL);
  std::uint64_t b = splitmix64(a) ^ (index * 0xA24BAED4963EE407ULL);
  for (auto& s : s_) s = splitmix64(b);
}

static inline std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::uniform_pm1() {
  // (k + 0.5) / 2^52 - 1 for k in [0, 2^53): symmetric, never exactly +-1.
  return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-52 - 1.0;
}

std::uint64_t Rng::below(std::uint64_t n) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t r;
  do r = next_u64(); while (r >= limit);
  return r % n;
}

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = uniform_pm1();
    v = uniform_pm1();
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * portable_log(s) / s);
  spare_ = v * f;
  has_spare_ = true;
  return u * f;
}

void Rng::unit_phase(double& re, double& im) {
  // If (u, v) is uniform in the unit disc, its angle psi is uniform; we return angle 2 psi,
  // which is uniform too, through the double-angle formulas.
  double u, v, s;
  do {
    u = uniform_pm1();
    v = uniform_pm1();
    s = u * u + v * v;
  } while (s >= 1.0 || s < 1e-6);
  re = (u * u - v * v) / s;
  im = 2.0 * u * v / s;
}

double portable_log(double x) {
  if (!(x > 0.0)) return x == 0.0 ? -INFINITY : NAN;
  if (std::isinf(x)) return x;
  int e = 0;
  double m = std::frexp(x, &e);  // x = m 2^e, m in [0.5, 1), exact
  if (m < 0.70710678118654752440) {
    m *= 2.0;
    e -= 1;
  }
  // log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  double p = 1.0 / 25.0;
  for (int k = 23; k >= 1; k -= 2) p = p * s2 + 1.0 / k;
  const double ln2_hi = 6.93147180369123816490e-01;  // exact in 32 bits
  const double ln2_lo = 1.90821492927058770002e-10;
  return (e * ln2_hi + (2.0 * s * p)) + e * ln2_lo;
}

}  // namespace mesaflow
