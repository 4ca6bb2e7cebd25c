// The L-layer linear attention model (models/layers.hpp, core/THEORY.md §12) against truths it
// does not compute itself: the formulas evaluated naively (O(T^2), every prefix state
// rebuilt at every t), central finite differences of that naive loss, the one-layer fused kernel
// at L = 1, the flop count derived by hand, and the command-line program's document.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "mesaflow/fields.hpp"
#include "mesaflow/flops.hpp"
#include "mesaflow/isa.hpp"
#include "mesaflow/models/layers.hpp"
#include "mesaflow/reference.hpp"
#include "support.hpp"

namespace mesaflow {
namespace {

Config small(int d, int T, int m, int L) {
  Config c;
  c.d = d, c.T = T, c.m = m, c.test_m = m;
  c.threads = 1;
  EXPECT_TRUE(!set_field(c, "layers", std::to_string(L)));
  return c;
}

Weights random_weights(const Model& model, const Config& c, std::uint64_t seed, double s = 0.3) {
  Config g = c;
  g.init = Init::Gaussian;
  g.sigma_w = s;
  g.seed = seed;
  return model.init(g);
}

// The formulas, literally: z^0_t = e_t; S^l_t = sum_{i<=t} z^{l-1}_i z^{l-1}_i^H rebuilt
// for every t; z^l_t = z^{l-1}_t + W_PV^l S^l_t W_KQ^l z^{l-1}_t / (t - 1) (nothing added at t = 1);
// y_hat_t = W_PV^L S^L_t W_KQ^L z^{L-1}_t / (t - 1). Returns y_hat (d, T), columns t = 2..T-1.
Eigen::MatrixXcd naive_predict(const Weights& w, int L, const Eigen::MatrixXcd& x) {
  const int d = static_cast<int>(x.rows()), T = static_cast<int>(x.cols()), D = 2 * d;
  Eigen::MatrixXcd z = Eigen::MatrixXcd::Zero(D, T - 1);  // column t - 1: z_t, t = 1..T-1
  for (int t = 1; t <= T - 1; ++t) {
    z.col(t - 1).head(d) = x.col(t - 1);
    if (t >= 2) z.col(t - 1).tail(d) = x.col(t - 2);
  }
  Eigen::MatrixXcd y = Eigen::MatrixXcd::Zero(d, T);
  for (int l = 1; l <= L; ++l) {
    const Eigen::MatrixXcd& K = w.blocks[2 * (l - 1)];
    const Eigen::MatrixXcd& P = w.blocks[2 * (l - 1) + 1];
    Eigen::MatrixXcd next = z;
    for (int t = 2; t <= T - 1; ++t) {
      Eigen::MatrixXcd S = Eigen::MatrixXcd::Zero(D, D);
      for (int i = 1; i <= t; ++i) S += z.col(i - 1) * z.col(i - 1).adjoint();
      const Eigen::VectorXcd a = P * (S * (K * z.col(t - 1))) / static_cast<double>(t - 1);
      if (l < L) next.col(t - 1) = z.col(t - 1) + a;
      else y.col(t - 1) = a;
    }
    z = next;
  }
  return y;
}

// The loss and last-position error of naive_predict over the set.
Evaluation naive_eval(const Weights& w, int L, const Dataset& ds) {
  Evaluation ev;
  for (int s = 0; s < ds.m; ++s) {
    const Eigen::MatrixXcd x = sequence_tokens(ds, s);  // (d, T)
    const Eigen::MatrixXcd y = naive_predict(w, L, x);
    for (int t = 2; t <= ds.T - 1; ++t) {
      const double e = (y.col(t - 1) - x.col(t)).squaredNorm();
      ev.loss += e / (2.0 * ds.m);
      if (t == ds.T - 1) ev.last_mse += e / (static_cast<double>(ds.m) * ds.d);
    }
  }
  return ev;
}

TEST(Layers, FieldRangeAndModelChoice) {
  Config c;
  EXPECT_EQ(c.layers, 1);
  EXPECT_EQ(&model_of(c), models()[0]);  // layers 1: the one-layer model and its fused kernel
  for (const char* bad : {"0", "5", "2.5", "x"}) {
    const Problem p = set_field(c, "layers", bad);
    EXPECT_EQ(p.field, "layers") << bad;
    EXPECT_NE(p.message.find("an integer in [1, 4]"), std::string::npos) << p.message;
  }
  ASSERT_TRUE(!set_field(c, "layers", "3"));
  EXPECT_EQ(&model_of(c), &layers_model(3));
  ASSERT_TRUE(!set_field(c, "model", "linear-map"));
  const Problem p = check_relations(c);
  EXPECT_EQ(p.field, "layers");
  EXPECT_NE(p.message.find("model attention"), std::string::npos) << p.message;
}

TEST(Layers, BlocksAndDiagonalInit) {
  Config c = small(3, 8, 4, 3);
  c.a0 = 0.25, c.b0 = -0.5;
  const Model& m = model_of(c);
  const std::vector<BlockSpec> b = m.blocks(3);
  ASSERT_EQ(b.size(), 6u);
  EXPECT_EQ(b[0].name, "wkq1");
  EXPECT_EQ(b[3].name, "wpv2");
  EXPECT_EQ(b[3].rows, 6);
  EXPECT_EQ(b[5].rows, 3);  // W_PV^L (d, D)
  const Weights w = m.init(c);
  for (int l = 0; l < 3; ++l)
    for (int i = 0; i < w.blocks[2 * l].rows(); ++i)
      for (int j = 0; j < 6; ++j) {
        EXPECT_EQ(w.blocks[2 * l](i, j), std::complex<double>(i == j + 3 ? 0.25 : 0.0, 0.0));
        if (i < w.blocks[2 * l + 1].rows()) EXPECT_EQ(w.blocks[2 * l + 1](i, j), std::complex<double>(i == j && j < 3 ? -0.5 : 0.0, 0.0));
      }
  // Gaussian at L = 1 through this class draws what the one-layer model draws.
  Config g = small(3, 8, 4, 1);
  g.init = Init::Gaussian;
  const Weights one = LayersModel(1).init(g);
  const Params p = init_params(g);
  EXPECT_EQ(one.blocks[0], p.wkq);
  EXPECT_EQ(one.blocks[1], p.wpv);
}

TEST(Layers, ClipZeroesTheRedBlocksOffDiagonalInEveryLayer) {
  Config c = small(2, 6, 4, 2);
  const Model& m = model_of(c);
  Weights w = random_weights(m, c, 3);
  const Weights before = w;
  m.clip(w);
  for (int l = 0; l < 2; ++l) {
    EXPECT_EQ(w.blocks[2 * l](2 + 0, 1), std::complex<double>(0.0));
    EXPECT_EQ(w.blocks[2 * l](2 + 1, 0), std::complex<double>(0.0));
    EXPECT_EQ(w.blocks[2 * l + 1](0, 1), std::complex<double>(0.0));
    EXPECT_EQ(w.blocks[2 * l + 1](1, 0), std::complex<double>(0.0));
    EXPECT_EQ(w.blocks[2 * l](2, 0), before.blocks[2 * l](2, 0));  // the diagonal stays
    EXPECT_EQ(w.blocks[2 * l](0, 1), before.blocks[2 * l](0, 1));  // outside the red block too
  }
}

TEST(Layers, KernelMatchesTheNaiveFormulas) {
  for (int L = 2; L <= 4; ++L)
    for (int d = 2; d <= 5; ++d) {
      Config c = small(d, 7, 9, L);
      c.x1 = d % 2 ? X1Family::Sparse : X1Family::Gaussian;
      const Model& m = model_of(c);
      const Dataset ds = generate_dataset(c, c.m, kTrainStream);
      const Weights w = random_weights(m, c, 10 + d, 0.25);
      const Evaluation ev = m.evaluate(w, ds, nullptr, 1);
      const Evaluation want = naive_eval(w, L, ds);
      EXPECT_NEAR(ev.loss, want.loss, 1e-12 * want.loss) << "L " << L << " d " << d;
      EXPECT_NEAR(ev.last_mse, want.last_mse, 1e-12 * want.last_mse) << "L " << L << " d " << d;
      EXPECT_EQ(m.evaluate_test(w, ds, 1).loss, ev.loss);  // one forward pass for every pass
    }
}

TEST(Layers, GradientMatchesFiniteDifferencesOfTheNaiveLoss) {
  for (Precision prec : {Precision::Double, Precision::Single})
    for (int L = 2; L <= 4; ++L) {
      Config c = small(2, 6, 5, L);
      c.precision = prec;
      const Model& m = model_of(c);
      const Dataset ds = generate_dataset(c, c.m, kTrainStream);
      const Weights w = random_weights(m, c, 20 + L, 0.3);
      Weights g;
      m.evaluate(w, ds, &g, 1);
      const Eigen::VectorXd v = to_vector(w), gv = to_vector(g);
      const double h = 1e-5;
      double worst = 0, scale = 0;
      for (Eigen::Index k = 0; k < v.size(); ++k) {
        Eigen::VectorXd a = v, b = v;
        a[k] += h;
        b[k] -= h;
        const double fd = (naive_eval(from_vector(a, w), L, ds).loss - naive_eval(from_vector(b, w), L, ds).loss) / (2 * h);
        worst = std::max(worst, std::abs(fd - gv[k]));
        scale = std::max(scale, std::abs(gv[k]));
      }
      EXPECT_GT(scale, 1e-3);
      EXPECT_LT(worst, 1e-7 * scale) << "L " << L << " precision " << to_string(prec);
    }
}

// At L = 1 this class computes the one-layer model (another summation order: to 1e-12, not bit for
// bit; layers 1 runs the fused kernel itself, which the saved fixtures hold bit for bit).
TEST(Layers, OneLayerThroughThisClassIsTheKernel) {
  Config c = small(3, 9, 13, 1);
  const LayersModel one(1);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Weights w = random_weights(one, c, 5);
  Weights g;
  const Evaluation ev = one.evaluate(w, ds, &g, 1);
  Params kg;
  const Evaluation want = evaluate(Params{w.blocks[0], w.blocks[1]}, ds, &kg, 1);
  EXPECT_NEAR(ev.loss, want.loss, 1e-12 * want.loss);
  EXPECT_NEAR(ev.last_mse, want.last_mse, 1e-12 * want.last_mse);
  EXPECT_NEAR(ev.ratio, want.ratio, 1e-12 * std::abs(want.ratio));
  EXPECT_LT((g.blocks[0] - kg.wkq).norm(), 1e-12 * kg.wkq.norm());
  EXPECT_LT((g.blocks[1] - kg.wpv).norm(), 1e-12 * kg.wpv.norm());
}

TEST(Layers, SameBitsForAnyThreadCount) {
  Config c = small(2, 8, 70, 3);
  const Model& m = model_of(c);
  const Dataset ds = generate_dataset(c, c.m, kTrainStream);
  const Weights w = random_weights(m, c, 8);
  Weights g1, g2;
  const Evaluation a = m.evaluate(w, ds, &g1, 1), b = m.evaluate(w, ds, &g2, 2);
  EXPECT_EQ(a.loss, b.loss);
  EXPECT_EQ(a.ratio, b.ratio);
  EXPECT_EQ(a.last_mse, b.last_mse);
  EXPECT_EQ(to_vector(g1), to_vector(g2));
}

// The pass runs kernel_scan_bytes() / 8 sequences at once, one per SIMD lane (layer_scan.hpp
// LayerScan<V>, compiled for the kernel's instruction set: MESAFLOW_ISA forces one, and the tests
// layers_isa_* run this one with each), and must give the bits of the same template at one lane
// (the scalar reference, every sequence scanned alone and its sums added one sequence after the other): the loss, ratio, last-position
// error, test loss and every gradient entry, and each shard's record. m = 7 (one pack, a tail of
// one sequence past the lanes) and 23 (two packs of 8 then a tail of 7: several shards, so two
// threads do run), in double and single precision (packs of 8 and 16), at 1 and 2 threads.
// Bit patterns, so that == tells -0 from +0 and a NaN equals itself.
using test::bits;  // support.hpp

TEST(Layers, SimdLanesGiveTheScalarBitsWithATail) {
  try {
    (void)kernel_isa();
  } catch (const std::invalid_argument& e) {  // MESAFLOW_ISA names a set this CPU cannot run
    GTEST_SKIP() << e.what();
  }
  ASSERT_GE(kernel_scan_bytes() / 8, 2) << "the pass is vectorised across sequences";
  for (Precision prec : {Precision::Double, Precision::Single})
    for (int m : {7, 23})
      for (int L = 2; L <= 4; ++L) {
        Config c = small(L == 3 ? 3 : 2, 9, m, L);
        c.precision = prec;
        const LayersModel simd(L), scalar(L, true);
        const Dataset ds = generate_dataset(c, c.m, kTrainStream);
        const Weights w = random_weights(simd, c, 30 + L);
        const Evaluation want = scalar.evaluate(w, ds, nullptr, 1);
        Weights gwant;
        scalar.evaluate(w, ds, &gwant, 1);
        for (int threads : {1, 2}) {
          const std::string at = "L " + std::to_string(L) + " m " + std::to_string(m) + " precision " + to_string(prec) +
                                 " threads " + std::to_string(threads);
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

TEST(Layers, GdAndFlowLowerTheLoss) {
  for (Method method : {Method::GD, Method::Flow}) {
    Config c = small(2, 10, 40, 2);
    c.method = method;
    c.lr = method == Method::GD ? 0.002 : 0.05;
    c.epochs = 6;
    c.a0 = c.b0 = 0.3;
    Session s(c);
    s.run(c.epochs);
    ASSERT_FALSE(s.diverged()) << test::message(s);
    const History& h = s.history();
    EXPECT_LT(h.train_loss.back(), 0.99 * h.train_loss.front()) << to_string(method);
    EXPECT_LT(h.test_loss.back(), h.test_loss.front()) << to_string(method);
    ASSERT_EQ(h.ab_layers.size(), h.rows());
    for (const auto& row : h.ab_layers) ASSERT_EQ(row.size(), 2u);
    EXPECT_EQ(h.ab_layers.front()[0], 0.09);  // a0 b0 from the diagonal init, each layer
    EXPECT_EQ(h.ab.back(), h.ab_layers.back()[1]);  // ab: the last layer's
    EXPECT_STRNE(s.model().theory_reason(), "");
    EXPECT_FALSE(s.theory().applies());
  }
}

// Counted by hand at d = 1 (D = 2), T = 3 (n = 2 positions with states, p = 1 prediction), L = 2,
// term by term as in §12: forward layer 1 8 (2*4 + 8 + 8 + 4) + (4 + 4) = 168, layer 2
// 8 (8 + 8 + 2) + 8 = 152; backward layer 2 8 (4 + 8 + 8) + 2 + 8 (8 + 8 + 4) = 322, layer 1
// 8 (8 + 8 + 8) + 4 = 196.
TEST(Layers, FlopCount) {
  const Model& m = layers_model(2);
  EXPECT_EQ(m.flops(Pass::Forward, 1, 3, 1), 320.0);
  EXPECT_EQ(m.flops(Pass::Test, 1, 3, 1), 320.0);
  EXPECT_EQ(m.flops(Pass::Gradient, 1, 3, 1), 838.0);
  EXPECT_EQ(m.flops(Pass::Gradient, 1, 3, 7), 7 * 838.0);
  EXPECT_EQ(m.flops(Pass::Gradient, 5, 100, 10000), 16219800000.0);  // core/THEORY.md §12's paper-size figure
  // L = 3 and 4 add middle layers (l < L and l > 1: a residual layer with the backward's R terms),
  // each forward 168 (as layer 1) and backward 8 (8 + 8 + 8) + 4 + 8 (8 + 8 + 4) = 356:
  // L = 3: forward 168 + 168 + 152 = 488, backward 322 + 356 + 196 = 874;
  // L = 4: forward 168 3 + 152 = 656, backward 322 + 356 2 + 196 = 1230.
  EXPECT_EQ(layers_model(3).flops(Pass::Forward, 1, 3, 1), 488.0);
  EXPECT_EQ(layers_model(3).flops(Pass::Gradient, 1, 3, 1), 488.0 + 874.0);
  EXPECT_EQ(layers_model(4).flops(Pass::Forward, 1, 3, 1), 656.0);
  EXPECT_EQ(layers_model(4).flops(Pass::Gradient, 1, 3, 1), 656.0 + 1230.0);
  // T = 4 (n = 3 states, p = 2 predictions) at L = 2: forward layer 1 8 (3 4 + 2 (4 + 4 + 4)) +
  // 2 8 = 304, layer 2 8 (12 + 2 (4 + 4 + 2)) + 2 8 = 272; backward layer 2 8 (2 2 2 + 12 + 2 2 4)
  // + 2 2 + 8 (2 2 4 + 12 + 2 4) = 288 + 4 + 288 = 580, layer 1 (P = D = 2) 8 (2 2 2 2 + 12 + 2 2 4)
  // + 2 2 2 = 352 + 8 = 360.
  EXPECT_EQ(m.flops(Pass::Forward, 1, 4, 1), 304.0 + 272.0);
  EXPECT_EQ(m.flops(Pass::Gradient, 1, 4, 1), 304.0 + 272.0 + 580.0 + 360.0);
  // At L = 1 the count is the fused kernel's (flops.hpp) except for S: built in full twice (forward,
  // and again in the backward) against once on the upper triangle.
  for (int d : {1, 3, 5})
    for (int T : {3, 10, 100}) {
      const double D = 2.0 * d;
      EXPECT_EQ(LayersModel(1).flops(Pass::Gradient, d, T, 4) - epoch_flops(d, T, 4),
                4 * 8.0 * (T - 1) * (2 * D * D - D * (D + 1) / 2));
    }
}

#ifdef MESAFLOW_CLI
std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
struct Result {
  int status;
  std::string out;
};
Result run(const std::string& args) {
  const std::string cmd = std::string(MESAFLOW_CLI) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

TEST(Layers, CommandLineWritesTheLayers) {
  const std::string out = "/tmp/mesaflow_cli_layers.json";
  std::remove(out.c_str());
  const Result r = run("train --layers 2 --d 2 --T 8 --m 24 --test-m 16 --epochs 3 --lr 0.01 --seed 3 --quiet --out " + out);
  ASSERT_EQ(r.status, 0) << r.out;
  const nlohmann::json j = nlohmann::json::parse(slurp(out));
  EXPECT_EQ(j["config"]["layers"], 2);
  ASSERT_EQ(j["final"]["layers"].size(), 2u);
  for (const auto& layer : j["final"]["layers"])
    for (const char* k : {"wkq_re", "wkq_im", "wpv_re", "wpv_im"}) EXPECT_TRUE(layer.contains(k)) << k;
  EXPECT_EQ(j["final"]["layers"][0]["wpv_re"].size(), 4u);  // W_PV^1 (D, D)
  EXPECT_EQ(j["final"]["layers"][1]["wpv_re"].size(), 2u);  // W_PV^L (d, D)
  EXPECT_EQ(j["final"]["layers"][1]["wkq_re"], j["final"]["wkq2_re"]);
  ASSERT_EQ(j["history"]["ab_layers"].size(), j["history"]["epoch"].size());
  EXPECT_EQ(j["history"]["ab_layers"][0].size(), 2u);
  EXPECT_TRUE(j["theory"]["c_star_T"].is_null());
  EXPECT_FALSE(j["theory"]["reason"].get<std::string>().empty());

  // layers 1: final.layers holds the one layer, equal to the top-level weights.
  const Result one = run("train --d 2 --T 8 --m 24 --test-m 16 --epochs 2 --quiet --out " + out);
  ASSERT_EQ(one.status, 0) << one.out;
  const nlohmann::json k = nlohmann::json::parse(slurp(out));
  ASSERT_EQ(k["final"]["layers"].size(), 1u);
  EXPECT_EQ(k["final"]["layers"][0]["wkq_re"], k["final"]["wkq_re"]);
  EXPECT_EQ(k["final"]["layers"][0]["wpv_im"], k["final"]["wpv_im"]);

  const Result bad = run("train --layers 5 --quiet");
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.out.find("layers"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("an integer in [1, 4]"), std::string::npos) << bad.out;
  const Result mixed = run("train --layers 2 --model linear-map --quiet");
  EXPECT_NE(mixed.status, 0);
  EXPECT_NE(mixed.out.find("model attention"), std::string::npos) << mixed.out;
}
#endif

}  // namespace
}  // namespace mesaflow
