// Closed forms of core/THEORY.md §3-§4 against Monte Carlo; the ODE and the empirical optimum against
// training.
#include <gtest/gtest.h>

#include <cmath>

#include "mesaflow/families.hpp"
#include "mesaflow/kernel.hpp"
#include "mesaflow/session.hpp"
#include "mesaflow/theory.hpp"
#include "support.hpp"

using namespace mesaflow;
using namespace mesaflow::test;

class MomentsTest : public ::testing::TestWithParam<X1Family> {};

TEST_P(MomentsTest, ClosedFormAgreesWithMonteCarlo) {
  const int d = 5;
  const double scale = 0.7;
  Moments se;
  const Moments mc = monte_carlo_moments(GetParam(), scale, d, 400000, 3, &se);
  const Moments cf = closed_moments(GetParam(), scale, d);
  // Within 5 standard errors (and rounding, for the families where every draw is the same).
  EXPECT_NEAR(mc.M2, cf.M2, 5 * se.M2 + 1e-12 * cf.M2);
  EXPECT_NEAR(mc.M4, cf.M4, 5 * se.M4 + 1e-12 * cf.M4);
  EXPECT_NEAR(mc.M6, cf.M6, 5 * se.M6 + 1e-12 * cf.M6);
  EXPECT_NEAR(mc.M24, cf.M24, 5 * se.M24 + 1e-12 * cf.M24 + 1e-15);
  EXPECT_NEAR(mc.nonzero, cf.nonzero, 5 * se.nonzero + 1e-12);
}

INSTANTIATE_TEST_SUITE_P(Families, MomentsTest,
                         ::testing::Values(X1Family::Gaussian, X1Family::Sparse, X1Family::FullOne,
                                           X1Family::Rademacher, X1Family::UnitPhase));

TEST(Theory, PaperValues) {
  Config c;  // d = 5, T = 100, gaussian sigma = 1
  EXPECT_NEAR(theory_for(c).c_star_T, 0.1919, 5e-5);
  EXPECT_DOUBLE_EQ(theory_for(c).c_star_inf, 0.2);  // 1 / (5 sigma^2)
  EXPECT_FALSE(theory_for(c).recovery);
  c.scale = 2.0;
  EXPECT_NEAR(theory_for(c).c_star_inf, 1.0 / 20, 1e-15);
  c.x1 = X1Family::FullOne;
  c.scale = 1.0;
  EXPECT_NEAR(theory_for(c).c_star_T, 0.8258, 5e-5);
  EXPECT_TRUE(theory_for(c).recovery);
  c.x1 = X1Family::Sparse;
  c.scale = 0.5;
  EXPECT_NEAR(theory_for(c).c_star_T, 4.0, 1e-12);  // 1 / c^2 for every T
  EXPECT_NEAR(theory_for(c).ratio_pred, 1.0, 1e-12);  // the one non-zero coordinate is recovered
  EXPECT_TRUE(theory_for(c).recovery);
  c.x1 = X1Family::Rademacher;
  EXPECT_TRUE(theory_for(c).recovery);
  c.x1 = X1Family::UnitPhase;
  EXPECT_TRUE(theory_for(c).recovery);
  EXPECT_NEAR(harmonic(4), 1 + 0.5 + 1.0 / 3 + 0.25, 1e-15);
}

// c*(T) = B / A against the optimum measured on many sampled sequences.
void check_c_star_monte_carlo(X1Family f, double scale) {
  Config c;
  c.x1 = f;
  c.scale = scale;
  const int batches = 10, per = 4000;
  double A = 0, B = 0, sum = 0, sum2 = 0;
  for (int k = 0; k < batches; ++k) {
    Config ck = c;
    ck.seed = 1000 + k;
    const Dataset ds = generate_dataset(ck, per, kTrainStream);
    double a, b;
    empirical_AB(ds, &a, &b);
    A += a;
    B += b;
    sum += b / a;
    sum2 += (b / a) * (b / a);
  }
  const double mean = sum / batches, sd = std::sqrt(std::max(0.0, sum2 / batches - mean * mean));
  const double se = sd / std::sqrt(batches - 1.0);
  const double expect = theory_for(c).c_star_T;
  EXPECT_NEAR(B / A, expect, 4 * se + 1e-12) << to_string(f) << ": se " << se;
}

TEST(Theory, CStarAgreesWithMonteCarloGaussian) { check_c_star_monte_carlo(X1Family::Gaussian, 1.0); }
TEST(Theory, CStarAgreesWithMonteCarloFullOne) { check_c_star_monte_carlo(X1Family::FullOne, 1.0); }
TEST(Theory, CStarAgreesWithMonteCarloUnitPhase) { check_c_star_monte_carlo(X1Family::UnitPhase, 1.5); }
TEST(Theory, CStarAgreesWithMonteCarloSparse) { check_c_star_monte_carlo(X1Family::Sparse, 0.5); }

TEST(Theory, DiagonalFamilyConvergesToTheEmpiricalOptimum) {
  // Gradient descent on (a, b) alone, each the common value of the d diagonal entries:
  // dL/da = sum_j Re dW_KQ[d+j, j], dL/db = sum_j Re dW_PV[j, j] (chain rule).
  // The optimum is the training set's own B / A (any m gives one; the loss is a mean over the m
  // sequences, so the step and the rate do not depend on m): m = 50 proves what m = 200 did, and a
  // step of 4e-4 for 1500 steps (2e-4 for 3000 before) reaches it to 1e-15 relative (measured).
  Config c = small_config(3, 30, 50);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  double A, B;
  empirical_AB(ds, &A, &B);  // independent of the model code: the g_t formula
  double a = 0.3, b = 0.3;
  for (int it = 0; it < 1500; ++it) {
    Config ci = c;
    ci.a0 = a;
    ci.b0 = b;
    Params g;
    evaluate(init_params(ci), ds, &g, 1);
    double ga = 0, gb = 0;
    for (int j = 0; j < c.d; ++j) {
      ga += g.wkq(c.d + j, j).real();
      gb += g.wpv(j, j).real();
    }
    a -= 4e-4 * ga;
    b -= 4e-4 * gb;
  }
  EXPECT_NEAR(a * b, B / A, 1e-6 * B / A);
}

TEST(Theory, FullGradientDescentTracksTheOde) {
  // core/THEORY.md §4: d = 5, T = 100, m = 2000, gaussian, a0 = b0 = 0.1, lr = 1e-4 stayed within 2%.
  // Here: within 2% of the ODE with the training set's A and B. (The population ODE's limit
  // c*(T) differs from the training set's optimum by the sampling error of A and B at m = 2000,
  // 8% at this seed: E x^8 and E x^12 enter; Theory.CStarAgreesWithMonteCarlo* covers c*(T).)
  // At T = 50, half the cost: the ODE is the training set's at any T, and what moves GD off it is
  // the step (first order in lr) and the full model's extra freedom (the sampling error at m, so m
  // stays 2000; at m = 500 the gap is 4%). lr = 2e-4 for 150 epochs covers the same flow time past
  // the optimum as at T = 100 (ab 0.010 -> 0.2006, the optimum 0.1995); the largest gap measured is
  // 1.04% (1.06% at T = 100, lr = 1e-4).
  Config c;
  c.T = 50;
  c.lr = 2e-4;
  c.m = 2000;
  c.test_m = 8;
  c.epochs = 150;
  c.eval_every = 10;
  c.threads = 0;
  Session s(c);
  s.run(c.epochs);
  ASSERT_FALSE(s.diverged());
  const History& h = s.history();
  for (std::size_t k = 0; k < h.epoch.size(); ++k) {
    const auto e = static_cast<std::size_t>(h.epoch[k]);
    EXPECT_NEAR(h.ab[k], s.ode_ab_empirical()[e], 0.02 * s.ode_ab_empirical()[e]) << "epoch " << e;
  }
}

TEST(Theory, OdeConservesTheDifferenceOfSquaresAndReachesTheOptimum) {
  // a^2 - b^2 is conserved by the flow, so the limit (a, b) is known in closed form.
  const double a0 = 0.5, b0 = 1.5, A = 7660.0, B = 1470.0;
  const std::vector<double> ab = ode_ab(a0, b0, A, B, 5, 1e-4, 2000);
  EXPECT_NEAR(ab.back(), B / A, 1e-9);
  EXPECT_DOUBLE_EQ(ab.front(), a0 * b0);
  // dc/dtau = -(sqrt((a0^2-b0^2)^2 + 4c^2)/d)(A c - B): c is monotone towards B/A.
  for (std::size_t k = 1; k < ab.size(); ++k) EXPECT_LE(ab[k], ab[k - 1] + 1e-15);
}

TEST(Theory, OdeStaysFiniteAndMonotoneWhenTooStiffForRk4) {
  // Scale 1000 with d = 32 gives A ~ 1e18 (the moments grow as scale^6): far too stiff for RK4's
  // sub-steps. The curve must still go monotonically from a0 b0 to c = B / A, finite throughout.
  const double A = 3e18, B = 6e11, c = B / A;
  for (const auto& [a0, b0] : {std::pair{5.0, 5.0}, std::pair{0.1, 0.1}, std::pair{-2.0, 3.0}, std::pair{0.5, -1.5}}) {
    const std::vector<double> ab = ode_ab(a0, b0, A, B, 32, 10, 50);
    ASSERT_EQ(ab.size(), 51u);
    for (std::size_t k = 1; k < ab.size(); ++k) {
      ASSERT_TRUE(std::isfinite(ab[k])) << k;
      EXPECT_LE(std::fabs(ab[k] - c), std::fabs(ab[k - 1] - c) * (1 + 1e-12) + 1e-30) << "a0 " << a0 << ", epoch " << k;
    }
    EXPECT_NEAR(ab.back(), c, 1e-9 * c) << a0;
  }
}

TEST(Theory, OdeExactStiffEpochsAgreeWithRk4) {
  // The same flow sampled at the same times: lr = 0.003 (stiffness * lr past RK4's sub-step limit
  // of 1000: the exact solution) against lr = 0.00003, a hundred epochs per sample (RK4).
  const double a0 = 0.5, b0 = 1.5, A = 4e4, B = 1e4;
  const double stiff = (a0 * a0 + b0 * b0) * A / 5 + std::fabs(A * a0 * b0 - B) / 5;
  ASSERT_GT(0.003 * stiff / 0.05, 1000);
  ASSERT_LT(0.00003 * stiff / 0.05, 1000);
  const std::vector<double> coarse = ode_ab(a0, b0, A, B, 5, 0.003, 20), fine = ode_ab(a0, b0, A, B, 5, 0.00003, 2000);
  for (int k = 0; k <= 20; ++k) EXPECT_NEAR(coarse[k], fine[100 * k], 1e-7 * std::fabs(fine[100 * k])) << k;
  // a0 = b0 and a tiny c: fast at first, then slow near c (S = a^2 + b^2 shrinks to 2c), so the
  // stiff epochs still have a visible approach: lr = 0.01 (exact) against lr = 1e-6 (RK4).
  const double A2 = 1e8, B2 = 100, c2 = B2 / A2;
  const std::vector<double> stiff2 = ode_ab(1, 1, A2, B2, 5, 0.01, 10), rk4 = ode_ab(1, 1, A2, B2, 5, 1e-6, 100000);
  EXPECT_GT(rk4[50000] - c2, 0.01 * c2);  // still on its way at t = 0.05
  for (int k = 1; k <= 10; ++k) EXPECT_NEAR(stiff2[k], rk4[10000 * k], 1e-7 * rk4[10000 * k]) << k;
}
