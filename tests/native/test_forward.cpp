// The forward pass with the running state S_t against the O(T^2) formula (core/THEORY.md §1, §2).
#include <gtest/gtest.h>

#include "mesaflow/kernel.hpp"
#include "mesaflow/reference.hpp"
#include "support.hpp"

using namespace mesaflow;
using namespace mesaflow::test;

class ForwardTest : public ::testing::TestWithParam<X1Family> {};

TEST_P(ForwardTest, RunningStateEqualsNaiveRecomputation) {
  Config c = small_config(3, 15, 9);
  c.x1 = GetParam();
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Params p = random_params(c.d, 4);
  std::vector<Eigen::MatrixXcd> xs;
  for (int s = 0; s < ds.m; ++s) {
    xs.push_back(sequence_tokens(ds, s));
    const Eigen::MatrixXcd y_ref = reference_predict(p, xs.back());
    const Eigen::MatrixXcd y_naive = naive_predict(p, xs.back());
    EXPECT_LT(rel_diff(y_ref, y_naive), 1e-13) << "sequence " << s;
  }
  const double naive = naive_loss(p, ds, xs);
  EXPECT_NEAR(reference_loss_grad(p, ds, nullptr), naive, 1e-12 * naive);
  EXPECT_NEAR(evaluate(p, ds, nullptr, 1).loss, naive, 1e-12 * naive);
}

INSTANTIATE_TEST_SUITE_P(Families, ForwardTest,
                         ::testing::Values(X1Family::Gaussian, X1Family::Sparse, X1Family::FullOne,
                                           X1Family::Rademacher, X1Family::UnitPhase));

TEST(Forward, DataFollowTheArProcess) {
  Config c = small_config(4, 30, 5);
  c.x1 = X1Family::UnitPhase;
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  for (int s = 0; s < ds.m; ++s)
    for (int j = 0; j < ds.d; ++j) {
      const std::complex<double> lambda = ds.x(s, 1, j) / ds.x(s, 0, j);
      EXPECT_NEAR(std::abs(lambda), 1.0, 1e-14);
      for (int t = 1; t + 1 < ds.T; ++t) EXPECT_NEAR(std::abs(ds.x(s, t + 1, j) - lambda * ds.x(s, t, j)), 0.0, 1e-13);
    }
}

TEST(Forward, DiagonalModelIsOneStepOfGradientDescent) {
  // core/THEORY.md §3, §7: with the diagonal structure, y_hat_t = (ab/(t-1)) sum_{i=2}^t x_i x_{i-1}^H x_t.
  Config c = small_config(3, 20, 4);
  c.a0 = 0.7;
  c.b0 = -1.3;
  const Params p = init_params(c);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  for (int s = 0; s < ds.m; ++s) {
    const Eigen::MatrixXcd x = sequence_tokens(ds, s), y = reference_predict(p, x);
    Eigen::MatrixXcd C = Eigen::MatrixXcd::Zero(c.d, c.d);
    for (int t = 2; t <= c.T - 1; ++t) {
      C += x.col(t - 1) * x.col(t - 2).adjoint();
      const Eigen::VectorXcd gd = (0.7 * -1.3 / (t - 1)) * C * x.col(t - 1);
      EXPECT_LT((y.col(t - 1) - gd).norm(), 1e-12 * (1 + gd.norm()));
    }
  }
}

TEST(Forward, RatioAndLastMseFollowTheirDefinitions) {
  Config c = small_config(3, 10, 13);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Params p = random_params(c.d, 8);
  double ratio = 0, count = 0, last = 0;
  for (int s = 0; s < ds.m; ++s) {
    const Eigen::MatrixXcd x = sequence_tokens(ds, s), y = naive_predict(p, x);
    for (int j = 0; j < c.d; ++j) {
      const auto yh = y(j, c.T - 2), xt = x(j, c.T - 1);
      last += std::norm(yh - xt);
      ratio += (yh / xt).real();
      count += 1;
    }
  }
  const Evaluation ev = evaluate(p, ds, nullptr, 1);
  EXPECT_NEAR(ev.ratio, ratio / count, 1e-12 * std::fabs(ratio / count));
  EXPECT_NEAR(ev.last_mse, last / (c.m * c.d), 1e-12 * last / (c.m * c.d));
}
