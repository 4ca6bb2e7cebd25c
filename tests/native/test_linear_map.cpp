// The linear-map baseline (models/linear_map.hpp, core/THEORY.md §9) against truths it does not
// compute itself: finite differences of its loss, the loss summed naively with Eigen, the
// least-squares optimum S_yx S_xx^{-1} and the flow's matrix-exponential solution from the tokens,
// the population loss (T-2)/2 M2 (1 + ||A||_F^2 / d), and the command-line program's document.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "mesaflow/fields.hpp"
#include "mesaflow/reference.hpp"
#include "support.hpp"

namespace mesaflow {
namespace {

Config small(int d, int T, int m) {
  Config c;
  c.d = d, c.T = T, c.m = m, c.test_m = m;
  EXPECT_TRUE(!set_field(c, "model", "linear-map"));
  c.threads = 1;
  return c;
}

const Model& linear_map() { return *find_model("linear-map"); }

// Naive sums from the tokens: S_xx = sum x_t x_t^H, S_yx = sum x_{t+1} x_t^H (t = 2..T-1), and the loss.
struct Moments2 {
  Eigen::MatrixXcd Sxx, Syx;
  double loss = 0, last = 0;
};
Moments2 naive(const Eigen::MatrixXcd& A, const Dataset& ds) {
  Moments2 r;
  r.Sxx = Eigen::MatrixXcd::Zero(ds.d, ds.d);
  r.Syx = Eigen::MatrixXcd::Zero(ds.d, ds.d);
  for (int s = 0; s < ds.m; ++s) {
    const Eigen::MatrixXcd x = sequence_tokens(ds, s);  // (d, T)
    for (int t = 1; t + 1 < ds.T; ++t) {
      r.Sxx += x.col(t) * x.col(t).adjoint();
      r.Syx += x.col(t + 1) * x.col(t).adjoint();
      const double e = (A * x.col(t) - x.col(t + 1)).squaredNorm();
      r.loss += e / (2.0 * ds.m);
      if (t + 2 == ds.T) r.last += e / (static_cast<double>(ds.m) * ds.d);
    }
  }
  return r;
}

Weights random_weights(const Config& c, std::uint64_t seed) {
  Config g = c;
  g.init = Init::Gaussian;
  g.sigma_w = 0.4;
  g.seed = seed;
  return linear_map().init(g);
}

TEST(LinearMap, IsRegisteredAndNamedByTheModelField) {
  const FieldSpec* f = find_field("model");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->choices, (std::vector<std::string>{"attention", "linear-map"}));
  Config c;
  EXPECT_STREQ(model_of(c).name(), "attention");  // the default
  Problem p = set_field(c, "model", "softmax");
  EXPECT_EQ(p.field, "model");
  EXPECT_NE(p.message.find("one of attention, linear-map"), std::string::npos) << p.message;
  const std::vector<BlockSpec> b = linear_map().blocks(4);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].name, "a");
  EXPECT_EQ(b[0].rows, 4);
  EXPECT_EQ(b[0].cols, 4);
}

TEST(LinearMap, LossMatchesTheNaiveSum) {
  for (X1Family f : {X1Family::Gaussian, X1Family::Sparse, X1Family::FullOne}) {
    Config c = small(3, 9, 21);
    c.x1 = f;
    const Dataset ds = generate_dataset(c, c.m, kTrainStream);
    const Weights w = random_weights(c, 4);
    const Moments2 ref = naive(w.blocks[0], ds);
    for (Pass pass : {Pass::Forward, Pass::Gradient, Pass::Test}) {
      Weights g;
      const Evaluation ev = pass == Pass::Test ? linear_map().evaluate_test(w, ds, 1)
                                               : linear_map().evaluate(w, ds, pass == Pass::Gradient ? &g : nullptr, 1);
      EXPECT_NEAR(ev.loss, ref.loss, 1e-12 * ref.loss);
      EXPECT_NEAR(ev.last_mse, ref.last, 1e-12 * ref.last);
    }
  }
}

TEST(LinearMap, GradientMatchesFiniteDifferences) {
  const Config c = small(3, 8, 20);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Weights w = random_weights(c, 7);
  Weights g;
  linear_map().evaluate(w, ds, &g, 1);
  const Eigen::VectorXd v = to_vector(w), gv = to_vector(g);
  ASSERT_EQ(v.size(), 2 * 9);
  const double h = 1e-5;
  for (Eigen::Index k = 0; k < v.size(); ++k) {
    Eigen::VectorXd up = v, down = v;
    up[k] += h;
    down[k] -= h;
    const double fd = (linear_map().evaluate(from_vector(up, w), ds, nullptr, 1).loss -
                       linear_map().evaluate(from_vector(down, w), ds, nullptr, 1).loss) / (2 * h);
    EXPECT_NEAR(gv[k], fd, 1e-7 * gv.cwiseAbs().maxCoeff()) << "parameter " << k;
  }
  // And the closed form of §9: dA = (A S_xx - S_yx) / m.
  const Moments2 ref = naive(w.blocks[0], ds);
  const Eigen::MatrixXcd want = (w.blocks[0] * ref.Sxx - ref.Syx) / ds.m;
  EXPECT_LT((g.blocks[0] - want).norm(), 1e-12 * want.norm());
}

TEST(LinearMap, GdReachesTheLeastSquaresOptimum) {
  Config c = small(3, 10, 100);
  c.init = Init::Gaussian;
  c.sigma_w = 0.5;
  c.lr = 0.05;
  c.epochs = 400;
  c.eval_every = 100;
  Session s(c);
  s.run(c.epochs);
  ASSERT_TRUE(s.done() && !s.diverged());
  const Moments2 ref = naive(Eigen::MatrixXcd::Zero(3, 3), s.train());
  const Eigen::MatrixXcd Astar = ref.Sxx.transpose().ldlt().solve(ref.Syx.transpose()).transpose();  // S_yx S_xx^{-1}
  EXPECT_LT((s.params().blocks[0] - Astar).norm(), 1e-9 * Astar.norm()) << Astar;
  // Its training loss is the naive loss at A*, and lower than at any nearby A.
  const double at_star = naive(Astar, s.train()).loss;
  EXPECT_NEAR(s.history().train_loss.back(), at_star, 1e-10 * at_star);
  Eigen::MatrixXcd nudged = Astar;
  nudged(0, 1) += 1e-3;
  EXPECT_GT(naive(nudged, s.train()).loss, at_star);
}

TEST(LinearMap, FlowFollowsTheMatrixExponential) {
  // dA/dtau = -(A S_xx - S_yx) / m, so A(tau) = A* + (A_0 - A*) exp(-tau S_xx / m) (§9).
  Config c = small(2, 8, 30);
  c.init = Init::Gaussian;
  c.method = Method::Flow;
  c.lr = 0.02;
  c.epochs = 10;
  Session s(c);
  const Eigen::MatrixXcd A0 = s.params().blocks[0];
  s.run(c.epochs);
  ASSERT_TRUE(s.done() && !s.diverged());
  const Moments2 ref = naive(Eigen::MatrixXcd::Zero(2, 2), s.train());
  const Eigen::MatrixXcd H = ref.Sxx / c.m;
  const Eigen::MatrixXcd Astar = ref.Syx * H.inverse() / c.m;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(H);
  const double tau = c.lr * c.epochs;
  const Eigen::MatrixXcd expo = eig.eigenvectors() * (-tau * eig.eigenvalues().array()).exp().matrix().asDiagonal() *
                                eig.eigenvectors().adjoint();
  const Eigen::MatrixXcd want = Astar + (A0 - Astar) * expo;
  EXPECT_LT((s.params().blocks[0] - want).norm(), 1e-6 * want.norm()) << s.params().blocks[0] << "\n" << want;
  EXPECT_GT((A0 - want).norm(), 0.1 * want.norm());  // it moved a long way
}

TEST(LinearMap, PopulationLossClosedForm) {
  // L_pop(A) = (T-2)/2 M2 (1 + ||A||_F^2 / d), last-position error M2/d (1 + ||A||_F^2 / d).
  for (X1Family f : {X1Family::Gaussian, X1Family::FullOne, X1Family::UnitPhase}) {
    Config c = small(3, 12, 64);
    c.x1 = f;
    c.test_m = 40000;
    c.a0 = 0.5;
    c.epochs = 0;
    Session s(c);
    const double M2 = s.theory().moments.M2, d = c.d, A2 = 0.25 * d;  // ||0.5 I||_F^2
    const double want = (c.T - 2) / 2.0 * M2 * (1 + A2 / d);
    EXPECT_NEAR(s.history().test_loss[0], want, 0.02 * want) << to_string(f);
    EXPECT_NEAR(s.history().last_mse[0], M2 / d * (1 + A2 / d), 0.03 * M2 / d * (1 + A2 / d)) << to_string(f);
  }
  // Trained on many sequences, A goes to the population optimum 0 and the test loss to (T-2) M2 / 2.
  Config c = small(3, 12, 4000);
  c.test_m = 20000;
  c.a0 = 0.5;
  c.lr = 0.05;
  c.epochs = 60;
  c.eval_every = 60;
  Session s(c);
  s.run(c.epochs);
  const double M2 = s.theory().moments.M2;
  EXPECT_LT(s.params().blocks[0].norm(), 0.05);
  EXPECT_NEAR(s.history().test_loss.back(), (c.T - 2) / 2.0 * M2, 0.02 * (c.T - 2) / 2.0 * M2);
  // The attention-only columns and predictions are absent, not made up.
  EXPECT_TRUE(std::isnan(s.history().ab.back()) && std::isnan(s.history().offdiag_kq.back()));
  EXPECT_FALSE(s.theory().applies());
  EXPECT_NE(s.theory().reason().find("§9"), std::string::npos);
  EXPECT_FALSE(s.has_mesa());
}

TEST(LinearMap, ShardsLayoutsAndExternalSumsGiveTheSameBits) {
  Config c = small(3, 10, 50);
  c.init = Init::Gaussian;
  const Dataset tokens = generate_dataset(c, c.m, kTrainStream, DataLayout::Tokens);
  const Dataset regen = generate_dataset(c, c.m, kTrainStream, DataLayout::Regenerated);
  const Weights w = random_weights(c, 3);
  Weights g_ref, g;
  const Evaluation ref = linear_map().evaluate(w, tokens, &g_ref, 1);
  for (int cut : {0, 5, 32}) {
    std::vector<double> a, b;
    linear_map().shard_sums(w, regen, Pass::Gradient, 0, cut, 1, a);
    linear_map().shard_sums(w, tokens, Pass::Gradient, cut, kShards, 4, b);
    a.insert(a.end(), b.begin(), b.end());
    const Evaluation ev = linear_map().combine_shard_sums(a, c.m, c.d, &g);
    EXPECT_EQ(ev.loss, ref.loss);
    EXPECT_EQ(ev.ratio, ref.ratio);
    EXPECT_EQ(ev.last_mse, ref.last_mse);
    EXPECT_TRUE(g.blocks[0] == g_ref.blocks[0]);
  }
  std::vector<double> bad;
  EXPECT_THROW(linear_map().shard_sums(attention_weights(Params::zeros(3)), tokens, Pass::Forward, 0, kShards, 1, bad),
               std::invalid_argument);
  // A session fed by shard workers equals a normal one, bit for bit.
  c.lr = 0.02;
  c.epochs = 6;
  Session normal(c), ext(c, test::external_options());
  normal.run(c.epochs);
  test::run_external(ext, {ShardWorker(c), ShardWorker(c)}, true);
  ASSERT_TRUE(ext.done());
  test::expect_same_params(ext.params(), normal.params());
  EXPECT_EQ(ext.history().test_loss, normal.history().test_loss);
  EXPECT_EQ(ext.history().train_loss, normal.history().train_loss);
}

TEST(LinearMap, CheckpointResumesBitForBitAndRefusesAttentionWeights) {
  Config c = small(2, 8, 40);
  c.lr = 0.03;
  c.epochs = 10;
  Session whole(c);
  whole.run(10);
  Session first(c);
  first.run(4);
  const Checkpoint cp = first.checkpoint();
  Session second(c);
  second.resume(cp);
  second.run(10);
  test::expect_same_params(second.params(), whole.params());
  Checkpoint wrong = cp;
  wrong.params = attention_weights(Params::zeros(2));
  Session fresh(c);
  const Problem p = fresh.resume_problem(wrong);
  EXPECT_EQ(p.field, "checkpoint.params");
  EXPECT_NE(p.message.find("A (2 x 2)"), std::string::npos) << p.message;
}

}  // namespace
}  // namespace mesaflow

namespace mesaflow {
namespace {
TEST(LinearMap, SessionsInEitherLayoutGiveTheSameBits) {
  Config c;
  for (auto [k, v] : {std::pair{"model", "linear-map"}, {"d", "3"}, {"T", "12"}, {"m", "40"}, {"test-m", "24"}, {"epochs", "15"},
                      {"lr", "0.02"}, {"seed", "5"}, {"init", "gaussian"}, {"threads", "1"}})
    ASSERT_FALSE(set_field(c, k, v));
  Session tokens(c, test::layout_options(DataLayout::Tokens)), regen(c, test::layout_options(DataLayout::Regenerated));
  for (int s = 0; s < c.test_m; ++s)
    for (int t = 0; t < c.T; ++t)
      for (int j = 0; j < c.d; ++j) ASSERT_EQ(tokens.test().x(s, t, j), regen.test().x(s, t, j)) << s << " " << t << " " << j;
  tokens.run(c.epochs);
  regen.run(c.epochs);
  EXPECT_EQ(tokens.history().ratio, regen.history().ratio);
  EXPECT_EQ(tokens.history().test_loss, regen.history().test_loss);
  test::expect_same_params(tokens.params(), regen.params());
}
}  // namespace
}  // namespace mesaflow
