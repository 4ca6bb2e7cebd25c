// The analytic backward pass against central finite differences, entry by entry, and the fast
// kernel against the reference path.
#include <gtest/gtest.h>

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
