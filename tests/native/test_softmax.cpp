// One-layer softmax attention (models/softmax.hpp, core/THEORY.md §11) against truths it does
// not compute itself: the formulas evaluated naively with Eigen (exp without the shift), central
// finite differences of its loss, the one-hot limit of huge scores, a hand count of its flops,
// and the command-line program's document; plus the field's refusals and the thread-count bits.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "mesaflow/budget.hpp"
#include "mesaflow/fields.hpp"
#include "mesaflow/isa.hpp"
#include "mesaflow/models/exp.hpp"
#include "mesaflow/models/softmax.hpp"
#include "mesaflow/reference.hpp"
#include "support.hpp"

namespace mesaflow {
namespace {

Config small(int d, int T, int m) {
  Config c = test::small_config(d, T, m);
  c.test_m = m;
  EXPECT_FALSE(set_field(c, "attention", "softmax"));
  return c;
}

const Model& softmax_model() {
  Config c;
  c.attention = Attention::Softmax;
  return model_of(c);
}

Weights random_weights(int d, std::uint64_t seed, double s = 0.3) { return attention_weights(test::random_params(d, seed, s)); }

// The formulas of models/softmax.hpp literally: E_t = [e_1 .. e_t] rebuilt at every t,
// s = Re(E_t^H W_KQ e_t), alpha = exp(s) / sum exp(s) (no shift), y_hat_t = W_PV E_t alpha.
struct Naive {
  double loss = 0, last = 0, ratio = 0;
};
Naive naive(const Weights& w, const Dataset& ds) {
  const Eigen::MatrixXcd &wkq = w.blocks[0], &wpv = w.blocks[1];
  const int d = ds.d, T = ds.T;
  Naive n;
  double ratio_sum = 0, ratio_count = 0;
  for (int q = 0; q < ds.m; ++q) {
    const Eigen::MatrixXcd x = sequence_tokens(ds, q);  // (d, T)
    for (int t = 2; t <= T - 1; ++t) {                  // 1-based as in the paper
      Eigen::MatrixXcd E = Eigen::MatrixXcd::Zero(2 * d, t);
      for (int i = 1; i <= t; ++i) {
        E.col(i - 1).head(d) = x.col(i - 1);
        if (i >= 2) E.col(i - 1).tail(d) = x.col(i - 2);
      }
      const Eigen::VectorXd s = (E.adjoint() * wkq * E.col(t - 1)).real();
      const Eigen::VectorXd alpha = s.array().exp() / s.array().exp().sum();
      const Eigen::VectorXcd y = wpv * E * alpha.cast<std::complex<double>>();
      const double e = (y - x.col(t)).squaredNorm();
      n.loss += e / (2.0 * ds.m);
      if (t == T - 1) {
        n.last += e / (static_cast<double>(ds.m) * d);
        for (int j = 0; j < d; ++j)
          if (std::abs(x(j, t)) > 0) {
            ratio_sum += (y[j] / x(j, t)).real();
            ratio_count += 1;
          }
      }
    }
  }
  n.ratio = ratio_count > 0 ? ratio_sum / ratio_count : 0;
  return n;
}

TEST(Softmax, TheAttentionFieldChoosesTheModel) {
  Config c;
  EXPECT_STREQ(model_of(c).name(), "attention");  // linear is the default
  EXPECT_EQ(get_field(c, *find_field("attention")), "linear");
  ASSERT_FALSE(set_field(c, "attention", "softmax"));
  EXPECT_STREQ(model_of(c).name(), "softmax-attention");
  EXPECT_FALSE(validate(c, kNativeMemoryBudget));
  EXPECT_EQ(config_json(c)["attention"], "softmax");
  // Not a choice of the model field: the model field's list is unchanged.
  EXPECT_EQ(find_field("model")->choices, (std::vector<std::string>{"attention", "linear-map"}));
  // Bad values are refused by the table, naming the field and the choices.
  const Problem bad = set_field(c, "attention", "relu");
  EXPECT_EQ(bad.field, "attention");
  EXPECT_NE(bad.message.find("one of linear, softmax"), std::string::npos) << bad.message;
  // Softmax is a kind of the attention model, and has one layer.
  ASSERT_FALSE(set_field(c, "model", "linear-map"));
  const Problem other = validate(c, kNativeMemoryBudget);
  EXPECT_EQ(other.field, "attention");
  EXPECT_EQ(other.also, std::vector<std::string>{"model"});
  EXPECT_NE(other.message.find("not of linear-map"), std::string::npos) << other.message;
  ASSERT_FALSE(set_field(c, "model", "attention"));
  ASSERT_FALSE(set_field(c, "layers", "2"));  // the table's own range admits it; the relation refuses it
  const Problem deep = validate(c, kNativeMemoryBudget);
  EXPECT_EQ(deep.field, "attention");
  EXPECT_EQ(deep.also, std::vector<std::string>{"layers"});
  EXPECT_NE(deep.message.find("one layer"), std::string::npos) << deep.message;
  EXPECT_NE(deep.message.find("layers 2"), std::string::npos) << deep.message;
  ASSERT_FALSE(set_field(c, "layers", "1"));
  EXPECT_FALSE(validate(c, kNativeMemoryBudget));
  c.attention = Attention::Linear;
  c.layers = 3;
  EXPECT_FALSE(validate(c, kNativeMemoryBudget));  // linear attention: three layers are allowed
}

TEST(Softmax, MatchesTheNaiveFormulas) {
  for (X1Family f : {X1Family::Gaussian, X1Family::Sparse, X1Family::FullOne}) {
    Config c = small(3, 9, 21);
    c.x1 = f;
    const Dataset ds = generate_dataset(c, c.m, kTrainStream);
    const Weights w = random_weights(c.d, 4);
    const Naive want = naive(w, ds);
    for (Pass pass : {Pass::Gradient, Pass::Forward, Pass::Test}) {
      std::vector<double> sums;
      softmax_model().shard_sums(w, ds, pass, 0, kShards, 1, sums);
      Weights g;
      const Evaluation ev = softmax_model().combine_shard_sums(sums, ds.m, ds.d, pass == Pass::Gradient ? &g : nullptr);
      EXPECT_NEAR(ev.loss, want.loss, 1e-12 * want.loss) << to_string(f);
      EXPECT_NEAR(ev.last_mse, want.last, 1e-12 * want.last) << to_string(f);
      EXPECT_NEAR(ev.ratio, want.ratio, 1e-12 * (1 + std::fabs(want.ratio))) << to_string(f);
    }
  }
}

// Central differences of the loss in every real parameter, in double.
Weights finite_differences(const Model& model, const Weights& w, const Dataset& ds, double h) {
  const Eigen::VectorXd v = to_vector(w);
  Eigen::VectorXd g(v.size());
  for (Eigen::Index k = 0; k < v.size(); ++k) {
    Eigen::VectorXd up = v, down = v;
    up[k] += h;
    down[k] -= h;
    g[k] = (model.evaluate(from_vector(up, w), ds, nullptr, 1).loss - model.evaluate(from_vector(down, w), ds, nullptr, 1).loss) /
           (2 * h);
  }
  return from_vector(g, w);
}

TEST(Softmax, GradientMatchesFiniteDifferences) {
  Config c = small(2, 8, 10);
  c.x1 = X1Family::Gaussian;
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Weights w = random_weights(c.d, 7, 0.5);
  Weights g;
  softmax_model().evaluate(w, ds, &g, 1);
  const Eigen::VectorXd fd = to_vector(finite_differences(softmax_model(), w, ds, 1e-5)), an = to_vector(g);
  EXPECT_LT((fd - an).cwiseAbs().maxCoeff(), 1e-8 * an.cwiseAbs().maxCoeff()) << (fd - an).transpose();
  EXPECT_GT(an.cwiseAbs().minCoeff(), 0.0);  // every parameter carries gradient here
  // A single-precision run's data and weights are floats (the pass itself is in double): the
  // gradient still matches, to a looser tolerance.
  Config s = c;
  s.precision = Precision::Single;
  const Dataset dsf = generate_dataset(s, s.m, kTrainStream);
  Weights wf = w;
  round_to(wf, Precision::Single);
  softmax_model().evaluate(wf, dsf, &g, 1);
  const Eigen::VectorXd fdf = to_vector(finite_differences(softmax_model(), wf, dsf, 1e-4)), anf = to_vector(g);
  EXPECT_LT((fdf - anf).cwiseAbs().maxCoeff(), 1e-5 * anf.cwiseAbs().maxCoeff());
}

TEST(Softmax, SameBitsAtAnyThreadCountAndShardSplit) {
  Config c = small(3, 10, 70);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Weights w = random_weights(c.d, 2);
  Weights g1;
  const Evaluation one = softmax_model().evaluate(w, ds, &g1, 1);
  for (int threads : {2, 3}) {
    Weights g;
    const Evaluation ev = softmax_model().evaluate(w, ds, &g, threads);
    EXPECT_EQ(ev.loss, one.loss);
    EXPECT_EQ(ev.ratio, one.ratio);
    EXPECT_EQ(ev.last_mse, one.last_mse);
    EXPECT_TRUE(g.blocks[0] == g1.blocks[0] && g.blocks[1] == g1.blocks[1]) << threads;
  }
  // Shards computed apart (the page's workers) and combined give the same bits.
  std::vector<double> a, b;
  softmax_model().shard_sums(w, ds, Pass::Gradient, 0, 11, 1, a);
  softmax_model().shard_sums(w, ds, Pass::Gradient, 11, kShards, 2, b);
  a.insert(a.end(), b.begin(), b.end());
  Weights g;
  EXPECT_EQ(softmax_model().combine_shard_sums(a, ds.m, ds.d, &g).loss, one.loss);
  EXPECT_TRUE(g.blocks[0] == g1.blocks[0] && g.blocks[1] == g1.blocks[1]);
  std::vector<double> bad;
  EXPECT_THROW(softmax_model().shard_sums(random_weights(2, 1), ds, Pass::Forward, 0, kShards, 1, bad), std::invalid_argument);
}

// Bit patterns, so that == tells -0 from +0 and a NaN equals itself.
using test::bits;  // support.hpp

// The pass runs kernel_scan_bytes() / 8 sequences at once, one per SIMD lane (softmax_scan.hpp
// SoftmaxScan<V>, compiled for the kernel's instruction set: MESAFLOW_ISA forces one, and the tests
// softmax_isa_* run this one with each), and must give the bits of the same template at one lane
// (the scalar reference, every sequence scanned alone, its gradient terms added position by
// position one sequence after the other): the loss, ratio, last-position error, test loss, every
// gradient entry and each shard's record. m = 7 (one pack, a tail of one sequence past the lanes)
// and 23 (packs of 8 then a tail of 7 in double: several shards, so two threads do run), both
// precisions, 1 and 2 threads; scores of 0.3 and of 40 (exp's underflow to 0 in some lanes).
TEST(Softmax, SimdLanesGiveTheScalarBitsWithATail) {
  try {
    (void)kernel_isa();
  } catch (const std::invalid_argument& e) {  // MESAFLOW_ISA names a set this CPU cannot run
    GTEST_SKIP() << e.what();
  }
  ASSERT_GE(kernel_scan_bytes() / 8, 2) << "the pass is vectorised across sequences";
  const SoftmaxModel simd, scalar(true);
  for (Precision prec : {Precision::Double, Precision::Single})
    for (int m : {7, 23})
      for (double size : {0.3, 40.0}) {
        Config c = small(m == 7 ? 3 : 2, 9, m);
        c.precision = prec;
        const Dataset ds = generate_dataset(c, c.m, kTrainStream);
        const Weights w = random_weights(c.d, 40 + m, size);
        Weights gwant;
        const Evaluation want = scalar.evaluate(w, ds, &gwant, 1);
        for (int threads : {1, 2}) {
          const std::string at = "m " + std::to_string(m) + " precision " + to_string(prec) + " size " +
                                 std::to_string(size) + " threads " + std::to_string(threads);
          Weights g;
          const Evaluation ev = simd.evaluate(w, ds, &g, threads);
          EXPECT_EQ(bits(ev.loss), bits(want.loss)) << at;
          EXPECT_EQ(bits(ev.ratio), bits(want.ratio)) << at;
          EXPECT_EQ(bits(ev.last_mse), bits(want.last_mse)) << at;
          EXPECT_EQ(bits(to_vector(g)), bits(to_vector(gwant))) << at;
          EXPECT_EQ(bits(simd.evaluate_test(w, ds, threads).loss), bits(scalar.evaluate_test(w, ds, 1).loss)) << at;
          for (Pass pass : {Pass::Forward, Pass::Gradient}) {
            std::vector<double> a, b;
            simd.shard_sums(w, ds, pass, 0, kShards, threads, a);
            scalar.shard_sums(w, ds, pass, 0, kShards, 1, b);
            EXPECT_EQ(bits(a), bits(b)) << at;
          }
        }
      }
}

TEST(Softmax, HugeScoresGiveTheOneHotLimitWithoutOverflow) {
  // W_KQ = 1e4 I: s_{t,i} = 1e4 Re(e_i^H e_t), scores of order 1e4, far past exp's overflow (709.8).
  // The softmax is then one-hot on the largest score, so y_hat_t = W_PV e_{argmax}: the truth here.
  Config c = small(2, 7, 9);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  Weights w = random_weights(c.d, 3);
  w.blocks[0] = 1e4 * Eigen::MatrixXcd::Identity(4, 4);
  double loss = 0, largest = 0;
  for (int q = 0; q < ds.m; ++q) {
    const Eigen::MatrixXcd x = sequence_tokens(ds, q);
    const auto e = [&](int i) {  // 1-based
      Eigen::VectorXcd v = Eigen::VectorXcd::Zero(4);
      v.head(2) = x.col(i - 1);
      if (i >= 2) v.tail(2) = x.col(i - 2);
      return v;
    };
    for (int t = 2; t <= c.T - 1; ++t) {
      int best = 1;
      double top = -1e300, second = -1e300;
      for (int i = 1; i <= t; ++i) {
        const double s = (e(i).adjoint() * w.blocks[0] * e(t))(0).real();
        if (s > top) second = top, top = s, best = i;
        else second = std::max(second, s);
      }
      ASSERT_GT(top - second, 40.0);  // one-hot to 1e-17: exp(-40)
      largest = std::max(largest, top);
      loss += (w.blocks[1] * e(best) - x.col(t)).squaredNorm() / (2.0 * ds.m);
    }
  }
  ASSERT_TRUE(std::isinf(std::exp(largest)));  // the naive exp would overflow
  Weights g;
  const Evaluation ev = softmax_model().evaluate(w, ds, &g, 1);
  EXPECT_NEAR(ev.loss, loss, 1e-12 * loss);
  EXPECT_TRUE(g.finite());
  EXPECT_TRUE(std::isfinite(ev.ratio) && std::isfinite(ev.last_mse));
}

TEST(Softmax, GradientDescentAndFlowLowerTheLoss) {
  for (Method method : {Method::GD, Method::Flow}) {
    Config c = small(2, 10, 48);
    c.test_m = 32;
    c.method = method;
    c.init = Init::Gaussian;
    c.sigma_w = 0.3;
    c.lr = 0.05;  // GD's step, or the flow's time per epoch
    c.epochs = 8;
    Session s(c);
    s.run(c.epochs);
    ASSERT_FALSE(s.diverged()) << test::message(s);
    const History& h = s.history();
    EXPECT_LT(h.train_loss.back(), 0.97 * h.train_loss.front()) << to_string(method);
    EXPECT_LT(h.test_loss.back(), h.test_loss.front()) << to_string(method);
    EXPECT_TRUE(std::isfinite(h.ab.back()));  // the red blocks' diagonal mean, as for linear attention
    EXPECT_FALSE(s.theory().applies());
    EXPECT_NE(s.theory().reason().find("§11"), std::string::npos) << s.theory().reason();
    EXPECT_TRUE(s.has_mesa());  // issue 23: every attention model has the mesa view (gd_steps.hpp), gd1 null here
  }
}

TEST(Softmax, DiagonalInitAndClipAreTheLinearModels) {
  Config c = small(3, 9, 8);
  c.a0 = 0.3;
  c.b0 = -0.2;
  const Weights w = softmax_model().init(c);
  const Params p = init_params(c);
  EXPECT_TRUE(w.blocks[0] == p.wkq && w.blocks[1] == p.wpv);
  Weights r = random_weights(3, 5);
  softmax_model().clip(r);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      if (i != j) {
        EXPECT_EQ(r.blocks[0](3 + i, j), 0.0) << i << j;
        EXPECT_EQ(r.blocks[1](i, j), 0.0) << i << j;
      }
}

// The model's own exp (models/exp.hpp) against the platform's std::exp (an independent
// implementation): relative error below 1e-15 wherever the result is normal, over the range the
// softmax uses (s - max <= 0) and a little above; the edges of the range exactly.
TEST(Softmax, PortableExpMatchesTheLibraryExp) {
  double worst = 0, at = 0;
  const int n = 200000;
  for (int k = 0; k <= n; ++k) {
    // a grid over [-708, 5] whose points are not multiples of ln 2, and a fine grid over [-2, 0]
    const double x = k % 2 ? -708.0 + 713.0 * k / n : -2.0 * k / n;
    const double err = std::fabs(portable_exp(x) - std::exp(x)) / std::exp(x);
    if (err > worst) worst = err, at = x;
  }
  EXPECT_LT(worst, 1e-15) << "at x = " << at;
  EXPECT_EQ(portable_exp(0.0), 1.0);
  EXPECT_EQ(portable_exp(-800.0), 0.0);
  EXPECT_EQ(portable_exp(-std::numeric_limits<double>::infinity()), 0.0);
  EXPECT_TRUE(std::isinf(portable_exp(710.0)));
  EXPECT_TRUE(std::isnan(portable_exp(std::numeric_limits<double>::quiet_NaN())));
  // subnormal results: within one subnormal step (2^-1074) of the library's
  EXPECT_NEAR(portable_exp(-740.0), std::exp(-740.0), 5e-324);
}

TEST(Softmax, FlopsPinned) {
  // By hand at d = 1 (D = 2), T = 3: one position (t = 2) with 2 scores.
  //   forward, per position: q = W_KQ e (4 cmac = 32), y = W_PV u (2 cmac = 16), r and |r|^2 (6),
  //     1 / z and loss += (2): 56; per score: Re(e^H q) (8), max, shift, exp, z += (4), scale (1),
  //     u += alpha e (8): 21, so 42; the ratio at the last position (9): 56 + 42 + 9 = 107.
  //   gradient adds per position dW_PV, W_PV^H r (2 + 2 cmac = 32) and dW_KQ (4 cmac = 32): 64,
  //     per score c_i, cbar (10) and v (10): 20, so 40: 107 + 104 = 211.
  EXPECT_EQ(softmax_model().flops(Pass::Forward, 1, 3, 1), 107.0);
  EXPECT_EQ(softmax_model().flops(Pass::Test, 1, 3, 1), 107.0);
  EXPECT_EQ(softmax_model().flops(Pass::Gradient, 1, 3, 1), 211.0);
  EXPECT_EQ(softmax_model().flops(Pass::Gradient, 1, 3, 7), 7 * 211.0);
  // T = 4: two positions (t = 2, 3) with 2 + 3 = 5 scores: forward 2 56 + 5 21 + 9 = 226, with the
  // gradient 2 (56 + 64) + 5 (21 + 20) + 9 = 454 (the scores grow with t, the positions' terms do not).
  EXPECT_EQ(softmax_model().flops(Pass::Forward, 1, 4, 1), 226.0);
  EXPECT_EQ(softmax_model().flops(Pass::Gradient, 1, 4, 1), 454.0);
  // O(T^2 d) per sequence: doubling T at large T multiplies the count by 4 (to 1%).
  const double a = softmax_model().flops(Pass::Gradient, 5, 4000, 1), b = softmax_model().flops(Pass::Gradient, 5, 8000, 1);
  EXPECT_NEAR(b / a, 4.0, 0.04);
  // The paper's size (d = 5, D = 10, T = 100): 98 positions of (150 + 200) cmac + 32 flops, 4949
  // scores of 169 flops, and the ratio's 45.
  EXPECT_EQ(softmax_model().flops(Pass::Gradient, 5, 100, 1), 98.0 * 2832 + 4949.0 * 169 + 45);
  // Forward there: per position q and y (100 + 50 cmac) + 32, per score 8 D + 5 = 85.
  EXPECT_EQ(softmax_model().flops(Pass::Forward, 5, 100, 1), 98.0 * 1232 + 4949.0 * 85 + 45);
}

TEST(Softmax, MemoryEstimateCountsThePositions) {
  Config c;
  c.T = 50000;
  c.m = 8;
  c.test_m = 8;
  const double linear = estimate_bytes(c);
  c.attention = Attention::Softmax;
  // Per thread: the sequence (16 bytes per T d) and a row of scores and their gradient (16 per T).
  EXPECT_EQ(estimate_bytes(c) - linear, (16.0 * c.d + 16.0) * c.T + (64.0 * 16.0 - memory_terms(*models()[0], c.precision).scratch_d2) * c.d * c.d);
}

}  // namespace
}  // namespace mesaflow

// The command-line program's document: the final weights at the top and in final.layers.
namespace {
std::string slurp(const std::string& p) {
  std::ifstream f(p);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
int run(const std::string& args, std::string* out = nullptr) {
  const std::string cmd = std::string(MESAFLOW_CLI) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string text;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, p)) text.append(buf, n);
  const int st = pclose(p);
  if (out) *out = text;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(Softmax, CommandLineWritesTheFinalLayersAndRefusesBadValues) {
  const std::string path = ::testing::TempDir() + "mesaflow_cli_softmax.json";
  std::string out;
  ASSERT_EQ(run("train --attention softmax --d 2 --T 8 --m 24 --test-m 16 --epochs 3 --lr 0.05 --init gaussian --threads 1 --out " +
                    path,
                &out),
            0)
      << out;
  const nlohmann::json j = nlohmann::json::parse(slurp(path));
  EXPECT_EQ(j["config"]["attention"], "softmax");
  EXPECT_EQ(j["theory"]["applies"], false);
  ASSERT_EQ(j["final"]["layers"].size(), 1u);
  for (const char* k : {"wkq_re", "wkq_im", "wpv_re", "wpv_im"}) EXPECT_EQ(j["final"]["layers"][0][k], j["final"][k]) << k;
  EXPECT_EQ(j["final"]["wkq_re"].size(), 4u);
  EXPECT_EQ(j["history"]["test_loss"].size(), 4u);  // epochs 0..3
  EXPECT_TRUE(j["history"]["ab"].back().is_number());
  EXPECT_NE(run("train --attention relu --epochs 1", &out), 0);
  EXPECT_NE(out.find("--attention"), std::string::npos) << out;
  EXPECT_NE(out.find("one of linear, softmax"), std::string::npos) << out;
  EXPECT_NE(run("train --attention softmax --model linear-map --epochs 1", &out), 0);
  EXPECT_NE(out.find("not of linear-map"), std::string::npos) << out;
}
}  // namespace
