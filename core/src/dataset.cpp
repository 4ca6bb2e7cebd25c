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
  // Real and imaginary parts in separate arrays and the products written out: GCC's vectoriser
  // turns an interleaved complex multiply into fused multiply-adds even with -ffp-contract=off,
  // which would break bit-identity with WebAssembly.
  std::vector<double> lr(c.d), li(c.d), xr(c.d), xi(c.d);
  std::vector<cplx> x1(c.d);
  for (int s = 0; s < m; ++s) {
    Rng rng(c.seed, stream, static_cast<std::uint64_t>(s));
    for (int j = 0; j < c.d; ++j) rng.unit_phase(lr[j], li[j]);  // W = diag(lambda), lambda_j = e^{i theta_j}
    sample_x1(c.x1, c.scale, c.d, rng, x1.data());
    for (int j = 0; j < c.d; ++j) {
      xr[j] = x1[j].real();
      xi[j] = x1[j].imag();
    }
    for (int t = 0; t < c.T; ++t) {
      for (int j = 0; j < c.d; ++j) {
        ds.re[ds.index(s, t, j)] = xr[j];
        ds.im[ds.index(s, t, j)] = xi[j];
        const double nr = xr[j] * lr[j] - xi[j] * li[j];  // x_{t+1} = lambda x_t
        const double ni = xr[j] * li[j] + xi[j] * lr[j];
        xr[j] = nr;
        xi[j] = ni;
      }
    }
  }
  return ds;
}

}  // namespace mesaflow
