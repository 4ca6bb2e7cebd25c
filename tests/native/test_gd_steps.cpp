// The K-step gradient descent comparators of the mesa view (gd_steps.hpp, core/THEORY.md §13)
// against truths they do not compute themselves: gradient descent iterated literally on the
// in-context least squares of every position (the causal variant with every token's weight kept,
// O(T^2) per step), the chosen steps against a fine grid of that literal error, K = 1 against
// the view's best vanilla step, "worth" on hand-built cases and on a model that is 2-step GD, the
// model's own per-position errors against its training pass, the flop count by hand, and the
// command-line program's document for layers 2 and softmax.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "mesaflow/budget.hpp"
#include "mesaflow/fields.hpp"
#include "mesaflow/gd_steps.hpp"
#include "mesaflow/mesa.hpp"
#include "mesaflow/models/layers.hpp"
#include "mesaflow/reference.hpp"
#include "support.hpp"

namespace mesaflow {
namespace {

using Mat = Eigen::MatrixXcd;

// Token i (1-based) of a sequence x (d, T).
Eigen::VectorXcd tok(const Mat& x, int i) { return x.col(i - 1); }

// Non-causal, from the formula: W_{j+1} = W_j - (eta / (t-1)) grad L_t(W_j), W_0 = 0, with
// grad L_t(W) = -sum_{i=2}^t (x_i - W x_{i-1}) x_{i-1}^H; the prediction W_K x_t.
Eigen::VectorXcd naive_plain(const Mat& x, int t, int K, double eta) {
  const int d = static_cast<int>(x.rows());
  Mat W = Mat::Zero(d, d);
  for (int j = 0; j < K; ++j) {
    Mat grad = Mat::Zero(d, d);
    for (int i = 2; i <= t; ++i) grad -= (tok(x, i) - W * tok(x, i - 1)) * tok(x, i - 1).adjoint();
    W = W - (eta / (t - 1)) * grad;
  }
  return W * tok(x, t);
}

// Causal, from the formula: every token i = 2..t keeps its own weight, W_0^(i) = 0,
// W_{j+1}^(i) = W_j^(i) + (eta / (i-1)) sum_{i'=2}^{i} (x_{i'} - W_j^(i') x_{i'-1}) x_{i'-1}^H;
// the prediction W_K^(t) x_t.
Eigen::VectorXcd naive_causal(const Mat& x, int t, int K, double eta) {
  const int d = static_cast<int>(x.rows());
  std::vector<Mat> W(static_cast<std::size_t>(t) + 1, Mat::Zero(d, d));
  for (int j = 0; j < K; ++j) {
    std::vector<Mat> next = W;
    for (int i = 2; i <= t; ++i) {
      Mat sum = Mat::Zero(d, d);
      for (int ip = 2; ip <= i; ++ip) sum += (tok(x, ip) - W[ip] * tok(x, ip - 1)) * tok(x, ip - 1).adjoint();
      next[i] = W[i] + (eta / (i - 1)) * sum;
    }
    W = next;
  }
  return W[t] * tok(x, t);
}

Eigen::VectorXcd naive(bool causal, const Mat& x, int t, int K, double eta) {
  return causal ? naive_causal(x, t, K, eta) : naive_plain(x, t, K, eta);
}

// The mean over the first n sequences of ||y - x_{t+1}||^2 at position t.
double naive_error(const Dataset& ds, int n, bool causal, int t, int K, double eta) {
  double s = 0;
  for (int q = 0; q < n; ++q) {
    const Mat x = sequence_tokens(ds, q);
    s += (naive(causal, x, t, K, eta) - tok(x, t + 1)).squaredNorm();
  }
  return s / n;
}

Config setting(int d, int T, X1Family x1, Process process, double noise) {
  Config c;
  c.d = d, c.T = T, c.m = 16, c.test_m = 16;
  c.x1 = x1;
  c.process = process;
  c.noise = noise;
  c.threads = 1;
  return c;
}

struct Case {
  int d, T;
  X1Family x1;
  Process process;
  double noise;
};
const Case kCases[] = {{2, 9, X1Family::Gaussian, Process::Diagonal, 0.0},
                       {3, 8, X1Family::Sparse, Process::Unitary, 0.0},
                       {2, 10, X1Family::Gaussian, Process::Rotation, 0.2}};

TEST(GdSteps, CurvesAreGradientDescentIteratedLiterally) {
  for (const Case& k : kCases) {
    const Config c = setting(k.d, k.T, k.x1, k.process, k.noise);
    const Dataset ds = generate_dataset(c, c.test_m, kTestStream);
    const int n = 12;
    const GdSteps g = gd_steps(ds, n);
    ASSERT_EQ(g.plain.size(), 4u);
    ASSERT_EQ(g.causal.size(), 4u);
    for (int causal = 0; causal < 2; ++causal)
      for (int K = 1; K <= 4; ++K) {
        const GdStep& st = (causal ? g.causal : g.plain)[K - 1];
        ASSERT_EQ(st.k, K);
        ASSERT_EQ(st.error.size(), static_cast<std::size_t>(k.T - 2));
        for (int t = 2; t <= k.T - 1; ++t) {
          const double want = naive_error(ds, n, causal, t, K, st.eta);
          const double zero = naive_error(ds, n, causal, t, 1, 0.0);  // W = 0: the scale of the errors
          EXPECT_NEAR(st.error[t - 2], want, 1e-12 * want + 1e-15 * zero)
              << "d " << k.d << " causal " << causal << " K " << K << " t " << t;
        }
      }
    // K = 0: predicting 0 at the last position.
    EXPECT_NEAR(g.zero_last, naive_error(ds, n, false, k.T - 1, 1, 0.0), 1e-14 * g.zero_last);
  }
}

// The chosen step minimises the literal last-position error: no point of a fine grid around it
// (1001 steps over [-3 s, 3 s], s the larger of |eta| and the one-step eta) does better, and
// nudging it either way does not either.
TEST(GdSteps, EachStepIsTheMinimumOfTheLastPositionError) {
  for (const Case& k : kCases) {
    const Config c = setting(k.d, k.T, k.x1, k.process, k.noise);
    const Dataset ds = generate_dataset(c, c.test_m, kTestStream);
    const int n = 8, t = k.T - 1;
    const GdSteps g = gd_steps(ds, n);
    for (int causal = 0; causal < 2; ++causal)
      for (int K = 1; K <= 4; ++K) {
        const double eta = (causal ? g.causal : g.plain)[K - 1].eta;
        const double best = naive_error(ds, n, causal, t, K, eta);
        const double s = std::max(std::fabs(eta), std::fabs(g.plain[0].eta));
        double grid = std::numeric_limits<double>::infinity();
        for (int i = 0; i <= 1000; ++i) grid = std::min(grid, naive_error(ds, n, causal, t, K, s * (-3 + 6.0 * i / 1000)));
        EXPECT_LE(best, grid * (1 + 1e-12) + 1e-300) << "d " << k.d << " causal " << causal << " K " << K;
        for (double h : {1e-3, -1e-3, 1e-6, -1e-6})
          EXPECT_LE(best, naive_error(ds, n, causal, t, K, eta * (1 + h)) * (1 + 1e-13)) << "K " << K << " h " << h;
        if (K > 1) EXPECT_NE(eta, g.plain[0].eta);  // a search happened
      }
  }
}

// K = 1 is gd_best's step and error at the last position (the closed form of §7), the same for
// both variants; the polynomial of the sums is the error.
TEST(GdSteps, OneStepIsTheBestVanillaStep) {
  for (const Case& k : kCases) {
    const Config c = setting(k.d, k.T, k.x1, k.process, k.noise);
    const Dataset ds = generate_dataset(c, c.test_m, kTestStream);
    const MesaView v = mesa_view(test::random_params(k.d, 4), ds, 14);
    ASSERT_EQ(v.gd_steps.size(), 4u);
    EXPECT_NEAR(v.gd_steps[0].eta, v.gd_best_eta.back(), 1e-12 * std::fabs(v.gd_best_eta.back()));
    EXPECT_NEAR(v.gd_steps[0].error.back(), v.gd_best.back(), 1e-12 * v.gd_best.back());
    EXPECT_EQ(v.gd_steps_causal[0].eta, v.gd_steps[0].eta);
    EXPECT_EQ(v.gd_steps_causal[0].error, v.gd_steps[0].error);
  }
  // The polynomial of degree 2K against a direct sum: one sequence's v_k and x, K = 3.
  const double M[16] = {2, 0.5, -1, 0, 0.5, 3, 0.25, 0, -1, 0.25, 1.5, 0, 0, 0, 0, 0}, b[4] = {1, -0.5, 0.75, 0};
  const double xx = 4, eta = 0.7;
  const double a[3] = {3 * eta, -3 * eta * eta, eta * eta * eta};  // (-1)^k binom(3, k+1) eta^{k+1}
  double want = xx;
  for (int i = 0; i < 3; ++i) {
    want -= 2 * a[i] * b[i];
    for (int j = 0; j < 3; ++j) want += a[i] * a[j] * M[i * 4 + j];
  }
  EXPECT_NEAR(gd_error_polynomial(3, M, b, xx, eta), want, 1e-14 * std::fabs(want));
}

// A double well: E(eta) = (eta^2 - 1)^2 + 0.1 (eta - 1)^2 has its least minimum near 1 and another
// near -1; the search must find the first (a local search from 0 could end in either).
TEST(GdSteps, TheSearchFindsTheGlobalMinimum) {
  // K = 2: y = 2 eta v_0 - eta^2 v_1 with one real coordinate per "sequence": with v_0 = 0,
  // v_1 = -1, x = 1 the error is (eta^2 - 1)^2; a second coordinate, v_0 = sqrt(0.1) / 2,
  // v_1 = 0, x = sqrt(0.1), adds 0.1 (eta - 1)^2. The sums M, b, xx of both:
  const double r = std::sqrt(0.1);
  const double M[16] = {0.025, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const double b[4] = {r / 2 * r, -1, 0, 0}, xx = 1 + 0.1;
  for (double e : {-1.0, 0.0, 0.5, 1.0, 2.0})
    EXPECT_NEAR(gd_error_polynomial(2, M, b, xx, e), (e * e - 1) * (e * e - 1) + 0.1 * (e - 1) * (e - 1), 1e-14);
  const double eta = gd_best_eta(2, M, b, xx);
  // The minimiser: 4 eta (eta^2 - 1) + 0.2 (eta - 1) = 0 at eta = 1 exactly.
  EXPECT_NEAR(eta, 1.0, 1e-12);
}

TEST(GdSteps, WorthOnHandBuiltCases) {
  const std::vector<double> e = {0.5, 0.25, 0.125, 0.0625};
  EXPECT_EQ(gd_worth(0.25, 1, e).value, 2);
  EXPECT_EQ(gd_worth(0.5, 1, e).value, 1);
  EXPECT_EQ(gd_worth(1, 1, e).value, 0);
  EXPECT_NEAR(gd_worth(std::sqrt(0.5 * 0.25), 1, e).value, 1.5, 1e-14);  // halfway in log error
  EXPECT_NEAR(gd_worth(0.3, 1, e).value, 1 + std::log(0.5 / 0.3) / std::log(2.0), 1e-14);
  EXPECT_EQ(gd_worth(0.0625, 1, e).value, 4);
  // Not monotone in K: the smallest K that matches.
  EXPECT_NEAR(gd_worth(0.55, 1, {0.5, 0.6, 0.2, 0.1}).value, std::log(1 / 0.55) / std::log(2.0), 1e-14);
  // An exact zero: linear in the error between K - 1 and K.
  EXPECT_NEAR(gd_worth(0.1, 1, {0.5, 0.0, 0.0, 0.0}).value, 1 + (1 - 0.1 / 0.5), 1e-15);
  EXPECT_EQ(gd_worth(0.0, 1, {0.5, 0.0, 0.0, 0.0}).value, 2);
  const GdWorth worse = gd_worth(1.5, 1, e);
  EXPECT_TRUE(std::isnan(worse.value));
  EXPECT_NE(worse.reason.find("above that of W = 0"), std::string::npos) << worse.reason;
  const GdWorth better = gd_worth(0.01, 1, e);
  EXPECT_TRUE(std::isnan(better.value));
  EXPECT_NE(better.reason.find("better than 4 steps"), std::string::npos) << better.reason;
  EXPECT_TRUE(gd_worth(0.3, 1, e).reason.empty());
}

// A model whose predictions are the best 2-step GD's is worth 2 steps (up to the rounding of two
// ways of forming the same error).
TEST(GdSteps, AModelThatIsTwoStepGdIsWorthTwo) {
  const Config c = setting(3, 12, X1Family::Gaussian, Process::Diagonal, 0.0);
  const Dataset ds = generate_dataset(c, c.test_m, kTestStream);
  const int n = 16;
  const double eta2 = gd_steps(ds, n).plain[1].eta;
  const SequencePredictor two_steps = [](const void* eta, const Dataset& data, int s) {
    const Mat x = sequence_tokens(data, s);
    Mat y = Mat::Zero(x.rows(), x.cols());
    for (int t = 2; t <= x.cols() - 1; ++t) y.col(t - 1) = naive_plain(x, t, 2, *static_cast<const double*>(eta));
    return y;
  };
  const MesaView v = mesa_view(two_steps, &eta2, ds, n);
  EXPECT_NEAR(v.gd_worth, 2.0, 1e-9) << v.gd_worth_reason;
  EXPECT_FALSE(v.ab_curves);
  EXPECT_TRUE(v.gd1.empty());
  EXPECT_TRUE(v.not_gd.empty());
  const Json j = v;
  EXPECT_TRUE(j["gd1"].is_null());
  EXPECT_TRUE(j["gap"].is_null());
  EXPECT_TRUE(j["not_gd"].is_null());
  EXPECT_TRUE(j["gd_worth_reason"].is_null());
  ASSERT_EQ(j["gd_steps"].size(), 4u);
  EXPECT_EQ(j["gd_steps"][1]["k"], 2);
  EXPECT_EQ(j["gd_steps"][1]["eta"].get<double>(), eta2);
  EXPECT_EQ(j["gd_steps_causal"][3]["error"].size(), 10u);
}

// The view's model curve is the model's own prediction: at every position its error summed over
// the set is the training pass's loss, at the last one its last-position error.
TEST(GdSteps, EveryAttentionModelsViewUsesItsOwnPredictions) {
  for (const char* kind : {"linear", "layers 2", "layers 3", "softmax"}) {
    Config c = setting(2, 9, X1Family::Gaussian, Process::Diagonal, 0.0);
    if (std::string(kind) == "softmax") ASSERT_TRUE(!set_field(c, "attention", "softmax"));
    if (std::string(kind).rfind("layers", 0) == 0) ASSERT_TRUE(!set_field(c, "layers", std::string(kind).substr(7)));
    const Model& model = model_of(c);
    ASSERT_TRUE(model.has_mesa()) << kind;
    Config g = c;
    g.init = Init::Gaussian, g.sigma_w = 0.3, g.seed = 7;
    const Weights w = model.init(g);
    const Dataset ds = generate_dataset(c, c.test_m, kTestStream);
    const MesaView v = model.mesa(w, ds, ds.m);
    const Evaluation ev = model.evaluate_test(w, ds, 1);
    double sum = 0;
    for (double e : v.model) sum += e;
    EXPECT_NEAR(sum / 2, ev.loss, 1e-12 * ev.loss) << kind;
    EXPECT_NEAR(v.model.back() / c.d, ev.last_mse, 1e-12 * ev.last_mse) << kind;
    EXPECT_EQ(v.ab_curves, std::string(kind) == "linear") << kind;
    EXPECT_EQ(v.gd_steps.size(), 4u);
    EXPECT_TRUE(std::isfinite(v.gd_worth) || !v.gd_worth_reason.empty()) << kind;
  }
  Config lm;
  ASSERT_TRUE(!set_field(lm, "model", "linear-map"));
  EXPECT_FALSE(model_of(lm).has_mesa());
}

// Counted by hand from gd_steps.cpp's loops at d = 1, T = 3 (one position, t0 = 1):
//   non-causal power vectors: C, G += (2 cmac = 16), four v_k = C w and three w = G w (7 cmac = 56),
//     seven scalings by 1/rho (14) and 1/rho itself (1): 87;
//   causal, per power k = 0..3: A += (8), v_k = A x (8), its scaling (2), 1/rho (1), and for k < 3
//     s' = A x (8) and its scaling (2): 4 x 19 + 3 x 10 = 106;
//   both twice (the sums' pass, the errors' pass): 386;
//   the last position's sums: |x_T|^2 (4), per variant ten Re<v_k, v_l> and four Re<v_k, x>
//     (14 x 4): 116;
//   the errors, per variant and K: y ((4K - 2) flops), r = y - x (2), |r|^2 summed (4), into the
//     curve (1): 4K + 5, for K = 1..4 60 per variant, 120 for both.
// Total 386 + 116 + 120 = 622.
TEST(GdSteps, FlopsPinned) {
  EXPECT_EQ(gd_steps_flops(1, 3, 1), 622.0);
  EXPECT_EQ(gd_steps_flops(1, 3, 5), 5 * 622.0);
  // d = 2, T = 4 (two positions): per position 2 (160 4 + 28 2 + 5) + 112 2 + 8 = 1634, plus 232.
  EXPECT_EQ(gd_steps_flops(2, 4, 1), 2 * 1634.0 + 232);
  // The view's estimate: least squares, the model's forward pass, the comparators; none without a view.
  for (const char* layers : {"1", "2"}) {
    Config c;
    c.d = 3, c.T = 20;
    ASSERT_TRUE(!set_field(c, "layers", layers));
    const double want = 50 * (21 * 76.0 * 27) + 50 * model_of(c).flops(Pass::Test, 3, 20, 1) + gd_steps_flops(3, 20, 50);
    EXPECT_EQ(estimate_mesa_flops(c, 50), want) << layers;
  }
  Config lm;
  ASSERT_TRUE(!set_field(lm, "model", "linear-map"));
  EXPECT_EQ(estimate_mesa_flops(lm, 50), 0.0);
}

#ifdef MESAFLOW_CLI
std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}
int run(const std::string& args, std::string* out) {
  const std::string cmd = std::string(MESAFLOW_CLI) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  for (std::size_t k; (k = std::fread(buf, 1, sizeof buf, p)) > 0;) out->append(buf, k);
  const int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

TEST(GdSteps, CommandLineWritesTheComparatorsForEveryAttentionModel) {
  const std::string path = "/tmp/mesaflow_cli_gd_steps.json";
  for (const char* model : {"", "--layers 2", "--attention softmax"}) {
    std::remove(path.c_str());
    std::string out;
    ASSERT_EQ(run(std::string("train ") + model + " --d 2 --T 8 --m 24 --test-m 16 --epochs 3 --lr 0.002 --seed 3 --out " + path, &out), 0) << out;
    const nlohmann::json j = nlohmann::json::parse(slurp(path));
    const nlohmann::json& m = j["mesa"];
    ASSERT_TRUE(m.is_object()) << model;
    for (const char* k : {"gd_steps", "gd_steps_causal"}) {
      ASSERT_EQ(m[k].size(), 4u) << model << k;
      for (int K = 1; K <= 4; ++K) {
        EXPECT_EQ(m[k][K - 1]["k"], K);
        EXPECT_TRUE(m[k][K - 1]["eta"].is_number());
        EXPECT_EQ(m[k][K - 1]["error"].size(), m["model"].size());
      }
      ASSERT_EQ(j["baselines"][k].size(), 4u) << model << k;
      EXPECT_EQ(j["baselines"][k][3].get<double>(), m[k][3]["error"].back().get<double>() / 2);  // per coordinate, d = 2
    }
    EXPECT_TRUE(m.contains("gd_worth") && m.contains("gd_worth_reason")) << model;
    EXPECT_TRUE(m["gd_worth"].is_number() != m["gd_worth_reason"].is_string()) << model;
    EXPECT_EQ(j["baselines"]["gd_worth"], m["gd_worth"]);
    const bool one_layer = std::string(model).empty();
    for (const char* k : {"gd1", "gap", "not_gd"}) {
      ASSERT_TRUE(m.contains(k)) << k;
      EXPECT_EQ(m[k].is_null(), !one_layer) << model << " " << k;
    }
    EXPECT_EQ(j["baselines"]["gd1"].is_null(), !one_layer);
  }
}
#endif

}  // namespace
}  // namespace mesaflow
