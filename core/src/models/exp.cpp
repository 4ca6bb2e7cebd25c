// portable_exp (models/exp.hpp): range reduction by ln 2, a fixed Taylor polynomial, exact scaling.
#include "mesaflow/models/exp.hpp"

#include <cmath>
#include <limits>

namespace mesaflow {

double portable_exp(double x) {
  if (x != x) return x;                                                         // NaN
  if (x > 709.782712893384) return std::numeric_limits<double>::infinity();     // > log(DBL_MAX)
  if (x < -745.2) return 0.0;                                                   // below half the least subnormal
  return portable_exp_steps(
      x, [](double t) { return std::floor(t); },
      [](double p, double k) { return std::ldexp(p, static_cast<int>(k)); });  // exact, one rounding if subnormal
}

}  // namespace mesaflow
