// The diagonal-dynamics check (dynamics.hpp) on crafted data sets, in both precisions: diagonal
// unitary sequences pass (also rounded to complex64, with the rounding's worst deviation measured
// against the tolerance's margin), sequences of a W that mixes coordinates, grows, changes its
// phase or wakes a zero coordinate fail with the first violation in words; a session on a file
// that fails gives no prediction and says why, and the command line's JSON too.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "mesaflow/dynamics.hpp"
#include "mesaflow/npy.hpp"
#include "support.hpp"

using namespace mesaflow;
using namespace mesaflow::test;
using cplx = std::complex<double>;

namespace {

// m sequences of d coordinates, x_1 from first(s, j), x_{t+1} = step(x_t) in double; with
// single, every token rounded to the nearest float (a complex64 file's numbers).
Dataset crafted(int m, int T, int d, Precision p, const std::function<cplx(int, int)>& first,
                const std::function<std::vector<cplx>(const std::vector<cplx>&)>& step) {
  Dataset ds(m, T, d, DataLayout::Tokens, p);
  for (int s = 0; s < m; ++s) {
    std::vector<cplx> x(d);
    for (int j = 0; j < d; ++j) x[j] = first(s, j);
    for (int t = 0; t < T; ++t) {
      for (int j = 0; j < d; ++j) {
        const cplx v = p == Precision::Single ? cplx(nearest_float(x[j].real()), nearest_float(x[j].imag())) : x[j];
        ds.set(s, t, j, v);
      }
      x = step(x);
    }
  }
  return ds;
}

cplx first_token(int s, int j) { return cplx(std::cos(1.0 + s + 0.7 * j), std::sin(0.3 * s - j)) * (0.5 + 0.1 * j); }
// Each coordinate turned by its own phase: W = diag(e^{i 0.3 (j+1)}), diagonal and unitary.
std::vector<cplx> turn(const std::vector<cplx>& x) {
  std::vector<cplx> y(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) y[j] = std::polar(1.0, 0.3 * (j + 1)) * x[j];
  return y;
}
// A real rotation by phi in the plane of coordinates 1 and 2 (unitary, not diagonal).
std::function<std::vector<cplx>(const std::vector<cplx>&)> rotate(double phi) {
  return [phi](const std::vector<cplx>& x) {
    std::vector<cplx> y = turn(x);
    y[0] = std::cos(phi) * x[0] - std::sin(phi) * x[1];
    y[1] = std::sin(phi) * x[0] + std::cos(phi) * x[1];
    return y;
  };
}

const Precision kBoth[] = {Precision::Double, Precision::Single};

}  // namespace

TEST(Dynamics, GeneratedSequencesPassInBothPrecisionsAndBothLayouts) {
  for (Precision p : kBoth)
    for (X1Family x1 : {X1Family::Gaussian, X1Family::Sparse, X1Family::FullOne})
      for (DataLayout layout : {DataLayout::Tokens, DataLayout::Regenerated}) {
        Config c = small_config(4, 30, 40);
        c.precision = p;
        c.x1 = x1;
        const DynamicsCheck r = check_diagonal_dynamics(generate_dataset(c, c.m, 0, layout));
        EXPECT_TRUE(r.diagonal) << to_string(p) << " " << static_cast<int>(x1) << ": " << r.why;
        EXPECT_EQ(r.checked, 40);
      }
}

TEST(Dynamics, DiagonalUnitaryDataPassAndComplex64RoundingIsFarInsideTheTolerance) {
  for (Precision p : kBoth) {
    const Dataset ds = crafted(20, 200, 3, p, first_token, turn);
    EXPECT_TRUE(check_diagonal_dynamics(ds).diagonal) << to_string(p);
    // The margin the tolerance is chosen with (dynamics.hpp): the worst deviation of the modulus
    // ratio and of the step factor, measured here by a plain loop, is below 4e-7 = tol / 250.
    double worst = 0;
    for (int s = 0; s < ds.m; ++s)
      for (int j = 0; j < ds.d; ++j) {
        const cplx f1 = ds.x(s, 1, j) / ds.x(s, 0, j);
        for (int t = 0; t + 1 < ds.T; ++t) {
          const cplx a = ds.x(s, t, j), b = ds.x(s, t + 1, j);
          worst = std::max({worst, std::abs(std::abs(b) / std::abs(a) - 1), std::abs(b / a - f1)});
        }
      }
    EXPECT_LT(worst, kDiagonalTolerance / 250) << to_string(p);
    if (p == Precision::Single) EXPECT_GT(worst, 1e-9);  // the rounding is there to be tolerated
  }
}

TEST(Dynamics, AWThatMixesCoordinatesFailsWithTheFirstViolation) {
  for (Precision p : kBoth) {
    for (double phi : {0.3, 1e-3}) {
      const DynamicsCheck r = check_diagonal_dynamics(crafted(5, 12, 3, p, first_token, rotate(phi)));
      EXPECT_FALSE(r.diagonal) << to_string(p) << " phi " << phi;
      EXPECT_EQ(r.checked, 5);
      EXPECT_NE(r.why.find("|x_{t+1}|/|x_t| = "), std::string::npos) << r.why;
      EXPECT_NE(r.why.find(", not 1 (sequence 1, coordinate 1, t = 1)"), std::string::npos) << r.why;
    }
    // Closer to diagonal than the tolerance: passes (dynamics.hpp says so).
    EXPECT_TRUE(check_diagonal_dynamics(crafted(5, 12, 3, p, first_token, rotate(1e-6))).diagonal) << to_string(p);
  }
}

TEST(Dynamics, GrowingChirpingAndWakingCoordinatesFail) {
  for (Precision p : kBoth) {
    // Diagonal, not unitary: |lambda| = 1.01.
    const auto grow = [](const std::vector<cplx>& x) {
      std::vector<cplx> y = turn(x);
      y[2] *= 1.01;
      return y;
    };
    DynamicsCheck r = check_diagonal_dynamics(crafted(3, 10, 3, p, first_token, grow));
    EXPECT_FALSE(r.diagonal);
    EXPECT_NE(r.why.find("= 1.01, not 1 (sequence 1, coordinate 3, t = 1)"), std::string::npos) << r.why;
    // Unitary in modulus, but the phase per step changes along the sequence (no one W).
    int t = 0;
    const auto chirp = [&t](const std::vector<cplx>& x) {
      std::vector<cplx> y = turn(x);
      y[1] = std::polar(1.0, 0.1 * ++t) * x[1];
      return y;
    };
    r = check_diagonal_dynamics(crafted(1, 10, 3, p, first_token, chirp));
    EXPECT_FALSE(r.diagonal);
    EXPECT_EQ(r.why, "x_{t+1}/x_t changes along the sequence (sequence 1, coordinate 2, t = 2)");
    // A coordinate that starts at 0 and does not stay there.
    const auto wake = [](const std::vector<cplx>& x) {
      std::vector<cplx> y = turn(x);
      y[0] += 0.25 * x[1];
      return y;
    };
    const auto zero_first = [](int s, int j) { return j == 0 ? cplx(0) : first_token(s, j); };
    r = check_diagonal_dynamics(crafted(2, 6, 2, p, zero_first, wake));
    EXPECT_FALSE(r.diagonal);
    EXPECT_NE(r.why.find("a coordinate that starts at 0 becomes 0.1"), std::string::npos) << r.why;
    // Sparse data: coordinates that start at 0 and stay there pass.
    EXPECT_TRUE(check_diagonal_dynamics(crafted(2, 6, 2, p, zero_first, turn)).diagonal);
  }
  Dataset bad = crafted(2, 6, 2, Precision::Double, first_token, turn);
  bad.set(1, 3, 1, cplx(std::nan(""), 0));
  const DynamicsCheck r = check_diagonal_dynamics(bad);
  EXPECT_FALSE(r.diagonal);
  EXPECT_EQ(r.why, "a token is not finite (sequence 2, coordinate 2, t = 4)");
}

TEST(Dynamics, ASessionOnAFileThatFailsGivesNoPredictionAndSaysWhy) {
  for (Precision p : kBoth) {
    Config c = small_config(3, 12, 40);
    c.precision = p;
    // With clip the diagonal family's theory applies whatever the mixed moments of these crafted
    // first tokens: what decides is the dynamics, and clip cannot make up for them.
    c.clip = true;
    const Dataset rotated = crafted(40, 12, 3, p, first_token, rotate(0.3)), diagonal = crafted(40, 12, 3, p, first_token, turn);
    const Dataset test = crafted(8, 12, 3, p, first_token, turn);
    Session bad(c, file_options(&rotated, &test)), good(c, file_options(&diagonal, &test));
    EXPECT_FALSE(bad.theory().applies());
    EXPECT_EQ(bad.theory().reason(), bad.theory().dynamics_reason);
    EXPECT_EQ(bad.theory().reason().rfind("the file's sequences do not follow x_{t+1} = W x_t with W diagonal and unitary", 0), 0u)
        << bad.theory().reason();
    EXPECT_NE(bad.theory().reason().find("checked on its 40 training sequences"), std::string::npos) << bad.theory().reason();
    const Json j = bad.theory();
    for (const char* k : {"c_star_T", "c_star_inf", "ratio_pred", "recovery", "last_mse_pred", "verdict"})
      EXPECT_TRUE(j[k].is_null()) << k;
    // Issue 22: the family's optimum measured on the training set is a fact of every run, reported
    EXPECT_EQ(j["c_star_empirical"].get<double>(), bad.theory().c_star_empirical);
    EXPECT_EQ(j["dynamics"]["diagonal"], false);
    EXPECT_EQ(j["dynamics"]["why"], bad.theory().dynamics_reason);
    EXPECT_TRUE(good.theory().applies()) << good.theory().reason();
    const Json g = good.theory();
    EXPECT_EQ(g["dynamics"]["diagonal"], true);
    EXPECT_EQ(g["dynamics"]["source"], "checked on the file's 40 training sequences");
    EXPECT_TRUE(g["c_star_T"].is_number());
  }
  // Generated data: diagonal by construction.
  Session gen(small_config());
  EXPECT_EQ(Json(gen.theory())["dynamics"]["source"], "by construction");
}
