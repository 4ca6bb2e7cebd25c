#include "mesaflow/dataset.hpp"

#include "mesaflow/families.hpp"

namespace mesaflow {

Dataset::Dataset(int m_, int T_, int d_) : m(m_), T(T_), d(d_), packs((m_ + kLanes - 1) / kLanes) {
  const std::size_t n = static_cast<std::size_t>(packs) * T * d * kLanes;
  re.assign(n, 0.0);
  im.assign(n, 0.0);
}

Dataset generate_dataset(const Config& c, int m, std::uint64_t stream) {
  Dataset ds(m, c.T, c.d);
  std::vector<cplx> lambda(c.d), x(c.d);
  for (int s = 0; s < m; ++s) {
    Rng rng(c.seed, stream, static_cast<std::uint64_t>(s));
    for (int j = 0; j < c.d; ++j) {  // W = diag(lambda), lambda_j = e^{i theta_j}
      double re, im;
      rng.unit_phase(re, im);
      lambda[j] = cplx(re, im);
    }
    sample_x1(c.x1, c.scale, c.d, rng, x.data());
    for (int t = 0; t < c.T; ++t) {
      for (int j = 0; j < c.d; ++j) {
        ds.set(s, t, j, x[j]);
        // Written out so every platform rounds the same (no library complex multiply).
        const double xr = x[j].real(), xi = x[j].imag(), lr = lambda[j].real(), li = lambda[j].imag();
        x[j] = cplx(xr * lr - xi * li, xr * li + xi * lr);
      }
    }
  }
  return ds;
}

}  // namespace mesaflow
