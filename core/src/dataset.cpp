#include "mesaflow/dataset.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "mesaflow/families.hpp"
#include "mesaflow/process.hpp"

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

namespace {

// x <- W x (+ noise) for a full (d, d) row-major W: real arithmetic on separate arrays in a fixed
// order, in S (float in single: operands, products and sums; see advance()).
template <class S>
void step_matrix(int d, const double* wr, const double* wi, double* xr, double* xi, double* tr, double* ti) {
  for (int j = 0; j < d; ++j) {
    S sr = 0, si = 0;
    for (int k = 0; k < d; ++k) {
      const S a = static_cast<S>(wr[j * d + k]), b = static_cast<S>(wi[j * d + k]);
      const S u = static_cast<S>(xr[k]), v = static_cast<S>(xi[k]);
      const S pr = a * u - b * v;
      const S pi = a * v + b * u;
      sr = sr + pr;
      si = si + pi;
    }
    tr[j] = sr;
    ti[j] = si;
  }
  for (int j = 0; j < d; ++j) xr[j] = tr[j], xi[j] = ti[j];
}
template <class S>
inline void add_noise(double& x, double e) {
  const S s = static_cast<S>(x) + static_cast<S>(e);
  x = s;
}

// The sequences of a process with a full W or with noise (process.hpp), as tokens: per sequence W
// (drawn first; process fixed: the same for all), x_1, then the noise of each step.
void generate_tokens(const Config& c, int m, std::uint64_t stream, Dataset& ds) {
  const Precision p = c.precision;
  const int d = c.d;
  const std::size_t dd = static_cast<std::size_t>(d) * d;
  std::vector<double> wr(dd), wi(dd), fr, fi, xr(d), xi(d), tr(d), ti(d);
  std::vector<cplx> x1(d);
  if (c.process == Process::Fixed) process_fixed_w(c, &fr, &fi);
  const bool real = real_noise(c);
  const double sd = real ? c.noise : c.noise * std::sqrt(0.5);  // per real part: E|eps_j|^2 = 1 either way
  for (int s = 0; s < m; ++s) {
    Rng rng(c.seed, stream, static_cast<std::uint64_t>(s));
    if (c.process == Process::Fixed) wr = fr, wi = fi;
    else draw_w(c, rng, wr.data(), wi.data());
    for (std::size_t k = 0; k < dd; ++k) {
      wr[k] = rounded(p, c.radius * wr[k]);
      wi[k] = rounded(p, c.radius * wi[k]);
    }
    sample_x1(c.x1, c.scale, d, rng, x1.data(), c.magnitude);
    for (int j = 0; j < d; ++j) {
      xr[j] = rounded(p, x1[j].real());
      xi[j] = rounded(p, x1[j].imag());
    }
    for (int t = 0; t < c.T; ++t) {
      for (int j = 0; j < d; ++j) {
        ds.re[ds.index(s, t, j)] = xr[j];
        ds.im[ds.index(s, t, j)] = xi[j];
      }
      if (t + 1 == c.T) break;
      if (p == Precision::Single) step_matrix<float>(d, wr.data(), wi.data(), xr.data(), xi.data(), tr.data(), ti.data());
      else step_matrix<double>(d, wr.data(), wi.data(), xr.data(), xi.data(), tr.data(), ti.data());
      if (c.noise == 0) continue;
      for (int j = 0; j < d; ++j) {  // x_{t+1} += sigma_eps eps_t
        const double er = rounded(p, sd * rng.normal()), ei = real ? 0.0 : rounded(p, sd * rng.normal());
        if (p == Precision::Single) add_noise<float>(xr[j], er), add_noise<float>(xi[j], ei);
        else add_noise<double>(xr[j], er), add_noise<double>(xi[j], ei);
      }
    }
  }
}

}  // namespace

DataLayout layout_for(const Config& c, DataLayout layout) { return regenerable(c) ? layout : DataLayout::Tokens; }

Dataset generate_dataset(const Config& c, int m, std::uint64_t stream, DataLayout layout) {
  const Precision p = c.precision;
  Dataset ds(m, c.T, c.d, layout_for(c, layout), p);
  if (!regenerable(c)) {
    generate_tokens(c, m, stream, ds);
    return ds;
  }
  std::vector<double> lr(c.d), li(c.d), xr(c.d), xi(c.d);
  std::vector<cplx> x1(c.d);
  for (int s = 0; s < m; ++s) {
    Rng rng(c.seed, stream, static_cast<std::uint64_t>(s));
    for (int j = 0; j < c.d; ++j) rng.unit_phase(lr[j], li[j]);  // W = diag(lambda), lambda_j = e^{i theta_j}
    sample_x1(c.x1, c.scale, c.d, rng, x1.data(), c.magnitude);
    for (int j = 0; j < c.d; ++j) {
      xr[j] = rounded(p, x1[j].real());
      xi[j] = rounded(p, x1[j].imag());
      lr[j] = rounded(p, c.radius * lr[j]);  // radius 1: lambda exactly as drawn
      li[j] = rounded(p, c.radius * li[j]);
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
  static const std::vector<std::string> names = {"d",         "T",       "m",      "test-m", "x1",        "scale",
                                                  "magnitude", "process", "radius", "noise",  "precision", "seed"};
  return names;
}

const std::vector<std::string>& file_fields() {
  static const std::vector<std::string> names = {"d", "T", "m", "test-m", "x1", "scale", "magnitude", "process", "radius", "noise"};
  return names;
}

}  // namespace mesaflow
