#include "mesaflow/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "mesaflow/families.hpp"

namespace mesaflow {

namespace {

// x <- lambda x. Real and imaginary parts in separate variables and the products written out:
// GCC's vectoriser turns an interleaved complex multiply into fused multiply-adds even with
// -ffp-contract=off, which would break bit-identity with WebAssembly. The kernel's regenerating
// scan (kernel.cpp) does exactly these operations.
// In single the operands and the products are floats (S = float) and the result is stored back
// in a double, exactly.
template <class S>
inline void advance(double& xr, double& xi, double lr, double li) {
  const S r = static_cast<S>(xr), i = static_cast<S>(xi), a = static_cast<S>(lr), b = static_cast<S>(li);
  const S nr = r * a - i * b;
  const S ni = r * b + i * a;
  xr = nr;
  xi = ni;
}
inline void advance(Precision p, double& xr, double& xi, double lr, double li) {
  if (p == Precision::Single) advance<float>(xr, xi, lr, li);
  else advance<double>(xr, xi, lr, li);
}
inline double rounded(Precision p, double v) { return p == Precision::Single ? nearest_float(v) : v; }

}  // namespace

__attribute__((noinline)) double nearest_float(double v) { return static_cast<float>(v); }

bool is_float_value(double v) {
  if (v == 0 || !std::isfinite(v)) return true;
  std::uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  const int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  if (exponent > 127) return false;
  // normal floats keep 23 mantissa bits; below 2^-126 fewer (subnormal floats), none below 2^-149
  const int kept = exponent >= -126 ? 23 : 23 - (-126 - exponent);
  if (kept < 0) return false;
  const std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
  return (mantissa & ((std::uint64_t{1} << (52 - kept)) - 1)) == 0;
}

Dataset::Dataset(int m_, int T_, int d_, DataLayout layout, Precision p)
    : m(m_), T(T_), d(d_), precision(p), lanes(lanes_of(p)), packs((m_ + lanes - 1) / lanes),
      regenerated(layout == DataLayout::Regenerated) {
  if (regenerated) {
    const std::size_t n = static_cast<std::size_t>(packs) * d * lanes;
    for (auto* v : {&x1_re, &x1_im, &lam_re, &lam_im}) v->assign(n, 0.0);
  } else {
    const std::size_t n = static_cast<std::size_t>(packs) * T * d * lanes;
    re.assign(n, 0.0);
    im.assign(n, 0.0);
  }
}

std::complex<double> Dataset::x(int s, int t, int j) const {
  if (!regenerated) return {re[index(s, t, j)], im[index(s, t, j)]};
  const std::size_t k = index1(s, j);
  double xr = x1_re[k], xi = x1_im[k];
  for (int i = 0; i < t; ++i) advance(precision, xr, xi, lam_re[k], lam_im[k]);
  return {xr, xi};
}

void Dataset::sequence(int s, double* re_out, double* im_out) const {
  for (int j = 0; j < d; ++j) {
    if (!regenerated) {
      for (int t = 0; t < T; ++t) {
        re_out[t * d + j] = re[index(s, t, j)];
        im_out[t * d + j] = im[index(s, t, j)];
      }
      continue;
    }
    const std::size_t k = index1(s, j);
    double xr = x1_re[k], xi = x1_im[k];
    for (int t = 0; t < T; ++t) {
      re_out[t * d + j] = xr;
      im_out[t * d + j] = xi;
      advance(precision, xr, xi, lam_re[k], lam_im[k]);
    }
  }
}

Dataset Dataset::tokens() const { return regenerated ? in_precision(precision) : *this; }

Dataset Dataset::in_precision(Precision p) const {
  Dataset out(m, T, d, DataLayout::Tokens, p);
  std::vector<double> r(static_cast<std::size_t>(T) * d), i(r.size());
  for (int s = 0; s < m; ++s) {
    sequence(s, r.data(), i.data());
    for (int t = 0; t < T; ++t)
      for (int j = 0; j < d; ++j) {
        out.re[out.index(s, t, j)] = rounded(p, r[t * d + j]);
        out.im[out.index(s, t, j)] = rounded(p, i[t * d + j]);
      }
  }
  return out;
}

Dataset generate_dataset(const Config& c, int m, std::uint64_t stream, DataLayout layout) {
  const Precision p = c.precision;
  Dataset ds(m, c.T, c.d, layout, p);
  std::vector<double> lr(c.d), li(c.d), xr(c.d), xi(c.d);
  std::vector<cplx> x1(c.d);
  for (int s = 0; s < m; ++s) {
    Rng rng(c.seed, stream, static_cast<std::uint64_t>(s));
    for (int j = 0; j < c.d; ++j) rng.unit_phase(lr[j], li[j]);  // W = diag(lambda), lambda_j = e^{i theta_j}
    sample_x1(c.x1, c.scale, c.d, rng, x1.data(), c.magnitude);
    for (int j = 0; j < c.d; ++j) {
      xr[j] = rounded(p, x1[j].real());
      xi[j] = rounded(p, x1[j].imag());
      lr[j] = rounded(p, lr[j]);
      li[j] = rounded(p, li[j]);
    }
    if (ds.regenerated) {
      for (int j = 0; j < c.d; ++j) {
        const std::size_t k = ds.index1(s, j);
        ds.x1_re[k] = xr[j];
        ds.x1_im[k] = xi[j];
        ds.lam_re[k] = lr[j];
        ds.lam_im[k] = li[j];
      }
      continue;
    }
    for (int t = 0; t < c.T; ++t) {
      for (int j = 0; j < c.d; ++j) {
        ds.re[ds.index(s, t, j)] = xr[j];
        ds.im[ds.index(s, t, j)] = xi[j];
        advance(p, xr[j], xi[j], lr[j], li[j]);  // x_{t+1} = lambda x_t
      }
    }
  }
  return ds;
}

void split_dataset(const Dataset& all, double fraction, std::uint64_t seed, Dataset* train, Dataset* test) {
  const long n_test = std::clamp<long>(std::lround(fraction * all.m), 1, all.m - 1);
  std::vector<int> order(static_cast<std::size_t>(all.m));
  for (int s = 0; s < all.m; ++s) order[s] = s;
  Rng rng(seed, kSplitStream, 0);
  for (long k = 0; k < n_test; ++k) {  // the first n_test places of a Fisher-Yates shuffle
    const long pick = k + static_cast<long>(rng.below(static_cast<std::uint64_t>(all.m - k)));
    std::swap(order[k], order[pick]);
  }
  std::vector<bool> held(static_cast<std::size_t>(all.m), false);
  for (long k = 0; k < n_test; ++k) held[order[k]] = true;
  *test = Dataset(static_cast<int>(n_test), all.T, all.d, DataLayout::Tokens, all.precision);
  *train = Dataset(all.m - static_cast<int>(n_test), all.T, all.d, DataLayout::Tokens, all.precision);
  std::vector<double> re(static_cast<std::size_t>(all.T) * all.d), im(re.size());
  int to_train = 0, to_test = 0;
  for (int s = 0; s < all.m; ++s) {
    all.sequence(s, re.data(), im.data());
    Dataset& out = held[s] ? *test : *train;
    const int i = held[s] ? to_test++ : to_train++;
    for (int t = 0; t < all.T; ++t)
      for (int j = 0; j < all.d; ++j) out.set(i, t, j, {re[t * all.d + j], im[t * all.d + j]});
  }
}

const std::vector<std::string>& data_fields() {
  static const std::vector<std::string> names = {"d", "T", "m", "test-m", "x1", "scale", "magnitude", "precision", "seed"};
  return names;
}

const std::vector<std::string>& file_fields() {
  static const std::vector<std::string> names = {"d", "T", "m", "test-m", "x1", "scale", "magnitude"};
  return names;
}

}  // namespace mesaflow
