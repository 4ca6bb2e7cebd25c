// Changing a running session (issue 10): lr, epochs, eval-every, clip and method take effect from
// the current epoch on, without a restart. The reference is a run stopped there and resumed (that
// path is held bit for bit to the uninterrupted run by test_resume) with the new configuration:
// the same numbers, bit for bit. The stability number against a finite-difference Hessian, and the
// divergence advice trains without diverging.
#include <gtest/gtest.h>

#include "mesaflow/ode.hpp"
#include "support.hpp"

using namespace mesaflow;
using namespace mesaflow::test;

namespace {
Config change_config(Method method) { return moving_config(method, 20, 3); }

// Runs `stop` epochs of c, then changes field to text and runs to the end; the reference stops
// there, and a new session with the changed configuration resumes from its checkpoint.
void expect_change_is_a_resume(Config c, int stop, const char* field, const char* text, bool external = false) {
  SCOPED_TRACE(testing::Message() << field << " = " << text << " at epoch " << stop);
  Session live(c);
  live.run(stop);
  const Checkpoint cp = live.checkpoint();
  ASSERT_FALSE(live.change(field, text)) << field;
  while (!live.done()) live.run(1000);
  Config next = c;
  ASSERT_FALSE(set_field(next, field, text));
  Session ref(next);
  ref.resume(cp);
  while (!ref.done()) ref.run(1000);
  ASSERT_FALSE(live.diverged());
  History h = live.history();
  ASSERT_EQ(h.changes.size(), 1u);
  EXPECT_EQ(h.changes[0].epoch, stop);
  EXPECT_EQ(h.changes[0].field, find_field(field)->name);
  EXPECT_EQ(h.changes[0].to, text);
  h.changes.clear();
  expect_same_history(h, ref.history());
  expect_same_params(live.params(), ref.params());
  (void)external;
}
}  // namespace

// Each field at a first epoch, at an evaluation (3) and between two (7), in a run of 10 epochs whose
// last evaluation is off the grid (10): the paths a change can take. The run was 20 epochs long
// (25 after the change); the second half added no path, only time (minutes under qemu): a change
// that is lost, applied an epoch late or early, or not carried by the checkpoint shows at epoch 8.
TEST(Change, EachLiveFieldFromTheCurrentEpochIsAResumeWithTheNewValue) {
  for (Method method : {Method::GD, Method::Flow}) {
    const Config c = moving_config(method, 10, 3);
    const char* lr = method == Method::GD ? "0.004" : "0.02";
    for (int stop : {1, 3, 7}) {
      expect_change_is_a_resume(c, stop, "lr", lr);
      expect_change_is_a_resume(c, stop, "eval-every", "2");
      expect_change_is_a_resume(c, stop, "clip", "true");
      expect_change_is_a_resume(c, stop, "epochs", "13");
      if (method == Method::GD) expect_change_is_a_resume(c, stop, "method", "flow");
    }
  }
  // From the flow to gradient descent, with a flow time per epoch that is a stable GD step.
  Config c = moving_config(Method::Flow, 10, 3);
  c.lr = 2e-3;
  expect_change_is_a_resume(c, 5, "method", "gd");
}

TEST(Change, MoreEpochsAfterTheEndGoOnAndFewerEndTheRun) {
  const Config c = change_config(Method::GD);
  Session a(c);
  a.run(c.epochs);
  ASSERT_TRUE(a.done());
  EXPECT_FALSE(a.change("epochs", "30"));
  EXPECT_FALSE(a.done());
  a.run(100);
  Config longer = c;
  longer.epochs = 30;
  Session b(longer);
  b.run(30);
  // The same steps; a's history has the row of its old last epoch (20) too.
  expect_same_params(a.params(), b.params());
  EXPECT_EQ(a.history().epoch.back(), 30);
  EXPECT_EQ(a.history().ab.back(), b.history().ab.back());
  EXPECT_EQ(a.history().changes.at(0).from, "20");
  // Fewer: not below what is done; at it, the run ends there with its row.
  Session s(c);
  s.run(8);
  EXPECT_EQ(s.change("epochs", "5").field, "epochs");
  EXPECT_NE(s.change("epochs", "5").message.find("at least the 8 epochs already trained"), std::string::npos);
  EXPECT_FALSE(s.change("epochs", "8"));
  EXPECT_TRUE(s.done());
  EXPECT_EQ(s.history().epoch.back(), 8);
}

TEST(Change, FieldsThatDefineTheRunAndBadValuesAreRefused) {
  Session s(change_config(Method::GD));
  s.run(2);
  for (const char* f : {"d", "T", "m", "x1", "scale", "magnitude", "init", "a0", "b0", "sigma-w", "test-m", "seed"}) {
    const Problem p = s.change(f, "1");
    EXPECT_EQ(p.field, find_field(f)->name);
    EXPECT_NE(p.message.find("restart"), std::string::npos) << p.message;
  }
  EXPECT_EQ(describe(s.change("lr", "abc")), "lr: 'abc' is not valid; expected a number in (0, 10]");
  EXPECT_TRUE(s.history().changes.empty());
  EXPECT_FALSE(s.change("lr", "0.002"));  // the same value: nothing changes
  EXPECT_TRUE(s.history().changes.empty());
}

// External sums (the browser's parallel path) with a change: the same numbers as a normal session
// with the same change.
TEST(Change, ExternalSumsTakeChangesAsANormalSessionDoes) {
  Config c = change_config(Method::GD);
  c.threads = 1;
  for (const auto& [field, text] : std::vector<std::pair<const char*, const char*>>{{"lr", "0.003"}, {"clip", "true"}, {"epochs", "24"}}) {
    SCOPED_TRACE(field);
    Session normal(c), ext(c, external_options());
    const ShardWorker w(c);
    const auto feed = [&] {
      std::vector<double> tr, te;
      w.train_sums(ext.params(), ext.wants_gradient(), 0, kShards, tr);
      if (ext.wants_test()) w.test_sums(ext.params(), 0, kShards, te);
      ext.feed(tr, te);
    };
    feed();
    for (int e = 0; e < 6; ++e) {
      normal.run(1);
      ext.run(1);
      feed();
    }
    ASSERT_FALSE(normal.change(field, text));
    ASSERT_FALSE(ext.change(field, text));
    while (ext.awaiting_sums()) feed();
    while (!normal.done()) normal.run(1);
    while (!ext.done()) {
      ext.run(1);
      while (ext.awaiting_sums()) feed();
    }
    expect_same_history(ext.history(), normal.history());
    expect_same_params(ext.params(), normal.params());
  }
}

// The ODE after an lr change goes on from where it was with the new step.
TEST(Change, TheOdeGoesOnWithTheNewStep) {
  Config c = small_config(3, 12, 50);
  c.epochs = 30;
  c.lr = 1e-3;
  Session s(c);
  s.run(10);
  ASSERT_FALSE(s.change("lr", "0.004"));
  const Theory& th = s.theory();
  const OdePath first = ode_path(c.a0, c.b0, th.A_emp, th.B_emp, c.d, 1e-3, 10);
  const OdePath second = ode_path(first.a.back(), first.b.back(), th.A_emp, th.B_emp, c.d, 4e-3, 20);
  ASSERT_EQ(s.ode_ab_empirical().size(), 31u);
  for (int e = 0; e <= 10; ++e) EXPECT_EQ(s.ode_ab_empirical()[e], first.ab[e]);
  for (int e = 10; e <= 30; ++e) EXPECT_EQ(s.ode_ab_empirical()[e], second.ab[e - 10]);
  EXPECT_EQ(s.ode_stability()[10], second.stability[0]);  // the step from epoch 10 is the new one
  EXPECT_EQ(s.ode_stability()[9], first.stability[9]);
}

// curvature() is the larger eigenvalue of the diagonal family's Hessian: against central
// differences of (A (ab)^2 - 2 B ab) / (2d).
TEST(Stability, CurvatureIsTheLargestEigenvalueOfTheDiagonalFamilysHessian) {
  const double A = 1560, B = 270;
  const int d = 5;
  const auto g = [&](double a, double b) { return (A * a * b * a * b - 2 * B * a * b) / (2 * d); };
  for (auto [a, b] : std::vector<std::pair<double, double>>{{0.1, 0.1}, {0.5, 1.5}, {2, 2}, {0.3, -0.7}}) {
    const double h = 1e-4;
    const double gaa = (g(a + h, b) - 2 * g(a, b) + g(a - h, b)) / (h * h);
    const double gbb = (g(a, b + h) - 2 * g(a, b) + g(a, b - h)) / (h * h);
    const double gab = (g(a + h, b + h) - g(a + h, b - h) - g(a - h, b + h) + g(a - h, b - h)) / (4 * h * h);
    const double largest = (gaa + gbb + std::sqrt((gaa - gbb) * (gaa - gbb) + 4 * gab * gab)) / 2;
    EXPECT_NEAR(curvature(a, b, A, B, d), largest, 1e-5 * largest) << a << ", " << b;
  }
}

// A run that diverges suggests a step from the curvature along its ODE; that step trains to the
// end without diverging, and follows the ODE where the training set is the diagonal family's
// (gaussian first tokens at m = 200 move the full model off it: finite m, not the step).
TEST(Stability, TheSuggestedStepDoesNotDiverge) {
  for (X1Family f : {X1Family::Gaussian, X1Family::Sparse, X1Family::UnitPhase}) {
    Config c = small_config(3, 20, 200);
    c.x1 = f;
    c.a0 = c.b0 = 2;
    c.lr = 0.5;
    c.epochs = 40;
    Session s(c);
    s.run(c.epochs);
    ASSERT_TRUE(s.diverged()) << to_string(f);
    const double lr = s.divergence().suggested_lr;
    EXPECT_LT(lr, c.lr / 2);
    c.lr = lr;
    c.epochs = 300;
    Session again(c);
    again.run(c.epochs);
    EXPECT_FALSE(again.diverged()) << to_string(f) << ": " << message(again);
    double largest = 0;
    for (double v : again.ode_stability()) largest = std::max(largest, v);
    EXPECT_LE(largest, kFollowsTheFlow * (1 + 1e-9));
    const History& h = again.history();
    for (std::size_t i = 0; i < h.epoch.size() && f != X1Family::Gaussian; ++i) {
      const double ode = again.ode_ab_empirical()[static_cast<std::size_t>(h.epoch[i])];
      EXPECT_NEAR(h.ab[i], ode, 0.05 * std::fabs(ode)) << to_string(f) << " epoch " << h.epoch[i];
    }
  }
}

// A plan from the ODE: its step follows the flow and its epochs bring the ODE to c*.
TEST(Stability, PlanReachesTheOptimumFollowingTheFlow) {
  const double A = 873, B = 147;
  const GdPlan plan = plan_gd(0.5, 1.5, A, B, 3);
  EXPECT_NEAR(plan.lr * plan.curvature, kFollowsTheFlow, 1e-12);
  const OdePath path = ode_path(0.5, 1.5, A, B, 3, plan.lr, plan.epochs);
  EXPECT_NEAR(path.ab.back(), B / A, 2e-3 * B / A);
  for (double s : path.stability) EXPECT_LE(s, kFollowsTheFlow * 1.01);
}
