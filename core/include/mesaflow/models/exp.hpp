// exp computed by the project (models/exp.cpp), not by the platform's libm: glibc natively and
// Emscripten's musl (or the JS engine) may round exp differently in the last bit, and the softmax
// model must give the same bits natively and in WebAssembly. Plain double arithmetic, no FMA
// (contraction is off in core/), one operation order: identical on every IEEE-754 target.
#pragma once

namespace mesaflow {

// e^x for any double x: relative error below 1e-15 against std::exp where the result is normal
// (tests/native/test_softmax.cpp), 0 below the subnormal range, +inf above 709.78, NaN for NaN.
double portable_exp(double x);

// portable_exp's steps, on double or elementwise on a GCC vector of doubles V (softmax_scan.hpp
// exp_lanes), for x in [-745.2, 709.78]: x = k ln2 + r, |r| <= ln2 / 2 (+ rounding), with ln2 =
// ln2_hi + ln2_lo and ln2_hi's low 21 bits zero, so k * ln2_hi is exact for |k| <= 1075 and
// x - k ln2_hi loses nothing (Cody and Waite); e^r = sum_{n <= 13} r^n / n! (the first omitted
// term is (ln2/2)^14 / 14! < 5e-18 of e^r), Horner from the highest power, the coefficients 1/n!
// rounded to double; e^x = scale(e^r, k), which must be 2^k e^r rounded once (std::ldexp), with
// k = floor_of(x / ln2 + 1/2), which must be std::floor's value, an integer in [-1075, 1024].
template <class V, class Floor, class Scale>
inline V portable_exp_steps(const V& x, Floor floor_of, Scale scale) {
  const double ln2_hi = 6.93147180369123816490e-01;  // 0x3FE62E42FEE00000
  const double ln2_lo = 1.90821492927058770002e-10;  // ln2 - ln2_hi
  const double inv_ln2 = 1.44269504088896338700e+00;
  const V k = floor_of(x * inv_ln2 + 0.5);
  const V r = (x - k * ln2_hi) - k * ln2_lo;
  static constexpr double c[14] = {1.0,
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
  V p = V{} + c[13];  // c[13] in every lane
  for (int n = 12; n >= 0; --n) p = p * r + c[n];
  return scale(p, k);
}

}  // namespace mesaflow
