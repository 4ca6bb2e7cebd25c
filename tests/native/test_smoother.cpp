// The kernel-smoother comparator of the softmax model (smoother.hpp, core/THEORY.md §14) against
// truths it does not compute itself: the formula evaluated naively with Eigen (E_t rebuilt at
// every t, exp without the shift), hand-built sequences with known answers (a one-hot limit, a
// temperature that makes the prediction exact), the softmax model's own kernel (values W_PV e_i,
// tau = 1), a search checked as a minimum against a fine grid, and a 1-D minimiser on known
// functions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "mesaflow/baselines.hpp"
#include "mesaflow/reference.hpp"
#include "mesaflow/smoother.hpp"
#include "support.hpp"

namespace mesaflow {
namespace {

// The comparator's formula literally, 1-based as in smoother.hpp: E_t = [e_1 .. e_t],
// s = Re(E_t^H W_KQ e_t), w_i = exp(s_i / tau) / sum_{j=2}^t exp(s_j / tau) (no shift),
// y_t = sum_{i=2}^t w_i x_i. Returns y_t for t = 2..T-1 in column t - 1 of a (d, T) matrix. With
// shift, the exponents are s_i / tau - max_j s_j / tau (for temperatures at which exp(s / tau)
// overflows; the weights are the same numbers).
Eigen::MatrixXcd naive_smoother(const Eigen::MatrixXcd& wkq, const Eigen::MatrixXcd& x, double tau, bool shift = false) {
  const int d = static_cast<int>(x.rows()), T = static_cast<int>(x.cols());
  Eigen::MatrixXcd y = Eigen::MatrixXcd::Zero(d, T);
  for (int t = 2; t <= T - 1; ++t) {
    Eigen::MatrixXcd E = Eigen::MatrixXcd::Zero(2 * d, t);
    for (int i = 1; i <= t; ++i) {
      E.col(i - 1).head(d) = x.col(i - 1);
      if (i >= 2) E.col(i - 1).tail(d) = x.col(i - 2);
    }
    const Eigen::VectorXd s = (E.adjoint() * wkq * E.col(t - 1)).real();
    const double top = shift ? s.tail(t - 1).maxCoeff() / tau : 0.0;
    double z = 0;
    for (int i = 2; i <= t; ++i) z += std::exp(s[i - 1] / tau - top);
    for (int i = 2; i <= t; ++i) y.col(t - 1) += std::exp(s[i - 1] / tau - top) / z * x.col(i - 1);
  }
  return y;
}

// Mean over the first n sequences of ||y_t - x_{t+1}||^2, per t = 2..T-1 (index t - 2).
std::vector<double> naive_curve(const Eigen::MatrixXcd& wkq, const Dataset& ds, int n, double tau, bool shift = false) {
  std::vector<double> e(static_cast<std::size_t>(ds.T - 2), 0.0);
  for (int q = 0; q < n; ++q) {
    const Eigen::MatrixXcd x = sequence_tokens(ds, q);
    const Eigen::MatrixXcd y = naive_smoother(wkq, x, tau, shift);
    for (int t = 2; t <= ds.T - 1; ++t) e[t - 2] += (y.col(t - 1) - x.col(t)).squaredNorm() / n;
  }
  return e;
}

// A data set of one real sequence x_1..x_T (d = 1) given by hand.
Dataset hand_set(const std::vector<double>& x) {
  Dataset ds(1, static_cast<int>(x.size()), 1);
  for (int t = 0; t < ds.T; ++t) {
    ds.re[ds.index(0, t, 0)] = x[t];
    ds.im[ds.index(0, t, 0)] = 0;
  }
  return ds;
}

// W_KQ = [[0, 0], [c, 0]] at d = 1: W_KQ e_t = (0 ; c x_t), so s_{t,i} = c Re(conj(x_{i-1}) x_t).
Eigen::MatrixXcd key_query(double c) {
  Eigen::MatrixXcd w = Eigen::MatrixXcd::Zero(2, 2);
  w(1, 0) = c;
  return w;
}

TEST(Smoother, MatchesTheNaiveFormula) {
  for (X1Family f : {X1Family::Gaussian, X1Family::Sparse, X1Family::FullOne}) {
    Config c = test::small_config(3, 11, 7);
    c.x1 = f;
    const Dataset ds = generate_dataset(c, c.m, kTestStream);
    const Eigen::MatrixXcd wkq = test::random_params(c.d, 11).wkq;
    for (double tau : {0.05, 0.7, 3.0, 40.0}) {
      // Position by position: the scores, then the prediction.
      std::vector<double> re(static_cast<std::size_t>(c.T) * c.d), im(re.size()), s(c.T), w(c.T), yr(c.d), yi(c.d);
      for (int q = 0; q < ds.m; ++q) {
        ds.sequence(q, re.data(), im.data());
        const Eigen::MatrixXcd x = sequence_tokens(ds, q);
        const Eigen::MatrixXcd want = naive_smoother(wkq, x, tau);
        for (int t0 = 1; t0 + 1 < c.T; ++t0) {
          model_scores(wkq, re.data(), im.data(), c.d, t0, s.data());
          softmax_average(s.data(), 1, t0, tau, re.data(), im.data(), c.d, w.data(), yr.data(), yi.data());
          for (int j = 0; j < c.d; ++j) {
            const std::complex<double> y(yr[j], yi[j]), y0 = want(j, t0);
            EXPECT_LE(std::abs(y - y0), 1e-12 * (1 + std::abs(y0))) << "t0 " << t0 << " tau " << tau;
          }
        }
      }
      // The last position's mean error.
      const std::vector<double> curve = naive_curve(wkq, ds, ds.m, tau);
      EXPECT_NEAR(smoother_last_error(wkq, ds, 100, tau), curve.back(), 1e-12 * curve.back());
    }
    // The whole curve at the temperature the search chose.
    const Smoother sm = kernel_smoother(wkq, ds, 5);
    EXPECT_EQ(sm.nseq, 5);
    const std::vector<double> curve = naive_curve(wkq, ds, 5, sm.temperature);
    ASSERT_EQ(sm.error.size(), curve.size());
    ASSERT_EQ(sm.t.size(), curve.size());
    for (std::size_t k = 0; k < curve.size(); ++k) {
      EXPECT_EQ(sm.t[k], k + 2.0);
      EXPECT_NEAR(sm.error[k], curve[k], 1e-12 * curve[k]) << k;
    }
    // The curve's last entry is the search's objective at tau*, bit for bit.
    EXPECT_EQ(sm.error.back(), smoother_last_error(wkq, ds, 5, sm.temperature));
  }
}

TEST(Smoother, HandBuiltSequencesGiveTheirKnownAnswers) {
  // x_1..x_4 = 1, 2, 3, 4; at t = 4 the pairs i = 2, 3, 4 have keys x_1, x_2, x_3 and values
  // x_2, x_3, x_4, and with c = 1 the scores c x_{i-1} x_4 = 4, 8, 12.
  const Eigen::MatrixXcd wkq = key_query(1.0);
  std::vector<double> re = {1, 2, 3, 4, 0}, im(5, 0.0), s(5), w(5), yr(1), yi(1);
  model_scores(wkq, re.data(), im.data(), 1, 3, s.data());
  EXPECT_EQ(s[0], 0.0);  // e_1 = (x_1 ; 0): its key x_0 is 0
  EXPECT_EQ(s[1], 4.0);
  EXPECT_EQ(s[2], 8.0);
  EXPECT_EQ(s[3], 12.0);
  // tau = 4 / ln 2: s / tau = ln 2 (1, 2, 3), weights (2, 4, 8) / 14, y = (2 2 + 3 4 + 4 8) / 14 = 24/7.
  const double tau = 4 / std::log(2.0);
  softmax_average(s.data(), 1, 3, tau, re.data(), im.data(), 1, w.data(), yr.data(), yi.data());
  EXPECT_NEAR(w[1], 2.0 / 14, 1e-15);
  EXPECT_NEAR(w[2], 4.0 / 14, 1e-15);
  EXPECT_NEAR(w[3], 8.0 / 14, 1e-15);
  EXPECT_NEAR(yr[0], 24.0 / 7, 1e-14);
  EXPECT_EQ(yi[0], 0.0);
  // Scores that put all weight on one pair: c = 1e4 at tau = 1 (exponents of 1e4 to 1.2e5, which
  // exp without the shift would overflow) gives the last pair's value x_4 exactly; tau huge the mean.
  std::vector<double> big(5);
  model_scores(key_query(1e4), re.data(), im.data(), 1, 3, big.data());
  softmax_average(big.data(), 1, 3, 1.0, re.data(), im.data(), 1, w.data(), yr.data(), yi.data());
  EXPECT_EQ(yr[0], 4.0);
  EXPECT_EQ(w[3], 1.0);
  EXPECT_EQ(w[1], 0.0);
  softmax_average(s.data(), 1, 3, 1e300, re.data(), im.data(), 1, w.data(), yr.data(), yi.data());
  EXPECT_NEAR(yr[0], 3.0, 1e-15);  // (2 + 3 + 4) / 3
  // A single pair (t = 2): its value whatever the score.
  softmax_average(s.data(), 1, 1, 1e-9, re.data(), im.data(), 1, w.data(), yr.data(), yi.data());
  EXPECT_EQ(yr[0], 2.0);

  // The search: with target x_5 = 24/7 the error (y(tau) - 24/7)^2 is 0 at tau = 4 / ln 2 and
  // nowhere else (y falls from 4 at tau -> 0 to 3 at tau -> infinity), so tau* is that one.
  {
    const Dataset ds = hand_set({1, 2, 3, 4, 24.0 / 7});
    const Smoother sm = kernel_smoother(wkq, ds, 1);
    EXPECT_NEAR(std::log(sm.temperature), std::log(tau), 2 * kSmootherLogTol) << sm.temperature;
    EXPECT_LT(sm.error.back(), 1e-9);
    // The earlier positions at tau*: t = 2 has one pair (y = x_2 = 2, target 3); t = 3 has keys
    // x_1, x_2 with scores 3, 6 (query x_3 = 3): y = (2 e^{3/tau} + 3 e^{6/tau}) / (e^{3/tau} + e^{6/tau}).
    EXPECT_EQ(sm.error[0], 1.0);
    const double a = std::exp(3 / tau), b = std::exp(6 / tau), y3 = (2 * a + 3 * b) / (a + b);
    EXPECT_NEAR(sm.error[1], (y3 - 4) * (y3 - 4), 1e-6);  // tau* within the search's tolerance of tau
  }
  // With target 4 the one-hot limit (tau -> 0) is exact: tau* where the weights are one-hot to
  // double precision (tau below ~4 / 37), error 0; with target 3 the mean (tau -> infinity).
  {
    const Smoother sm = kernel_smoother(wkq, hand_set({1, 2, 3, 4, 4}), 1);
    EXPECT_LT(sm.temperature, 0.11);
    EXPECT_EQ(sm.error.back(), 0.0);
  }
  {
    const Smoother sm = kernel_smoother(wkq, hand_set({1, 2, 3, 4, 3}), 1);
    EXPECT_GT(sm.temperature, 1e3);
    EXPECT_LT(sm.error.back(), 1e-6);
  }
}

TEST(Smoother, WithTheModelsValuesAtTemperatureOneItIsTheSoftmaxModel) {
  // sum_{i=1}^t softmax_i(s_{t,i}) W_PV e_i is the model's y_hat_t (core/THEORY.md §11): the last
  // position's error against the softmax kernel's own (a different code path).
  Config c = test::small_config(3, 12, 9);
  c.test_m = 9;
  c.attention = Attention::Softmax;
  const Dataset ds = generate_dataset(c, c.m, kTestStream);
  const Params p = test::random_params(c.d, 23);
  const Model& model = model_of(c);
  const double want = model.evaluate_test(attention_weights(p), ds, 1).last_mse;
  const int T = c.T, d = c.d, D = 2 * d, t0 = T - 2;
  std::vector<double> re(static_cast<std::size_t>(T) * d), im(re.size()), s(T), w(T), yr(d), yi(d);
  std::vector<double> v_re(static_cast<std::size_t>(T) * d), v_im(v_re.size());  // rows W_PV e_i
  double sum = 0;
  for (int q = 0; q < ds.m; ++q) {
    ds.sequence(q, re.data(), im.data());
    const Eigen::MatrixXcd x = sequence_tokens(ds, q);
    for (int i = 0; i <= t0; ++i) {
      Eigen::VectorXcd e = Eigen::VectorXcd::Zero(D);
      e.head(d) = x.col(i);
      if (i > 0) e.tail(d) = x.col(i - 1);
      const Eigen::VectorXcd v = p.wpv * e;
      for (int j = 0; j < d; ++j) {
        v_re[i * d + j] = v[j].real();
        v_im[i * d + j] = v[j].imag();
      }
    }
    model_scores(p.wkq, re.data(), im.data(), d, t0, s.data());
    softmax_average(s.data(), 0, t0, 1.0, v_re.data(), v_im.data(), d, w.data(), yr.data(), yi.data());
    for (int j = 0; j < d; ++j) sum += std::norm(std::complex<double>(yr[j], yi[j]) - x(j, t0 + 1));
  }
  EXPECT_NEAR(sum / (ds.m * d), want, 1e-12 * want);
}

TEST(Smoother, TheTemperatureIsAMinimumAgainstAFineGrid) {
  // A trained softmax model's own scores (a few epochs of GD from a gaussian initialisation).
  Config c = test::small_config(2, 14, 64);
  c.test_m = 40;
  c.attention = Attention::Softmax;
  c.init = Init::Gaussian;
  c.sigma_w = 0.3;
  c.lr = 0.05;
  c.epochs = 6;
  Session s(c);
  s.run(c.epochs);
  ASSERT_FALSE(s.diverged()) << test::message(s);
  const Eigen::MatrixXcd& wkq = s.params().blocks[0];
  for (X1Family f : {X1Family::Gaussian, X1Family::Sparse}) {
    Config tc = c;
    tc.x1 = f;
    const Dataset ds = generate_dataset(tc, tc.test_m, kTestStream);
    const Smoother sm = kernel_smoother(wkq, ds, 30);
    const auto naive_last = [&](double tau) {
      const double e = naive_curve(wkq, ds, 30, tau, true).back();
      EXPECT_TRUE(std::isfinite(e)) << tau;
      return e;
    };
    const double best = naive_last(sm.temperature);
    EXPECT_NEAR(sm.error.back(), best, 1e-12 * best);
    // 1201 points over the bracket (every 1/100 of a decade), the formula evaluated naively.
    double grid_min = std::numeric_limits<double>::infinity();
    for (int g = 0; g <= 1200; ++g) grid_min = std::min(grid_min, naive_last(std::pow(10.0, -6 + g / 100.0)));
    EXPECT_LE(best, grid_min * (1 + 1e-9)) << "tau* " << sm.temperature;
    // And a local minimum: no better two tolerances away on either side inside the bracket.
    for (double step : {-2 * kSmootherLogTol, 2 * kSmootherLogTol}) {
      const double tau = sm.temperature * std::exp(step);
      if (tau >= kSmootherTauLo && tau <= kSmootherTauHi) EXPECT_GE(naive_last(tau), best * (1 - 1e-9)) << tau;
    }
    std::printf("x1 %s: tau* %.6g, last-position error %.6g (largest tau on the grid: %.6g)\n", to_string(f),
                sm.temperature, best, naive_last(kSmootherTauHi));
    EXPECT_GE(sm.temperature, kSmootherTauLo);
    EXPECT_LE(sm.temperature, kSmootherTauHi);
  }
}

TEST(Smoother, MinimizerFindsKnownMinima) {
  // A parabola: the minimum to the tolerance, in grid + 2 + ceil(log(w / tol) / log(1 / 0.618)) calls.
  int calls = 0;
  const Objective1D parabola = [](const void* ctx, double x) {
    ++*static_cast<int*>(const_cast<void*>(ctx));
    return (x - 1.234) * (x - 1.234) + 5;
  };
  const Minimum1D a = minimize_1d(parabola, &calls, -10, 10, 21, 1e-6);
  EXPECT_NEAR(a.x, 1.234, 1e-6);
  EXPECT_NEAR(a.f, 5, 1e-12);
  EXPECT_EQ(a.evaluations, calls);
  const int golden = static_cast<int>(std::ceil(std::log(2.0 / 1e-6) / std::log(1 / 0.6180339887498949)));
  EXPECT_LE(std::abs(a.evaluations - (21 + 2 + golden)), 1) << a.evaluations;
  // Two minima: a broad one at -5 (value 1) and a narrower, deeper one at 6 (value 0) that the
  // grid sees; the search refines the deeper one.
  const Objective1D two = [](const void*, double x) { return std::min(1 + 0.01 * (x + 5) * (x + 5), (x - 6) * (x - 6)); };
  const Minimum1D b = minimize_1d(two, nullptr, -10, 10, 21, 1e-7);
  EXPECT_NEAR(b.x, 6, 1e-6);
  // At an end of the bracket (a monotone function): that end.
  const Objective1D line = [](const void*, double x) { return x; };
  const Minimum1D e = minimize_1d(line, nullptr, -3, 2, 5, 1e-8);
  EXPECT_NEAR(e.x, -3, 1e-7);
  EXPECT_THROW(minimize_1d(line, nullptr, 1, 1, 5, 1e-8), std::invalid_argument);
  EXPECT_THROW(minimize_1d(line, nullptr, 0, 1, 1, 1e-8), std::invalid_argument);
  EXPECT_THROW(minimize_1d(line, nullptr, 0, 1, 5, 0), std::invalid_argument);
}

TEST(Smoother, BracketConstantsAreTheirLogarithms) {
  EXPECT_NEAR(kSmootherLogTauLo, std::log(kSmootherTauLo), 1e-14);
  EXPECT_NEAR(kSmootherLogTauHi, std::log(kSmootherTauHi), 1e-14);
}

TEST(Smoother, RefusesWhatItCannotCompute) {
  EXPECT_THROW(kernel_smoother(key_query(1), hand_set({1, 2}), 1), std::invalid_argument);  // T = 2: no pair and target
  EXPECT_THROW(kernel_smoother(Eigen::MatrixXcd::Zero(3, 3), hand_set({1, 2, 3}), 1), std::invalid_argument);
  const Json j = kernel_smoother(key_query(1), hand_set({1, 2, 3, 4, 4}), 1);
  EXPECT_TRUE(j["temperature"].is_number());
  EXPECT_EQ(j["error"].size(), 3u);
  EXPECT_EQ(j["bracket"][0], kSmootherTauLo);
  EXPECT_EQ(j["bracket"][1], kSmootherTauHi);
}

TEST(Smoother, TheSoftmaxSessionsMesaViewCarriesIt) {
  // The view of a softmax session: its smoother is kernel_smoother on the model's W_KQ and the
  // view's sequences (the test set's first nseq), and the document's baselines carry its last
  // position per coordinate; every other model has none (null in both).
  Config c = test::small_config(3, 12, 32);
  c.test_m = 20;
  c.attention = Attention::Softmax;
  c.init = Init::Gaussian;
  c.sigma_w = 0.3;
  c.lr = 0.02;
  c.epochs = 3;
  Session s(c);
  s.run(c.epochs);
  ASSERT_FALSE(s.diverged()) << test::message(s);
  const MesaView v = s.mesa(15);
  ASSERT_TRUE(v.has_smoother);
  const Smoother want = kernel_smoother(s.params().blocks[0], s.test(), 15);
  EXPECT_EQ(v.smoother.temperature, want.temperature);
  EXPECT_EQ(v.smoother.error, want.error);
  EXPECT_EQ(v.smoother.nseq, 15);
  EXPECT_EQ(v.smoother.error.size(), v.t.size());
  const Json j = v;
  EXPECT_EQ(j["smoother"]["temperature"], want.temperature);
  const Json b = last_position_baselines(v, c);
  EXPECT_EQ(b["smoother"], want.error.back() / c.d);
  for (int layers : {1, 2}) {
    Config o = c;
    o.attention = Attention::Linear;
    o.layers = layers;
    o.init = Init::Diagonal;
    Session so(o);
    so.run(1);
    const MesaView vo = so.mesa(15);
    EXPECT_FALSE(vo.has_smoother);
    EXPECT_TRUE(Json(vo)["smoother"].is_null());
    EXPECT_TRUE(last_position_baselines(vo, o)["smoother"].is_null());
  }
}

TEST(Smoother, FlopEstimateByHand) {
  // d = 1 (D = 2), T = 3: one position, one pair, a pair's weight and average 40 flops:
  // curve 8 4 + 4 2 (1 + 1) + 40 + 4 = 92; search 8 4 + 4 2 2 + 48 (40 + 4) = 2160.
  EXPECT_EQ(smoother_flops(1, 3, 1), 92.0 + 2160.0);
  EXPECT_EQ(smoother_flops(1, 3, 10), 10 * (92.0 + 2160.0));
  // O(T^2 d) per sequence for the curve: at large T doubling T multiplies the count by about 4.
  EXPECT_NEAR(smoother_flops(5, 8000, 1) / smoother_flops(5, 4000, 1), 4.0, 0.05);
}

}  // namespace
}  // namespace mesaflow
