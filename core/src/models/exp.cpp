// portable_exp (models/exp.hpp): range reduction by ln 2, a fixed Taylor polynomial, exact scaling.
#include "mesaflow/models/exp.hpp"

#include <cmath>
#include <limits>

namespace mesaflow {

double portable_exp(double x) {
  if (x != x) return x;                                                         // NaN
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();     // > log(DBL_MAX)
  if (x < -745.2) return 0.0;                                                   // below half the least subnormal
  // x = k ln2 + r, |r| <= ln2 / 2 (+ rounding). ln2 = ln2_hi + ln2_lo with ln2_hi's low 21 bits
  // zero, so k * ln2_hi is exact for |k| <= 1075 and x - k ln2_hi loses nothing (Cody and Waite).
  const double ln2_hi = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000
  const double ln2_lo = 1.90821492927058770002e-10;  // ln2 - ln2_hi
  const double inv_ln2 = 1.44269504088896338700e+00;
  const double k = std::floor(x * inv_ln2 + 0.5);   // exact: an integer in [-1075, 1024]
  const double r = (x - k * ln2_hi) - k * ln2_lo;
  // e^r = sum_{n <= 13} r^n / n!: the first omitted term is (ln2/2)^14 / 14! < 5e-18 of e^r.
  // Horner from the highest power; the coefficients are 1/n! rounded to double.
  static const double c[14] = {1.0,
                               1.0,
                               1.0 / 2,
                               1.0 / 6,
                               1.0 / 24,
                               1.0 / 120,
                               1.0 / 720,
                               1.0 / 5040,
                               1.0 / 40320,
                               1.0 / 362880,
                               1.0 / 3628800,
                               1.0 / 39916800,
                               1.0 / 479001600,
                               1.0 / 6227020800.0};
  double p = c[13];
  for (int n = 12; n >= 0; --n) p = p * r + c[n];
  // e^x = 2^k e^r: ldexp scales exactly (one IEEE rounding only when the result is subnormal).
  return std::ldexp(p, static_cast<int>(k));
}

}  // namespace mesaflow
