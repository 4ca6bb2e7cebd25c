// The fused kernel (core/src/kernel.cpp) at every d with an unrolled kernel (natively 1..8,
// WebAssembly 3 and 5) and on the generic one (9, 12), in both register shapes (Scan::Build and
// Scan::Narrow: a row or two rows of each product per step), every pass and both token
// representations, against the O(T^2) formula (naive_loss, support.hpp) and the reference
// gradient (reference.hpp, itself held to finite differences in test_gradient.cpp). The chain
// naive -> reference -> kernel of core/THEORY.md §2. Built natively and for node (tests/node).
#include <gtest/gtest.h>

#include <cmath>

#include "mesaflow/kernel.hpp"
#include "mesaflow/reference.hpp"
#include "support.hpp"

using namespace mesaflow;
using namespace mesaflow::test;

namespace {

// Every d from 1 to 8 has an unrolled kernel natively (3 and 5 in WebAssembly); 9 and 12 do not.
const int kDs[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 12};

struct Sums {
  Evaluation ev;
  Params grad;
};

Sums pass_sums(const Params& p, const Dataset& ds, Pass pass, Scan scan) {
  std::vector<double> rec;
  shard_sums(p, ds, pass, 0, kShards, 1, rec, scan);
  Sums s;
  s.ev = combine_shard_sums(rec, ds.m, ds.d, pass == Pass::Gradient ? &s.grad : nullptr);
  return s;
}

void expect_same(const Sums& a, const Sums& b, bool grad, const std::string& what) {
  EXPECT_EQ(a.ev.loss, b.ev.loss) << what;
  EXPECT_EQ(a.ev.ratio, b.ev.ratio) << what;
  EXPECT_EQ(a.ev.last_mse, b.ev.last_mse) << what;
  if (grad) EXPECT_TRUE(a.grad.wkq == b.grad.wkq && a.grad.wpv == b.grad.wpv) << what;
}

std::string name(int d, Scan scan, Pass pass) {
  const char* passes[] = {"gradient", "forward", "test"};
  return "d = " + std::to_string(d) + (scan == Scan::Narrow ? ", narrow" : ", build") + ", " +
         passes[static_cast<int>(pass)] + " pass";
}

}  // namespace

TEST(Kernel, EveryUnrolledKernelAndShapeEqualsTheNaiveFormulaAndTheReference) {
  for (int d : kDs) {
    Config c = small_config(d, 13, 37);  // 37 sequences: the last pack is partly padding
    c.x1 = d % 2 ? X1Family::Gaussian : X1Family::UnitPhase;
    const Dataset ds = generate_dataset(c, c.m, kTrainStream);
    const Params p = random_params(d, 100 + d);
    std::vector<Eigen::MatrixXcd> xs;
    for (int s = 0; s < ds.m; ++s) xs.push_back(sequence_tokens(ds, s));
    const double naive = naive_loss(p, ds, xs);
    Params g_ref;
    const double l_ref = reference_loss_grad(p, ds, &g_ref);
    for (Scan scan : {Scan::Build, Scan::Narrow}) {
      const Sums g = pass_sums(p, ds, Pass::Gradient, scan);
      EXPECT_NEAR(g.ev.loss, naive, 1e-12 * naive) << name(d, scan, Pass::Gradient);
      EXPECT_NEAR(g.ev.loss, l_ref, 1e-12 * l_ref) << name(d, scan, Pass::Gradient);
      EXPECT_LT(rel_diff(g.grad.wkq, g_ref.wkq), 1e-12) << name(d, scan, Pass::Gradient) << ": dW_KQ";
      EXPECT_LT(rel_diff(g.grad.wpv, g_ref.wpv), 1e-12) << name(d, scan, Pass::Gradient) << ": dW_PV";
      // The forward pass is the gradient pass's forward half: the same bits.
      expect_same(pass_sums(p, ds, Pass::Forward, scan), g, false, name(d, scan, Pass::Forward));
      const Sums t = pass_sums(p, ds, Pass::Test, scan);  // W_PV S_t carried: equal up to rounding
      EXPECT_NEAR(t.ev.loss, naive, 1e-12 * naive) << name(d, scan, Pass::Test);
      EXPECT_NEAR(t.ev.ratio, g.ev.ratio, 1e-12 * std::fabs(g.ev.ratio) + 1e-15) << name(d, scan, Pass::Test);
      EXPECT_NEAR(t.ev.last_mse, g.ev.last_mse, 1e-12 * g.ev.last_mse) << name(d, scan, Pass::Test);
    }
  }
}

// Same bits whatever the register shape and the token representation, both precisions, every
// pass: the shapes only change which independent sums are formed side by side.
TEST(Kernel, ShapesAndRepresentationsGiveTheSameBits) {
  for (Precision precision : {Precision::Double, Precision::Single})
    for (int d : kDs) {
      Config c = small_config(d, 17, 41);
      c.precision = precision;
      const Dataset stored = generate_dataset(c, c.m, kTrainStream);
      const Dataset regen = generate_dataset(c, c.m, kTrainStream, DataLayout::Regenerated);
      const Params p = random_params(d, 200 + d);
      for (Pass pass : {Pass::Gradient, Pass::Forward, Pass::Test}) {
        const Sums base = pass_sums(p, stored, pass, Scan::Build);
        EXPECT_GT(base.ev.loss, 0.0);
        const std::string what = name(d, Scan::Narrow, pass) + (precision == Precision::Single ? ", single" : ", double");
        expect_same(pass_sums(p, stored, pass, Scan::Narrow), base, pass == Pass::Gradient, what + ", stored");
        expect_same(pass_sums(p, regen, pass, Scan::Narrow), base, pass == Pass::Gradient, what + ", regenerated");
        expect_same(pass_sums(p, regen, pass, Scan::Build), base, pass == Pass::Gradient,
                    name(d, Scan::Build, pass) + ", regenerated");
      }
    }
}

// The single-precision scan in both shapes against the double reference on the same float data
// and weights (test_precision.cpp's bound): float rounding only.
TEST(Kernel, SingleInBothShapesAgreesWithTheDoubleReference) {
  for (int d : kDs) {
    Config c = small_config(d, 21, 37);
    c.precision = Precision::Single;
    const Dataset ds = generate_dataset(c, c.m, kTrainStream);
    Params p = random_params(d, 300 + d);
    round_to(p, Precision::Single);
    Params g_ref;
    const double l_ref = reference_loss_grad(p, ds, &g_ref);
    for (Scan scan : {Scan::Build, Scan::Narrow}) {
      const Sums g = pass_sums(p, ds, Pass::Gradient, scan);
      EXPECT_NEAR(g.ev.loss, l_ref, 1e-6 * l_ref) << name(d, scan, Pass::Gradient);
      EXPECT_LT(rel_diff(g.grad.wkq, g_ref.wkq), 2e-6) << name(d, scan, Pass::Gradient);
      EXPECT_LT(rel_diff(g.grad.wpv, g_ref.wpv), 2e-6) << name(d, scan, Pass::Gradient);
    }
  }
}
