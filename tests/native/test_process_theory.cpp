// The theory of the processes (core/THEORY.md §10): the moments of y_1 = U^H x_1 in closed form
// against Monte Carlo for every first-token family and magnitude law, c*(T) of process unitary
// against the optimum measured on sampled sequences of the process itself, the verdicts, "no
// prediction" with a reason elsewhere, and training that ends at c*(T).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "mesaflow/process_theory.hpp"
#include "mesaflow/theory.hpp"
#include "support.hpp"

using namespace mesaflow;
using namespace mesaflow::test;

namespace {
MagnitudeLaw law_of(const std::string& text) {
  MagnitudeLaw law;
  EXPECT_EQ(parse_magnitude(text, &law), "") << text;
  return law;
}
}  // namespace

TEST(ProcessTheory, RotatedMomentsAgreeWithMonteCarloForEveryFamilyAndLaw) {
  const X1Family families[] = {X1Family::Gaussian, X1Family::Sparse, X1Family::FullOne, X1Family::Rademacher,
                               X1Family::UnitPhase};
  for (X1Family f : families)
    for (const char* text : {"const", "uniform:0.5:1.5", "values:0.5,2@0.3,0.7"}) {
      if (f == X1Family::Gaussian && std::string(text) != "const") continue;  // a law applies to the others
      for (int d : {1, 4}) {
        SCOPED_TRACE(std::string(to_string(f)) + " " + text + " d " + std::to_string(d));
        const MagnitudeLaw law = law_of(text);
        const double scale = 0.8;
        Moments se;
        const Moments mc = monte_carlo_rotated_moments(f, scale, d, 200000, 5, &se, law);
        const Moments cf = rotated_moments(f, scale, d, law);
        // within 3 standard errors (plus rounding where a moment has no spread: sparse const's M2)
        EXPECT_NEAR(mc.M2, cf.M2, 3 * se.M2 + 1e-12 * cf.M2);
        EXPECT_NEAR(mc.M4, cf.M4, 3 * se.M4 + 1e-12 * cf.M4);
        EXPECT_NEAR(mc.M6, cf.M6, 3 * se.M6 + 1e-12 * cf.M6);
        EXPECT_NEAR(mc.M24, cf.M24, 3 * se.M24 + 1e-12 * cf.M24 + 1e-15);
        EXPECT_EQ(cf.nonzero, d);
        if (d == 1) {  // U(1) is a phase: the rotated moments are x_1's own
          const Moments x = closed_moments(f, scale, d, law);
          EXPECT_NEAR(cf.M4, x.M4, 1e-12 * x.M4);
          EXPECT_NEAR(cf.M6, x.M6, 1e-12 * x.M6);
        }
      }
    }
}

// c*(T) of process unitary against B_emp / A_emp measured on sequences of the process (Haar U,
// phases, x_1: generate_dataset), 10 independent sets, within 3 standard errors of their mean.
void check_unitary_c_star(X1Family f, int d, int T, int per) {
  Config c;
  c.process = Process::Unitary;
  c.x1 = f;
  c.d = d;
  c.T = T;
  const int batches = 10;
  double A = 0, B = 0, sum = 0, sum2 = 0;
  for (int k = 0; k < batches; ++k) {
    Config ck = c;
    ck.seed = 2000 + k;
    const Dataset ds = generate_dataset(ck, per, kTrainStream);
    double a, b;
    empirical_AB(ds, &a, &b);
    A += a, B += b, sum += b / a, sum2 += (b / a) * (b / a);
  }
  const double mean = sum / batches, sd = std::sqrt(std::max(0.0, sum2 / batches - mean * mean));
  const double se = sd / std::sqrt(batches - 1.0);
  const Theory th = theory_for(c);
  EXPECT_TRUE(th.applies()) << th.reason();
  EXPECT_NEAR(B / A, th.c_star_T, 3 * se) << to_string(f) << ": se " << se;
  // and it is not the diagonal process's optimum (the rotation changes the moments)
  Config diag = c;
  diag.process = Process::Diagonal;
  EXPECT_GT(std::fabs(theory_for(diag).c_star_T - th.c_star_T), 10 * se) << to_string(f);
}
TEST(ProcessTheory, UnitaryCStarAgreesWithSampledSequencesGaussian) { check_unitary_c_star(X1Family::Gaussian, 3, 12, 8000); }
TEST(ProcessTheory, UnitaryCStarAgreesWithSampledSequencesSparse) { check_unitary_c_star(X1Family::Sparse, 3, 12, 4000); }
TEST(ProcessTheory, UnitaryCStarAgreesWithSampledSequencesRademacher) { check_unitary_c_star(X1Family::Rademacher, 3, 12, 4000); }

TEST(ProcessTheory, UnitaryFailsAssumption42ForEveryFamilyWithDAboveOne) {
  // M4^2 / (M2 M6) = (2 (d+2)) / (3 (d+1)) (E r^4)^2 / (E r^2 E r^6) < 1 for d >= 2 (Cauchy-Schwarz
  // gives the second factor <= 1); for sparse const |x_1| = c, so it is exactly the first factor.
  for (int d : {2, 3, 5, 16}) {
    Config c;
    c.process = Process::Unitary;
    c.d = d;
    c.x1 = X1Family::Sparse;
    const Theory th = theory_for(c);
    EXPECT_NEAR(th.moment_ratio, 2.0 * (d + 2) / (3.0 * (d + 1)), 1e-14);
    EXPECT_FALSE(th.recovery);
    for (X1Family f : {X1Family::Gaussian, X1Family::Rademacher, X1Family::UnitPhase}) {
      c.x1 = f;
      EXPECT_FALSE(theory_for(c).recovery) << to_string(f) << " d " << d;
      EXPECT_LT(theory_for(c).moment_ratio, 1 - 1e-3);
    }
  }
  Config one;
  one.process = Process::Unitary;
  one.d = 1;
  one.x1 = X1Family::Sparse;
  EXPECT_TRUE(theory_for(one).recovery);  // U(1): the diagonal process itself
}

TEST(ProcessTheory, NoPredictionWhereTheFamilysLossIsNotDerivedWithTheReason) {
  const auto reason_of = [](Config c) {
    const Theory th = theory_for(c);
    EXPECT_FALSE(th.applies());
    Json j;
    to_json(j, th);
    EXPECT_TRUE(j["c_star_T"].is_null());
    EXPECT_TRUE(j["verdict"].is_null());
    return j["reason"].get<std::string>();
  };
  Config c;
  for (Process p : {Process::Orthogonal, Process::Rotation, Process::Fixed}) {
    c.process = p;
    EXPECT_NE(reason_of(c).find("process " + std::string(to_string(p))), std::string::npos);
    c.clip = true;  // clip keeps the family, but its loss is still not derived
    EXPECT_FALSE(theory_for(c).applies());
    c.clip = false;
  }
  c.process = Process::Diagonal;
  c.radius = 0.9;
  EXPECT_NE(reason_of(c).find("radius < 1"), std::string::npos);
  c.radius = 1;
  c.noise = 0.1;
  EXPECT_NE(reason_of(c).find("noise > 0"), std::string::npos);
  c.noise = 0;
  c.process = Process::Unitary;
  c.x1 = X1Family::FullOne;
  EXPECT_NE(reason_of(c).find("full-one"), std::string::npos);
  c.clip = true;  // clip keeps the red blocks diagonal; their diagonal gradient is one number (§10)
  EXPECT_TRUE(theory_for(c).applies());
}

// Gradient descent on the full model from the paper's initialisation ends within 2% of c*(T).
// The 2% must cover the sampling error of the training set's own optimum (what the run can reach)
// around c*(T): measured here on 8 other sets of the same size, its standard deviation must be at
// most 0.5%, so 2% is at least 4 of them; the rest is the off-diagonal drift of a finite set.
void check_training(X1Family f, int d, int T, int m, double lr, int epochs) {
  Config c;
  c.process = Process::Unitary;
  c.x1 = f;
  c.d = d;
  c.T = T;
  c.m = m;
  c.test_m = 16;
  c.lr = lr;
  c.epochs = epochs;
  c.eval_every = epochs;
  c.threads = 0;
  const double c_star = theory_for(c).c_star_T;
  double sum = 0, sum2 = 0;
  for (int k = 0; k < 8; ++k) {
    Config ck = c;
    ck.seed = 300 + k;
    const Dataset ds = generate_dataset(ck, m, kTrainStream);
    double a, b;
    empirical_AB(ds, &a, &b);
    sum += b / a, sum2 += (b / a) * (b / a);
  }
  const double mean = sum / 8, sd = std::sqrt(std::max(0.0, sum2 / 8 - mean * mean) * 8 / 7);
  EXPECT_LE(sd, 0.005 * c_star) << to_string(f) << ": the set is too small for a 2% test";
  Session s(c);
  s.run(c.epochs);
  ASSERT_FALSE(s.diverged()) << message(s);
  const double ab = s.history().ab.back();
  EXPECT_NEAR(ab, c_star, 0.02 * c_star) << to_string(f) << ": empirical optimum " << s.theory().c_star_empirical;
  EXPECT_TRUE(s.theory().applies());
  EXPECT_FALSE(s.theory().recovery);
}
// Gaussian: ab is within 0.5% of c*(T) from epoch 24 on (0.49% at 28, 0.53% at 40, what this ran
// before); lr 0.08 oscillates away from it and 0.12 diverges.
TEST(ProcessTheory, UnitaryTrainingConvergesToCStarGaussian) { check_training(X1Family::Gaussian, 8, 4, 100000, 0.04, 28); }
TEST(ProcessTheory, UnitaryTrainingConvergesToCStarSparse) { check_training(X1Family::Sparse, 3, 10, 4000, 0.05, 150); }
TEST(ProcessTheory, UnitaryTrainingConvergesToCStarRademacher) { check_training(X1Family::Rademacher, 3, 10, 4000, 0.01, 300); }

TEST(ProcessTheory, TheCommandLinePrintsUnitaryCStarAndAssumption42Fails) {
  const std::string cmd = std::string(MESAFLOW_CLI) + " theory --process unitary --x1 sparse --mc 100000 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p.get())) out.append(buf, n);
  const nlohmann::json j = nlohmann::json::parse(out);
  Config c;
  c.process = Process::Unitary;
  c.x1 = X1Family::Sparse;
  EXPECT_EQ(j["c_star_T"].get<double>(), theory_for(c).c_star_T);
  EXPECT_FALSE(j["assumption_4_2"]["holds"].get<bool>());
  EXPECT_EQ(j["verdict"], "does not recover (M4^2 < M2 M6)");
  // --mc: the moments of U^H x_1 by drawing U, and c*(T) from them near the closed form
  const nlohmann::json& mc = j["monte_carlo"];
  EXPECT_NEAR(mc["M4"].get<double>(), j["M4"].get<double>(), 3 * mc["M4_stderr"].get<double>());
  EXPECT_NEAR(mc["M6"].get<double>(), j["M6"].get<double>(), 3 * mc["M6_stderr"].get<double>());
  EXPECT_NEAR(mc["M24"].get<double>(), j["M24"].get<double>(), 3 * mc["M24_stderr"].get<double>());
  EXPECT_NEAR(mc["c_star_T"].get<double>(), j["c_star_T"].get<double>(), 0.01 * j["c_star_T"].get<double>());
}
