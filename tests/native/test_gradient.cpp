// The analytic backward pass against central finite differences, entry by entry, and the fast
// kernel against the reference path.
#include <gtest/gtest.h>

#include <cmath>

#include "mesaflow/kernel.hpp"
#include "mesaflow/reference.hpp"
#include "support.hpp"

using namespace mesaflow;
using namespace mesaflow::test;

namespace {

void check_finite_differences(const Params& p, const Dataset& ds) {
  Params g;
  reference_loss_grad(p, ds, &g);
  const Eigen::VectorXd v = to_vector(p), gv = to_vector(g);
  const int d = p.d();
  for (int k = 0; k < v.size(); ++k) {
    const double h = 1e-5 * std::max(1.0, std::fabs(v[k]));
    Eigen::VectorXd vp = v, vm = v;
    vp[k] += h;
    vm[k] -= h;
    const double fd = (reference_loss_grad(from_vector(vp, d), ds, nullptr) -
                       reference_loss_grad(from_vector(vm, d), ds, nullptr)) /
                      (2 * h);
    EXPECT_NEAR(gv[k], fd, 1e-6 * (1 + std::fabs(fd))) << "real parameter " << k << " of " << v.size();
  }
}

}  // namespace

TEST(Gradient, FiniteDifferencesAtRandomParameters) {
  Config c = small_config(2, 7, 5);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  check_finite_differences(random_params(c.d, 11), ds);
}

TEST(Gradient, FiniteDifferencesAtDiagonalInit) {
  Config c = small_config(3, 8, 4);
  c.a0 = 0.5;
  c.b0 = 1.5;
  c.x1 = X1Family::UnitPhase;
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  check_finite_differences(init_params(c), ds);
}

TEST(Gradient, FiniteDifferencesAtGaussianInit) {
  Config c = small_config(2, 9, 6);
  c.init = Init::Gaussian;
  c.sigma_w = 0.4;
  c.x1 = X1Family::Sparse;
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  check_finite_differences(init_params(c), ds);
}

TEST(Gradient, FastKernelEqualsReference) {
  for (int d : {1, 2, 5}) {
    Config c = small_config(d, 23, 37);  // 37 sequences: the last pack is partly padding
    const Dataset ds = generate_dataset(c, c.m, kTrainStream);
    const Params p = random_params(d, 21 + d);
    Params g_ref, g_fast;
    const double l_ref = reference_loss_grad(p, ds, &g_ref);
    const double l_fast = evaluate(p, ds, &g_fast, 1).loss;
    EXPECT_NEAR(l_fast, l_ref, 1e-12 * l_ref) << "d = " << d;
    EXPECT_NEAR(evaluate_test(p, ds, 1).loss, l_ref, 1e-12 * l_ref) << "held-out pass (W_PV S_t), d = " << d;
    EXPECT_LT(rel_diff(g_fast.wkq, g_ref.wkq), 1e-12) << "d = " << d;
    EXPECT_LT(rel_diff(g_fast.wpv, g_ref.wpv), 1e-12) << "d = " << d;
  }
}

TEST(Gradient, ThreadCountDoesNotChangeOneBit) {
  Config c = small_config(5, 30, 1000);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Params p = random_params(c.d, 5);
  Params g1, g2, g3;
  const double l1 = evaluate(p, ds, &g1, 1).loss;
  const double l2 = evaluate(p, ds, &g2, 2).loss;
  const double l3 = evaluate(p, ds, &g3, 7).loss;
  EXPECT_EQ(l1, l2);
  EXPECT_EQ(l1, l3);
  EXPECT_TRUE(g1.wkq == g2.wkq && g1.wpv == g2.wpv);
  EXPECT_TRUE(g1.wkq == g3.wkq && g1.wpv == g3.wpv);
}

// The regenerated representation (x_1 and lambda; tokens recomputed in the scan) against the
// stored tokens: the same bits everywhere, with and without gradient, on the unrolled (d <= 8)
// and generic (d > 8) kernels, with a partly padded last pack.
TEST(Regenerated, TokensEqualStoredBitForBit) {
  for (X1Family f : {X1Family::Gaussian, X1Family::Sparse, X1Family::UnitPhase}) {
    Config c = small_config(4, 57, 13);
    c.x1 = f;
    const Dataset stored = generate_dataset(c, c.m, kTrainStream);
    const Dataset regen = generate_dataset(c, c.m, kTrainStream, DataLayout::Regenerated);
    EXPECT_TRUE(regen.regenerated);
    EXPECT_TRUE(regen.re.empty());
    const Dataset back = regen.tokens();
    EXPECT_TRUE(back.re == stored.re && back.im == stored.im) << to_string(f);
    for (int s : {0, 5, 12})
      for (int t : {0, 1, 30, 56})
        for (int j = 0; j < c.d; ++j) EXPECT_EQ(regen.x(s, t, j), stored.x(s, t, j));
  }
}

TEST(Regenerated, LossAndGradientEqualStoredBitForBit) {
  for (int d : {1, 3, 5, 9}) {
    Config c = small_config(d, 31, 37);
    const Dataset stored = generate_dataset(c, c.m, kTrainStream);
    const Dataset regen = generate_dataset(c, c.m, kTrainStream, DataLayout::Regenerated);
    const Params p = random_params(d, 40 + d);
    for (int threads : {1, 2}) {
      Params gs, gr;
      const Evaluation es = evaluate(p, stored, &gs, threads), er = evaluate(p, regen, &gr, threads);
      EXPECT_EQ(es.loss, er.loss) << "d = " << d;
      EXPECT_EQ(es.ratio, er.ratio) << "d = " << d;
      EXPECT_EQ(es.last_mse, er.last_mse) << "d = " << d;
      EXPECT_TRUE(gs.wkq == gr.wkq && gs.wpv == gr.wpv) << "d = " << d;
      const Evaluation fs = evaluate(p, stored, nullptr, threads), fr = evaluate(p, regen, nullptr, threads);
      EXPECT_EQ(fs.loss, es.loss) << "forward-only = forward of the gradient pass, d = " << d;
      EXPECT_EQ(fr.loss, fs.loss);
      EXPECT_EQ(fr.ratio, fs.ratio);
      EXPECT_EQ(fr.last_mse, fs.last_mse);
      // A held-out set's pass carries W_PV S_t (Pass::Test): regenerated = stored bit for bit,
      // and the S_t form's numbers up to rounding.
      const Evaluation ts = evaluate_test(p, stored, threads), tr = evaluate_test(p, regen, threads);
      EXPECT_EQ(tr.loss, ts.loss) << "d = " << d;
      EXPECT_EQ(tr.ratio, ts.ratio);
      EXPECT_EQ(tr.last_mse, ts.last_mse);
      EXPECT_NEAR(ts.loss, fs.loss, 1e-13 * fs.loss) << "d = " << d;
      EXPECT_NEAR(ts.ratio, fs.ratio, 1e-12 * std::fabs(fs.ratio) + 1e-15) << "d = " << d;
      EXPECT_NEAR(ts.last_mse, fs.last_mse, 1e-12 * fs.last_mse) << "d = " << d;
    }
  }
}

TEST(Regenerated, FastKernelEqualsReference) {
  Config c = small_config(5, 23, 37);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream, DataLayout::Regenerated);
  const Params p = random_params(c.d, 77);
  Params g_ref, g_fast;
  const double l_ref = reference_loss_grad(p, ds, &g_ref);
  const double l_fast = evaluate(p, ds, &g_fast, 1).loss;
  EXPECT_NEAR(l_fast, l_ref, 1e-12 * l_ref);
  EXPECT_LT(rel_diff(g_fast.wkq, g_ref.wkq), 1e-12);
  EXPECT_LT(rel_diff(g_fast.wpv, g_ref.wpv), 1e-12);
}

TEST(Regenerated, ThreadCountDoesNotChangeOneBit) {
  Config c = small_config(5, 30, 1000);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream, DataLayout::Regenerated);
  const Params p = random_params(c.d, 5);
  Params g1, g2, g3;
  const double l1 = evaluate(p, ds, &g1, 1).loss;
  const double l2 = evaluate(p, ds, &g2, 2).loss;
  const double l3 = evaluate(p, ds, &g3, 32).loss;
  EXPECT_EQ(l1, l2);
  EXPECT_EQ(l1, l3);
  const double t1 = evaluate_test(p, ds, 1).loss;
  EXPECT_EQ(evaluate_test(p, ds, 2).loss, t1);
  EXPECT_EQ(evaluate_test(p, ds, 32).loss, t1);
  EXPECT_TRUE(g1.wkq == g2.wkq && g1.wpv == g2.wpv);
  EXPECT_TRUE(g1.wkq == g3.wkq && g1.wpv == g3.wpv);
}

// The documented flop count (kernel.hpp) at the paper's setting: 479,660 flops per sequence.
TEST(Kernel, FlopCountAtThePaperSetting) {
  EXPECT_EQ(epoch_flops(5, 100, 10000), 4796600000.0);
  // a held-out set's pass (W_PV S_t carried): 10,000 x (8 x 99 x 2 x 5 x 10 + 98 x (8 x (100 + 50) + 40))
  EXPECT_EQ(forward_flops(5, 100, 10000), 2007200000.0);
  // d = 1 (D = 2), T = 3: one position; state 2 x 3 cmac, forward 6 cmac + 8, backward 8 cmac + 2.
  EXPECT_EQ(epoch_flops(1, 3, 1), 2 * 3 * 8 + (4 * 4 + 3 * 2) * 8 + 10);
}

// The browser's Web Workers each compute some shards; the coordinator combines them.
TEST(Kernel, ShardSumsSplitAnyWayEqualEvaluateBitForBit) {
  for (DataLayout layout : {DataLayout::Tokens, DataLayout::Regenerated}) {
    Config c = small_config(3, 11, 301);  // 38 packs, the last padded: shards of 1 and 2 packs
    const Dataset ds = generate_dataset(c, c.m, kTrainStream, layout);
    const Params p = random_params(c.d, 5);
    for (Pass pass : {Pass::Forward, Pass::Gradient, Pass::Test}) {
      const bool grad = pass == Pass::Gradient;
      Params g_ref, g;
      const Evaluation ref = pass == Pass::Test ? evaluate_test(p, ds, 1) : evaluate(p, ds, grad ? &g_ref : nullptr, 1);
      for (int cut : {0, 7, 16, 32}) {
        std::vector<double> a, b;
        shard_sums(p, ds, pass, 0, cut, 1, a);
        shard_sums(p, ds, pass, cut, kShards, 2, b);
        ASSERT_EQ(a.size() + b.size(), static_cast<std::size_t>(kShards) * shard_record_size(c.d, grad));
        a.insert(a.end(), b.begin(), b.end());
        const Evaluation ev = combine_shard_sums(a, ds.m, ds.d, grad ? &g : nullptr);
        EXPECT_EQ(ev.loss, ref.loss);
        EXPECT_EQ(ev.ratio, ref.ratio);
        EXPECT_EQ(ev.last_mse, ref.last_mse);
        if (grad) EXPECT_TRUE(g.wkq == g_ref.wkq && g.wpv == g_ref.wpv);
      }
    }
  }
}

TEST(Kernel, CombineShardSumsRefusesRecordsOfTheWrongSize) {
  Config c = small_config(2, 8, 20);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  std::vector<double> sums;
  shard_sums(random_params(c.d, 1), ds, Pass::Forward, 0, kShards, 1, sums);
  Params g;
  EXPECT_THROW(combine_shard_sums(sums, ds.m, ds.d, &g), std::invalid_argument);  // no gradients in them
  sums.pop_back();
  EXPECT_THROW(combine_shard_sums(sums, ds.m, ds.d, nullptr), std::invalid_argument);
  EXPECT_THROW(shard_sums(random_params(c.d, 1), ds, Pass::Forward, 3, 40, 1, sums), std::invalid_argument);
}
