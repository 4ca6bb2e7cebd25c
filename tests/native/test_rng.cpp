#include <gtest/gtest.h>

#include <cmath>

#include "mesaflow/rng.hpp"
#include "support.hpp"

using namespace mesaflow;

TEST(Rng, PortableLogMatchesTheLibraryToTwoUlp) {
  Rng rng(3, 0, 0);
  for (int i = 0; i < 200000; ++i) {
    const double x = std::ldexp(0.5 + rng.uniform(), static_cast<int>(rng.below(200)) - 100);
    const double ref = std::log(x);
    const double ulp = std::nextafter(std::fabs(ref), INFINITY) - std::fabs(ref);
    ASSERT_LE(std::fabs(portable_log(x) - ref), 2 * ulp) << x;
  }
  EXPECT_EQ(portable_log(1.0), 0.0);
  EXPECT_TRUE(std::isinf(portable_log(0.0)));
  EXPECT_TRUE(std::isnan(portable_log(-1.0)));
}

TEST(Rng, NormalHasUnitVarianceAndGaussianFourthMoment) {
  Rng rng(1, 0, 0);
  const int n = 400000;
  double s1 = 0, s2 = 0, s4 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = rng.normal();
    s1 += z;
    s2 += z * z;
    s4 += z * z * z * z;
  }
  // Standard errors: mean 1/sqrt(n), E z^2: sqrt(2/n), E z^4: sqrt(96/n).
  EXPECT_NEAR(s1 / n, 0.0, 5 / std::sqrt(n));
  EXPECT_NEAR(s2 / n, 1.0, 5 * std::sqrt(2.0 / n));
  EXPECT_NEAR(s4 / n, 3.0, 5 * std::sqrt(96.0 / n));
}

TEST(Rng, UnitPhaseIsOnTheCircleAndUniform) {
  Rng rng(2, 0, 0);
  const int n = 200000, bins = 8;
  int hist[bins] = {};
  for (int i = 0; i < n; ++i) {
    double re, im;
    rng.unit_phase(re, im);
    ASSERT_NEAR(re * re + im * im, 1.0, 1e-14);
    double phi = std::atan2(im, re);
    if (phi < 0) phi += 2 * M_PI;
    ++hist[std::min(bins - 1, static_cast<int>(phi / (2 * M_PI) * bins))];
  }
  const double expect = static_cast<double>(n) / bins, sd = std::sqrt(expect * (1 - 1.0 / bins));
  for (int b = 0; b < bins; ++b) EXPECT_NEAR(hist[b], expect, 5 * sd) << "bin " << b;
}

TEST(Rng, StreamsAreReproducibleAndDistinct) {
  Rng a(5, 0, 3), b(5, 0, 3), c(5, 1, 3), e(5, 0, 4);
  const auto x = a.next_u64();
  EXPECT_EQ(x, b.next_u64());
  EXPECT_NE(x, c.next_u64());
  EXPECT_NE(x, e.next_u64());
}

TEST(Rng, BelowIsUniform) {
  Rng rng(9, 0, 0);
  int hist[5] = {};
  const int n = 100000;
  for (int i = 0; i < n; ++i) ++hist[rng.below(5)];
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(hist[k], n / 5.0, 5 * std::sqrt(n * 0.16));
}
