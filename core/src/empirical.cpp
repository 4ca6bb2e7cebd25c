#include "mesaflow/empirical.hpp"

#include <algorithm>
#include <vector>

namespace mesaflow {

Moments sample_moments(const Dataset& ds, MixedMoments* mixed) {
  double sum[5] = {0, 0, 0, 0, 0};
  std::vector<cplx> x1(ds.d);
  MixedMomentSums sums(ds.d);
  for (int s = 0; s < ds.m; ++s) {
    for (int j = 0; j < ds.d; ++j) x1[j] = ds.x(s, 0, j);
    double v[5];
    draw_sums(x1.data(), ds.d, v);
    if (mixed) sums.add(x1.data());
    for (int k = 0; k < 5; ++k) sum[k] += v[k];
  }
  if (mixed) *mixed = sums.result();
  return {sum[0] / ds.m, sum[1] / ds.m, sum[2] / ds.m, sum[3] / ds.m, sum[4] / ds.m};
}

void empirical_AB(const Dataset& ds, double* A, double* B) {
  // Real arithmetic on separate arrays (see dataset.cpp: no fused multiply-adds sneak in).
  const int d = ds.d, T = ds.T;
  double a_sum = 0, b_sum = 0;
  std::vector<double> cr(static_cast<std::size_t>(d) * d), ci(cr.size());  // C = sum_{i=2}^t x_i x_{i-1}^H  (d, d)
  std::vector<double> xr(static_cast<std::size_t>(T) * d), xi(xr.size());  // (T, d) one sequence
  for (int s = 0; s < ds.m; ++s) {
    ds.sequence(s, xr.data(), xi.data());
    std::fill(cr.begin(), cr.end(), 0.0);
    std::fill(ci.begin(), ci.end(), 0.0);
    for (int t0 = 1; t0 + 1 < T; ++t0) {
      const double* ar = &xr[t0 * d];  // x_t
      const double* ai = &xi[t0 * d];
      const double* br = &xr[(t0 - 1) * d];  // x_{t-1}
      const double* bi = &xi[(t0 - 1) * d];
      const double* nr = &xr[(t0 + 1) * d];  // x_{t+1}
      const double* ni = &xi[(t0 + 1) * d];
      for (int j = 0; j < d; ++j)
        for (int k = 0; k < d; ++k) {  // x_{t,j} conj(x_{t-1,k})
          cr[j * d + k] += ar[j] * br[k] + ai[j] * bi[k];
          ci[j * d + k] += ai[j] * br[k] - ar[j] * bi[k];
        }
      for (int j = 0; j < d; ++j) {
        double gr = 0, gi = 0;  // g_j = (C x_t)_j / (t - 1)
        for (int k = 0; k < d; ++k) {
          gr += cr[j * d + k] * ar[k] - ci[j * d + k] * ai[k];
          gi += cr[j * d + k] * ai[k] + ci[j * d + k] * ar[k];
        }
        gr /= t0;
        gi /= t0;
        a_sum += gr * gr + gi * gi;
        b_sum += gr * nr[j] + gi * ni[j];  // Re(conj(g) x_{t+1})
      }
    }
  }
  *A = a_sum / ds.m;
  *B = b_sum / ds.m;
}

}  // namespace mesaflow
