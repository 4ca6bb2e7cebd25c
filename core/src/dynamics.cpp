#include "mesaflow/dynamics.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <vector>

namespace mesaflow {

namespace {
std::string at_text(int s, int j, int t) {  // 1-based, as the reader counts
  char buf[96];
  std::snprintf(buf, sizeof buf, " (sequence %d, coordinate %d, t = %d)", s + 1, j + 1, t + 1);
  return buf;
}
}  // namespace

DynamicsCheck check_diagonal_dynamics(const Dataset& ds, double tol) {
  using cplx = std::complex<double>;
  const int T = ds.T, d = ds.d;
  DynamicsCheck out;
  out.checked = ds.m;
  std::vector<double> re(static_cast<std::size_t>(T) * d), im(re.size());  // (T, d) one sequence
  const auto fail = [&out](std::string why) {
    out.diagonal = false;
    out.why = std::move(why);
    return out;
  };
  double top = 0;  // the largest modulus of the set
  for (int s = 0; s < ds.m; ++s) {
    ds.sequence(s, re.data(), im.data());
    for (std::size_t k = 0; k < re.size(); ++k) {
      const double a = std::abs(cplx(re[k], im[k]));
      if (!std::isfinite(a)) return fail("a token is not finite" + at_text(s, static_cast<int>(k % d), static_cast<int>(k / d)));
      top = std::max(top, a);
    }
  }
  const double zero = top * 1e-9;
  char buf[160];
  for (int s = 0; s < ds.m; ++s) {
    ds.sequence(s, re.data(), im.data());
    for (int j = 0; j < d; ++j) {
      const bool starts_at_zero = std::abs(cplx(re[j], im[j])) <= zero;
      bool have_step = false;
      cplx step;  // the first step's factor x_2 / x_1
      for (int t = 0; t + 1 < T; ++t) {
        const cplx a(re[t * d + j], im[t * d + j]), b(re[(t + 1) * d + j], im[(t + 1) * d + j]);
        const double ma = std::abs(a), mb = std::abs(b);
        if (starts_at_zero) {
          if (mb > zero) {
            std::snprintf(buf, sizeof buf, "a coordinate that starts at 0 becomes %.3g", mb);
            return fail(buf + at_text(s, j, t));
          }
          continue;
        }
        if (!(std::abs(mb / ma - 1) <= tol)) {
          std::snprintf(buf, sizeof buf, "|x_{t+1}|/|x_t| = %.5g, not 1", mb / ma);
          return fail(buf + at_text(s, j, t));
        }
        const cplx f = b * std::conj(a) / (ma * ma);  // x_{t+1} / x_t
        if (!have_step) {
          step = f;
          have_step = true;
        } else if (!(std::abs(f - step) <= tol)) {
          return fail("x_{t+1}/x_t changes along the sequence" + at_text(s, j, t));
        }
      }
    }
  }
  return out;
}

}  // namespace mesaflow
