// K-step gradient descent comparators of the mesa view (gd_steps.hpp, core/THEORY.md §13).
#include "mesaflow/gd_steps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "mesaflow/rng.hpp"  // portable_log: the same bits natively and in WebAssembly
#include "scalar_loops.hpp"

namespace mesaflow {

namespace {

using scalar::C;
using scalar::cmac;
using scalar::cmac_conj;
using scalar::scale;

constexpr int K4 = kGdSteps;

// alpha_k of y_K = sum_{k<K} alpha_k eta^{k+1} v_k: (-1)^k binom(K, k+1).
double alpha(int K, int k) {
  double b = 1;  // binom(K, k+1)
  for (int i = 0; i <= k; ++i) b = b * (K - i) / (i + 1);
  return k % 2 ? -b : b;
}

// Horner: sum_n c[n] x^n, n = 0..deg.
double horner(const double* c, int deg, double x) {
  double s = c[deg];
  for (int n = deg - 1; n >= 0; --n) s = s * x + c[n];
  return s;
}

// The real roots (where the sign changes) of q of degree deg in 1..2 kGdSteps - 1 (q[deg] != 0),
// ascending, into roots; returns their number. The derivative cascade: every root of q, and by
// Gauss-Lucas of its derivatives, lies in |x| <= B (Cauchy: B = 1 + max |q_n / q_deg|; 2 + for the
// bracket's ends to be no root). The roots of q' cut [-B, B] into intervals on which q is
// monotone: each with a sign change holds one root, bisected until the midpoint is an end
// (adjacent doubles) or 200 halvings.
int real_roots(const double* q, int deg, double* roots) {
  if (deg == 1) {
    roots[0] = -q[0] / q[1];
    return 1;
  }
  double B = 0, dq[2 * K4], ends[2 * K4 + 1];
  for (int n = 0; n < deg; ++n) B = std::max(B, std::fabs(q[n] / q[deg]));
  B += 2;
  for (int n = 0; n < deg; ++n) dq[n] = (n + 1) * q[n + 1];
  const int cuts = real_roots(dq, deg - 1, ends + 1);
  int m = 0;  // ends: -B, the cuts inside, B
  ends[m++] = -B;
  for (int i = 1; i <= cuts; ++i)
    if (ends[i] > -B && ends[i] < B) ends[m++] = ends[i];
  ends[m++] = B;
  int found = 0;
  for (int i = 0; i + 1 < m; ++i) {
    double lo = ends[i], hi = ends[i + 1], flo = horner(q, deg, lo);
    const double fhi = horner(q, deg, hi);
    if (flo == 0) {
      if (found == 0 || roots[found - 1] != lo) roots[found++] = lo;
      continue;
    }
    if ((flo < 0) == (fhi < 0) || fhi == 0) continue;  // no change inside (a root at hi: the next interval's lo)
    for (int it = 0; it < 200; ++it) {
      const double mid = 0.5 * (lo + hi);
      if (!(mid > lo && mid < hi)) break;
      const double f = horner(q, deg, mid);
      if (f == 0) {
        lo = hi = mid;
        break;
      }
      if ((f < 0) == (flo < 0)) lo = mid, flo = f;
      else hi = mid;
    }
    roots[found++] = 0.5 * (lo + hi);
  }
  return found;
}

// The error polynomial's coefficients c[0..2K] in eta from the sums (M row-major kGdSteps wide).
void error_coefficients(int K, const double* M, const double* b, double xx, double* c) {
  for (int n = 0; n <= 2 * K; ++n) c[n] = 0;
  c[0] = xx;
  for (int k = 0; k < K; ++k) {
    c[k + 1] -= 2 * alpha(K, k) * b[k];
    for (int l = 0; l < K; ++l) c[k + l + 2] += alpha(K, k) * alpha(K, l) * M[k * K4 + l];
  }
}

// Re<u, w> summed into acc: u, w of d entries.
inline void add_re_dot(double& acc, const C* u, const C* w, int d) {
  for (int j = 0; j < d; ++j) acc += u[j].real() * w[j].real() + u[j].imag() * w[j].imag();
}

}  // namespace

double gd_error_polynomial(int K, const double* M, const double* b, double xx, double eta) {
  double c[2 * K4 + 1];
  error_coefficients(K, M, b, xx, c);
  return horner(c, 2 * K, eta);
}

double gd_best_eta(int K, const double* M, const double* b, double xx) {
  // K = 1: the least-squares step (mesa.hpp's gd_best); 0 when every v_0 is 0 (every step predicts 0).
  const double eta1 = M[0] > 0 ? b[0] / M[0] : 0.0;
  if (K == 1) return eta1;
  // In units of s = |eta1| (the scale of the steps; 1 if it is 0): E(s tau), coefficients c_n s^n.
  const double s = eta1 != 0 && std::isfinite(eta1) ? std::fabs(eta1) : 1.0;
  double c[2 * K4 + 1];
  error_coefficients(K, M, b, xx, c);
  double p = 1;
  for (int n = 0; n <= 2 * K; ++n, p *= s) c[n] *= p;
  // E' (degree 2K - 1), its exact zeros on top dropped (v_k = 0 for k >= some K' < K).
  double q[2 * K4];
  int deg = 2 * K - 1;
  for (int n = 0; n <= deg; ++n) q[n] = (n + 1) * c[n + 1];
  while (deg > 0 && q[deg] == 0) --deg;
  if (deg < 1) return 0.0;
  double roots[2 * K4];
  const int found = real_roots(q, deg, roots);
  // The stationary point of least error (the global minimum: E >= 0 has even degree and a
  // positive leading coefficient); the first on ties.
  double best = std::numeric_limits<double>::infinity(), tau = 0;
  for (int i = 0; i < found; ++i) {
    const double e = horner(c, 2 * K, roots[i]);
    if (e < best) best = e, tau = roots[i];
  }
  return s * tau;
}

namespace {

// y = A w / rho (A d x d row-major; 1/rho given), and A += a b^H.
MESAFLOW_SCALAR_LOOPS void mat_vec(const C* A, const C* w, C* y, int d, double inv) {
  for (int a = 0; a < d; ++a) {
    C s(0.0, 0.0);
    for (int b = 0; b < d; ++b) cmac(s, A[a * d + b], w[b]);
    y[a] = scale(s, inv);
  }
}
MESAFLOW_SCALAR_LOOPS void outer_add(C* A, const C* u, const C* w, int d) {
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < d; ++b) cmac_conj(A[a * d + b], u[a], w[b]);
}

}  // namespace

MESAFLOW_SCALAR_LOOPS void gd_power_vectors(const double* re, const double* im, int T, int d, bool causal,
                                            std::vector<C>& v) {
  const int P = T - 2;  // positions t0 = 1..T-2
  const std::size_t dd = static_cast<std::size_t>(d);
  v.assign(static_cast<std::size_t>(P) * K4 * dd, C());
  std::vector<C> X(static_cast<std::size_t>(T) * dd), A(dd * dd), G(dd * dd), w(dd), w2(dd), s, next;
  for (std::size_t i = 0; i < X.size(); ++i) X[i] = {re[i], im[i]};
  const auto x = [&](int t0) { return X.data() + t0 * dd; };
  const auto at = [&](int t0, int k) { return v.data() + (static_cast<std::size_t>(t0 - 1) * K4 + k) * dd; };
  if (!causal) {
    // C_t = sum_{i<=t} x_i x_{i-1}^H (in A), G_t = sum x_{i-1} x_{i-1}^H; v_k = C (G / rho)^k x_t / rho.
    for (int t0 = 1; t0 <= P; ++t0) {
      outer_add(A.data(), x(t0), x(t0 - 1), d);
      outer_add(G.data(), x(t0 - 1), x(t0 - 1), d);
      const double inv = 1.0 / t0;
      std::copy(x(t0), x(t0) + d, w.begin());
      for (int k = 0; k < K4; ++k) {
        mat_vec(A.data(), w.data(), at(t0, k), d, inv);
        if (k + 1 == K4) break;
        mat_vec(G.data(), w.data(), w2.data(), d, inv);
        std::swap(w, w2);
      }
    }
    return;
  }
  // Causal: s^(0)_i = x_i; per power k a scan with A_i = sum_{i'<=i} s^(k)_{i'} x_{i'-1}^H:
  // v_k(t) = A_t x_t / rho_t, s^(k+1)_i = A_i x_{i-1} / rho_i.
  s.assign(x(1), x(1) + static_cast<std::size_t>(P) * dd);
  next.resize(s.size());
  for (int k = 0; k < K4; ++k) {
    std::fill(A.begin(), A.end(), C());
    for (int t0 = 1; t0 <= P; ++t0) {
      outer_add(A.data(), s.data() + (t0 - 1) * dd, x(t0 - 1), d);
      const double inv = 1.0 / t0;
      mat_vec(A.data(), x(t0), at(t0, k), d, inv);
      if (k + 1 < K4) mat_vec(A.data(), x(t0 - 1), next.data() + (t0 - 1) * dd, d, inv);
    }
    std::swap(s, next);
  }
}

MESAFLOW_SCALAR_LOOPS GdSteps gd_steps(const Dataset& ds, int nseq) {
  const int d = ds.d, T = ds.T, n = std::min(nseq, ds.m), P = T - 2;
  std::vector<double> re(static_cast<std::size_t>(T) * d), im(re.size());
  std::vector<C> v;
  // The sums of the last position (t0 = T-2, target x_T) per variant, and y_K = sum_k beta_k v_k.
  double M[2][K4 * K4] = {}, b[2][K4] = {}, xx = 0, beta[2][K4][K4] = {};
  GdSteps out;
  // Pass 0: the sums at the last position; pass 1: every position's error with the chosen steps.
  for (int pass = 0; pass < 2; ++pass) {
    for (int q = 0; q < n; ++q) {
      ds.sequence(q, re.data(), im.data());
      const auto target = [&](int t0, int j) { return C(re[(t0 + 1) * d + j], im[(t0 + 1) * d + j]); };
      for (int j = 0; j < d && pass == 0; ++j) {
        const C x = target(P, j);
        xx += x.real() * x.real() + x.imag() * x.imag();
      }
      for (int c = 0; c < 2; ++c) {
        gd_power_vectors(re.data(), im.data(), T, d, c == 1, v);
        if (pass == 0) {
          const C* last = v.data() + static_cast<std::size_t>(P - 1) * K4 * d;
          for (int k = 0; k < K4; ++k) {
            for (int l = k; l < K4; ++l) add_re_dot(M[c][k * K4 + l], last + k * d, last + l * d, d);
            for (int j = 0; j < d; ++j) {
              const C x = target(P, j);
              b[c][k] += last[k * d + j].real() * x.real() + last[k * d + j].imag() * x.imag();
            }
          }
          continue;
        }
        std::vector<GdStep>& steps = c == 0 ? out.plain : out.causal;
        for (int t0 = 1; t0 <= P; ++t0) {
          const C* vt = v.data() + static_cast<std::size_t>(t0 - 1) * K4 * d;
          for (int K = 1; K <= K4; ++K) {
            const double* bk = beta[c][K - 1];
            double e = 0;
            for (int j = 0; j < d; ++j) {
              C y = scale(vt[j], bk[0]);
              for (int k = 1; k < K; ++k) {
                const C s = scale(vt[k * d + j], bk[k]);
                y = {y.real() + s.real(), y.imag() + s.imag()};
              }
              const C r = y - target(t0, j);
              e += r.real() * r.real() + r.imag() * r.imag();
            }
            steps[K - 1].error[t0 - 1] += e;
          }
        }
      }
    }
    if (pass == 1) break;
    // The steps (M mirrored: only k <= l was summed), and beta = alpha eta^{k+1}.
    out.zero_last = xx / std::max(1, n);
    for (int c = 0; c < 2; ++c) {
      for (int k = 0; k < K4; ++k)
        for (int l = 0; l < k; ++l) M[c][k * K4 + l] = M[c][l * K4 + k];
      for (int K = 1; K <= K4; ++K) {
        GdStep st;
        st.k = K;
        st.eta = gd_best_eta(K, M[c], b[c], xx);
        st.error.assign(static_cast<std::size_t>(P), 0.0);
        double p = st.eta;
        for (int k = 0; k < K; ++k, p *= st.eta) beta[c][K - 1][k] = alpha(K, k) * p;
        (c == 0 ? out.plain : out.causal).push_back(std::move(st));
      }
    }
  }
  for (auto* steps : {&out.plain, &out.causal})
    for (GdStep& st : *steps)
      for (double& e : st.error) e /= std::max(1, n);
  return out;
}

GdWorth gd_worth(double model_last, double zero_last, const std::vector<double>& last_errors) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (!std::isfinite(model_last)) return {nan, "the model's last-position error is not a finite number"};
  if (model_last > zero_last)
    return {nan, "the model's last-position error is above that of W = 0 (predicting 0): worse than 0 steps of "
                 "gradient descent"};
  // e_0 = zero_last, e_K = last_errors[K - 1]: the smallest K with e_K <= the model's.
  double prev = zero_last;
  for (std::size_t K = 0; K <= last_errors.size(); ++K) {
    const double e = K == 0 ? zero_last : last_errors[K - 1];
    if (e <= model_last) {
      if (K == 0 || model_last == e) return {static_cast<double>(K), ""};
      // prev > model_last > e >= 0 here; log-linear, or linear in the error when e is exactly 0.
      const double f = e > 0 ? (portable_log(prev) - portable_log(model_last)) / (portable_log(prev) - portable_log(e))
                             : 1 - model_last / prev;
      return {K - 1 + f, ""};
    }
    prev = e;
  }
  return {nan, "the model's last-position error is below that of the best 4-step gradient descent: better than 4 "
               "steps"};
}

double gd_steps_flops(int d, int T, double nseq) {
  // Per sequence, P = T - 2 positions, cmac = 8 flops (gd_steps.cpp's loops):
  //   power vectors, non-causal, per position: C and G += (2 d^2 cmac), 4 v_k = C w and 3 w = G w
  //     (7 d^2 cmac), each scaled by 1/rho (7 x 2d), 1/rho (1): 72 d^2 + 14 d + 1;
  //   causal, per position and power k = 0..3: A += s x^H and v_k = A x (2 d^2 cmac), v_k / rho
  //     (2d), 1/rho (1); for k < 3 s' = A x_{i-1} / rho (d^2 cmac + 2d): 88 d^2 + 14 d + 4;
  //   both twice (the sums' pass and the errors' pass);
  //   the sums at the last position: ||x_T||^2 (4d), per variant 10 Re<v_k, v_l> and 4 Re<v_k, x>
  //     (4d each): 116 d;
  //   the errors, per position, variant and K: y = sum_k beta_k v_k ((4K - 2) d), r = y - x (2d),
  //     |r|^2 summed (4d), into the curve (1): for K = 1..4 and two variants 112 d + 8.
  // Not counted: the step search (O(K^2) once per view) and the final 1/n (8 (T - 2) divisions).
  const double D = d, P = T - 2.0;
  const double per_seq = P * (2 * (160 * D * D + 28 * D + 5) + 112 * D + 8) + 116 * D;
  return nseq * per_seq;
}

}  // namespace mesaflow
