// Issue 21: every instruction set's kernel (isa.hpp; kernel.cpp compiled once per set) gives the
// same bits: the shard records of each set this build has and this CPU runs, against those of
// the narrowest, byte for byte: both precisions, the three passes, stored and regenerated tokens,
// every unrolled d (1..8) and the generic kernel (d = 9), a T and m with a partial last pack.
// Independently of the sets' agreement, the narrowest is held to the naive O(T^2) loss here too
// (the other suites hold the kernel to the reference and finite differences).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "mesaflow/isa.hpp"
#include "mesaflow/reference.hpp"
#include "support.hpp"

namespace mesaflow {
namespace {

using test::random_params;
using test::small_config;

bool same_bytes(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(Isa, TheChosenKernelIsOneThisCpuRuns) {
  const auto built = kernel_isas_built(), runs = kernel_isas_supported();
  ASSERT_FALSE(runs.empty());
  EXPECT_NE(std::find(runs.begin(), runs.end(), std::string(kernel_isa())), runs.end());
  for (const std::string& r : runs) EXPECT_NE(std::find(built.begin(), built.end(), r), built.end());
  EXPECT_TRUE(kernel_scan_bytes() == 16 || kernel_scan_bytes() == 32 || kernel_scan_bytes() == 64);
  std::vector<double> out = {1.0};
  const Config c = small_config(2, 6, 8);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  EXPECT_FALSE(shard_sums_on("mmx", random_params(2, 1), ds, Pass::Forward, 0, kShards, 1, out));
  EXPECT_EQ(out, std::vector<double>{1.0});
}

TEST(Isa, EveryInstructionSetGivesTheSameBits) {
  const auto runs = kernel_isas_supported();
  if (runs.size() < 2) GTEST_SKIP() << "one kernel only in this build or on this CPU: " << runs.front();
  for (Precision precision : {Precision::Double, Precision::Single})
    for (int d : {1, 2, 3, 4, 5, 6, 7, 8, 9}) {
      Config c = small_config(d, 9, 37);  // 37 sequences: packs of 8 or 16 with a partial last one
      c.precision = precision;
      const Dataset stored = generate_dataset(c, c.m, kTrainStream);
      const Dataset regen = generate_dataset(c, c.m, kTrainStream, DataLayout::Regenerated);
      const Params p = random_params(d, 100 + d);
      for (const Dataset* ds : {&stored, &regen})
        for (Pass pass : {Pass::Gradient, Pass::Forward, Pass::Test}) {
          std::vector<double> first;
          ASSERT_TRUE(shard_sums_on(runs.front(), p, *ds, pass, 0, kShards, 2, first));
          for (std::size_t k = 1; k < runs.size(); ++k) {
            std::vector<double> other;
            ASSERT_TRUE(shard_sums_on(runs[k], p, *ds, pass, 0, kShards, 2, other));
            EXPECT_TRUE(same_bytes(first, other))
                << runs[k] << " vs " << runs.front() << ": d = " << d << (precision == Precision::Single ? " single" : " double")
                << (ds == &regen ? " regenerated" : " stored") << " pass " << static_cast<int>(pass);
          }
        }
    }
}

// The narrowest kernel against the naive O(T^2) loss of support.hpp (double): the bits every set
// shares are the right ones, not only the same ones.
TEST(Isa, TheNarrowestKernelMatchesTheNaiveLoss) {
  const auto runs = kernel_isas_supported();
  const Config c = small_config(3, 9, 37);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Params p = random_params(3, 7);
  std::vector<double> sums;
  ASSERT_TRUE(shard_sums_on(runs.front(), p, ds, Pass::Forward, 0, kShards, 1, sums));
  const Evaluation e = combine_shard_sums(sums, ds.m, ds.d, nullptr);
  std::vector<Eigen::MatrixXcd> xs;
  for (int s = 0; s < ds.m; ++s) xs.push_back(sequence_tokens(ds, s));
  const double naive = test::naive_loss(p, ds, xs);
  EXPECT_NEAR(e.loss, naive, 1e-12 * naive);
}

}  // namespace
}  // namespace mesaflow
