// The kernel-smoother comparator (smoother.hpp; core/THEORY.md §14).
#include "mesaflow/smoother.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "mesaflow/models/exp.hpp"

namespace mesaflow {

void model_scores(const Eigen::MatrixXcd& wkq, const double* re, const double* im, int d, int t0, double* s) {
  const int D = 2 * d;
  // Entry k of e_i: x_i's for k < d, x_{i-1}'s below (x_{-1} = 0).
  const auto e_re = [&](int i, int k) { return k < d ? re[i * d + k] : (i > 0 ? re[(i - 1) * d + k - d] : 0.0); };
  const auto e_im = [&](int i, int k) { return k < d ? im[i * d + k] : (i > 0 ? im[(i - 1) * d + k - d] : 0.0); };
  std::vector<double> q_re(D), q_im(D);  // q = W_KQ e_{t0} (D)
  for (int a = 0; a < D; ++a) {
    double qr = 0, qi = 0;
    for (int b = 0; b < D; ++b) {
      const double wr = wkq(a, b).real(), wi = wkq(a, b).imag(), er = e_re(t0, b), ei = e_im(t0, b);
      qr += wr * er - wi * ei;
      qi += wr * ei + wi * er;
    }
    q_re[a] = qr;
    q_im[a] = qi;
  }
  for (int i = 0; i <= t0; ++i) {  // Re(e_i^H q) = sum_k Re(conj(e_ik) q_k)
    double v = 0;
    for (int k = 0; k < D; ++k) v += e_re(i, k) * q_re[k] + e_im(i, k) * q_im[k];
    s[i] = v;
  }
}

void softmax_average(const double* s, int first, int last, double tau, const double* v_re, const double* v_im, int d,
                     double* w, double* y_re, double* y_im) {
  double top = -std::numeric_limits<double>::infinity();
  for (int i = first; i <= last; ++i) top = std::max(top, s[i] / tau);
  double z = 0;
  for (int i = first; i <= last; ++i) {
    w[i] = portable_exp(s[i] / tau - top);  // every exponent <= 0; the largest weight is exp(0) = 1
    z += w[i];
  }
  const double inv_z = 1.0 / z;
  for (int i = first; i <= last; ++i) w[i] *= inv_z;
  for (int j = 0; j < d; ++j) y_re[j] = y_im[j] = 0;
  for (int i = first; i <= last; ++i)
    for (int j = 0; j < d; ++j) {
      y_re[j] += w[i] * v_re[i * d + j];
      y_im[j] += w[i] * v_im[i * d + j];
    }
}

Minimum1D minimize_1d(Objective1D f, const void* ctx, double lo, double hi, int grid, double tol) {
  if (!(grid >= 2) || !(lo < hi) || !(tol > 0)) throw std::invalid_argument("minimize_1d: needs grid >= 2, lo < hi, tol > 0");
  Minimum1D best;
  best.x = lo;
  best.f = std::numeric_limits<double>::infinity();
  const auto eval = [&](double x) {
    const double v = f(ctx, x);
    ++best.evaluations;
    if (v < best.f) {
      best.f = v;
      best.x = x;
    }
    return v;
  };
  const auto point = [&](int g) { return g == grid - 1 ? hi : lo + (hi - lo) * g / (grid - 1); };
  int k = 0;
  double fk = std::numeric_limits<double>::infinity();
  for (int g = 0; g < grid; ++g)
    if (const double v = eval(point(g)); v < fk) {
      fk = v;
      k = g;
    }
  // Golden section on [a, b]: c < e the two inner points, the interval shrinking by 0.618 a step.
  const double r = 0.6180339887498949;  // (sqrt(5) - 1) / 2
  double a = point(std::max(0, k - 1)), b = point(std::min(grid - 1, k + 1));
  double c = b - r * (b - a), e = a + r * (b - a);
  double fc = eval(c), fe = eval(e);
  while (b - a > tol) {
    if (fc < fe) {  // the minimum is in [a, e]
      b = e;
      e = c;
      fe = fc;
      c = b - r * (b - a);
      fc = eval(c);
    } else {  // in [c, b]
      a = c;
      c = e;
      fc = fe;
      e = a + r * (b - a);
      fe = eval(e);
    }
  }
  return best;
}

double smoother_flops(int d, int T, double nseq) {
  const double D = 2.0 * d, p = T - 2.0, P = (T - 2.0) * (T - 1.0) / 2, pair = 36 + 4.0 * d;
  const double curve = p * 8 * D * D + 4 * D * (P + p) + P * pair + p * 4 * d;
  const double search = 8 * D * D + 4 * D * (T - 1.0) + 48 * ((T - 2.0) * pair + 4 * d);
  return nseq * (curve + search);
}

void to_json(Json& j, const Smoother& s) {
  j = {{"temperature", number(s.temperature)},
       {"error", numbers(s.error)},
       {"bracket", {number(kSmootherTauLo), number(kSmootherTauHi)}}};
}

namespace {

// ||y - x_{t0+1}||^2 for the prediction y (d) at 0-based position t0.
double squared_error(const double* y_re, const double* y_im, const double* re, const double* im, int d, int t0) {
  double e = 0;
  for (int j = 0; j < d; ++j) {
    const double dr = y_re[j] - re[(t0 + 1) * d + j], di = y_im[j] - im[(t0 + 1) * d + j];
    e += dr * dr + di * di;
  }
  return e;
}

// One thread's buffers: a sequence's tokens (T, d), a row of scores and weights (T), a prediction (d).
struct Buffers {
  std::vector<double> re, im, s, w, y_re, y_im;
  Buffers(int T, int d) : re(static_cast<std::size_t>(T) * d), im(re.size()), s(T), w(T), y_re(d), y_im(d) {}
};

// The mean last-position error at tau of the first n sequences, from their last-position scores
// (n rows of T - 1). The pairs are i = 2..t (0-based 1..t0) and the values the tokens themselves.
double last_error(const std::vector<double>& scores, const Dataset& ds, int n, double tau, Buffers& b) {
  const int T = ds.T, d = ds.d, t0 = T - 2;
  double sum = 0;
  for (int q = 0; q < n; ++q) {
    ds.sequence(q, b.re.data(), b.im.data());
    softmax_average(scores.data() + static_cast<std::size_t>(q) * (T - 1), 1, t0, tau, b.re.data(), b.im.data(), d,
                    b.w.data(), b.y_re.data(), b.y_im.data());
    sum += squared_error(b.y_re.data(), b.y_im.data(), b.re.data(), b.im.data(), d, t0);
  }
  return sum / std::max(1, n);
}

std::vector<double> last_scores(const Eigen::MatrixXcd& wkq, const Dataset& ds, int n, Buffers& b) {
  const int T = ds.T, d = ds.d;
  std::vector<double> scores(static_cast<std::size_t>(n) * (T - 1));
  for (int q = 0; q < n; ++q) {
    ds.sequence(q, b.re.data(), b.im.data());
    model_scores(wkq, b.re.data(), b.im.data(), d, T - 2, scores.data() + static_cast<std::size_t>(q) * (T - 1));
  }
  return scores;
}

void check(const Eigen::MatrixXcd& wkq, const Dataset& ds) {
  if (ds.T < 3) throw std::invalid_argument("kernel smoother: needs T >= 3 (a context pair and a target)");
  if (wkq.rows() != 2 * ds.d || wkq.cols() != 2 * ds.d) throw std::invalid_argument("kernel smoother: W_KQ must be 2d x 2d");
}

}  // namespace

double smoother_last_error(const Eigen::MatrixXcd& wkq, const Dataset& ds, int nseq, double tau) {
  check(wkq, ds);
  const int n = std::min(nseq, ds.m);
  Buffers b(ds.T, ds.d);
  return last_error(last_scores(wkq, ds, n, b), ds, n, tau, b);
}

Smoother kernel_smoother(const Eigen::MatrixXcd& wkq, const Dataset& ds, int nseq) {
  check(wkq, ds);
  const int T = ds.T, d = ds.d, n = std::min(nseq, ds.m);
  Buffers b(T, d);
  // The last position's scores do not depend on tau: computed once for the search.
  const std::vector<double> scores = last_scores(wkq, ds, n, b);
  // exp and the bracket's logarithms the same on every platform (models/exp.hpp; the constants).
  struct Search {
    const std::vector<double>& scores;
    const Dataset& ds;
    int n;
    Buffers& b;
  } search{scores, ds, n, b};
  const Objective1D f = [](const void* ctx, double x) {
    const Search& s = *static_cast<const Search*>(ctx);
    return last_error(s.scores, s.ds, s.n, portable_exp(x), s.b);
  };
  const Minimum1D m = minimize_1d(f, &search, kSmootherLogTauLo, kSmootherLogTauHi, kSmootherGrid, kSmootherLogTol);
  Smoother out;
  out.nseq = n;
  out.temperature = portable_exp(m.x);
  for (int t = 2; t <= T - 1; ++t) out.t.push_back(t);
  out.error.assign(out.t.size(), 0.0);
  for (int q = 0; q < n; ++q) {
    ds.sequence(q, b.re.data(), b.im.data());
    for (int t0 = 1; t0 + 1 < T; ++t0) {
      model_scores(wkq, b.re.data(), b.im.data(), d, t0, b.s.data());
      softmax_average(b.s.data(), 1, t0, out.temperature, b.re.data(), b.im.data(), d, b.w.data(), b.y_re.data(),
                      b.y_im.data());
      out.error[t0 - 1] += squared_error(b.y_re.data(), b.y_im.data(), b.re.data(), b.im.data(), d, t0);
    }
  }
  for (double& e : out.error) e /= std::max(1, n);
  return out;
}

}  // namespace mesaflow
