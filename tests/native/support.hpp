// Shared by the native tests: small settings and independent re-implementations.
#pragma once
#include <gtest/gtest.h>

#include <complex>
#include <cstdint>
#include <cstring>
#include <vector>

#include "mesaflow/config.hpp"
#include "mesaflow/dataset.hpp"
#include "mesaflow/model.hpp"
#include "mesaflow/kernel.hpp"
#include "mesaflow/rng.hpp"
#include "mesaflow/models/attention.hpp"
#include "mesaflow/session.hpp"
#include "mesaflow/shard_worker.hpp"

namespace mesaflow::test {

// A problem or a divergence as text, the way the tests read them ("" when there is none).
inline std::string text(const Problem& p) { return describe(p); }

// Bit patterns, so that == tells -0 from +0 and a NaN equals itself (test_layers, test_softmax:
// the SIMD passes against their scalar references).
inline std::vector<std::uint64_t> bits(const double* x, std::size_t n) {
  std::vector<std::uint64_t> b(n);
  std::memcpy(b.data(), x, n * sizeof(double));
  return b;
}
inline std::vector<std::uint64_t> bits(const std::vector<double>& x) { return bits(x.data(), x.size()); }
inline std::vector<std::uint64_t> bits(const Eigen::VectorXd& x) { return bits(x.data(), static_cast<std::size_t>(x.size())); }
inline std::vector<std::uint64_t> bits(double x) { return bits(&x, 1); }
inline std::string message(const Session& s) {
  return s.diverged() ? describe(s.divergence(), [](const std::string& f, const std::string& v) { return "--" + f + " " + v; })
                      : "";
}

inline Config small_config(int d = 3, int T = 12, int m = 11) {
  Config c;
  c.d = d;
  c.T = T;
  c.m = m;
  c.test_m = 16;
  c.epochs = 10;
  c.threads = 1;
  return c;
}

// A small run in which every weight moves (gaussian initialisation: nothing diagonal to hide a
// wrong restore or a wrong change), for resume and live-change tests. The flow's time per epoch is
// 0.05: its adaptive integrator still takes about a dozen steps per epoch (about 80 gradients) and
// carries its step size from epoch to epoch, which a checkpoint must restore, and the loss falls
// from 85 to 4 in 23 epochs; at 0.5 the same paths cost 9 times more gradients (17,000 in 23
// epochs), minutes under qemu (make test-aarch64).
inline Config moving_config(Method method, int epochs, int eval_every) {
  Config c = small_config(3, 14, 40);
  c.test_m = 24;
  c.method = method;
  c.lr = method == Method::GD ? 2e-3 : 0.05;
  c.epochs = epochs;
  c.eval_every = eval_every;
  c.init = Init::Gaussian;
  c.sigma_w = 0.2;
  return c;
}

// Parameters with every real and imaginary part N(0, s^2): nothing diagonal to hide errors.
inline Params random_params(int d, std::uint64_t seed, double s = 0.3) {
  Rng rng(seed, 99, 0);
  Params p = Params::zeros(d);
  for (int a = 0; a < 2 * d; ++a)
    for (int b = 0; b < 2 * d; ++b) p.wkq(a, b) = {s * rng.normal(), s * rng.normal()};
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < 2 * d; ++b) p.wpv(a, b) = {s * rng.normal(), s * rng.normal()};
  return p;
}

// The formula of core/THEORY.md §1 evaluated literally, O(T^2): E_t = [e_1 .. e_t] rebuilt for every t,
// y_hat_t = W_PV E_t E_t^H W_KQ e_t / (t - 1). Returns y_hat for t = 2..T-1 (0-based column t-1).
inline Eigen::MatrixXcd naive_predict(const Params& p, const Eigen::MatrixXcd& x) {
  const int d = static_cast<int>(x.rows()), T = static_cast<int>(x.cols());
  Eigen::MatrixXcd y = Eigen::MatrixXcd::Zero(d, T);
  for (int t = 2; t <= T - 1; ++t) {  // 1-based t as in the paper
    Eigen::MatrixXcd E(2 * d, t);
    for (int i = 1; i <= t; ++i) {
      E.col(i - 1).head(d) = x.col(i - 1);
      E.col(i - 1).tail(d) = i >= 2 ? Eigen::VectorXcd(x.col(i - 2)) : Eigen::VectorXcd::Zero(d);
    }
    const Eigen::VectorXcd e_t = E.col(t - 1);
    y.col(t - 1) = p.wpv * E * E.adjoint() * p.wkq * e_t / static_cast<double>(t - 1);
  }
  return y;
}

inline double naive_loss(const Params& p, const Dataset& ds, const std::vector<Eigen::MatrixXcd>& xs) {
  double l = 0;
  for (const auto& x : xs) {
    const Eigen::MatrixXcd y = naive_predict(p, x);
    for (int t0 = 1; t0 + 1 < ds.T; ++t0) l += (y.col(t0) - x.col(t0 + 1)).squaredNorm();
  }
  return l / (2.0 * ds.m);
}

inline double rel_diff(const Eigen::MatrixXcd& a, const Eigen::MatrixXcd& b) {
  return (a - b).norm() / std::max(1e-300, b.norm());
}

// Two runs that must be the same bits: every history column and the final parameters.
// Every column the core records (History::columns), a new one too: bit for bit.
inline void expect_same_history(const History& a, const History& b) {
  for (const auto& [name, col] : History::columns()) EXPECT_EQ(a.*col, b.*col) << "history column " << name;
}
// SessionOptions in one expression.
inline SessionOptions external_options() {
  SessionOptions o;
  o.external_sums = true;
  return o;
}
inline SessionOptions file_options(const Dataset* data, const Dataset* test_data = nullptr) {
  SessionOptions o;
  o.data = data;
  o.test_data = test_data;
  return o;
}
inline SessionOptions budget_options(double bytes) {
  SessionOptions o;
  o.memory_budget = bytes;
  return o;
}
inline SessionOptions layout_options(DataLayout layout) {
  SessionOptions o;
  o.layout = layout;
  return o;
}

inline void expect_same_params(const Weights& a, const Weights& b) {
  ASSERT_EQ(a.names, b.names);
  for (std::size_t i = 0; i < a.blocks.size(); ++i) EXPECT_TRUE(a.blocks[i] == b.blocks[i]) << a.names[i];
}

inline void expect_same_params(const Params& a, const Params& b) {
  EXPECT_TRUE(a.wkq == b.wkq && a.wpv == b.wpv);
}

// Drives a session with external sums as the browser's coordinator does, the shards split
// between `workers` ShardWorkers (equal ranges of [0, kShards)), until it is done or has
// reached epoch `until` (then it awaits the sums there).
inline void run_external(Session& s, const std::vector<ShardWorker>& workers, bool with_test, int until = 1 << 30) {
  const int n = static_cast<int>(workers.size());
  do {
    if (!s.awaiting_sums()) break;
    std::vector<double> train, test, part;
    for (int w = 0; w < n; ++w) {
      const int first = kShards * w / n, last = kShards * (w + 1) / n;
      workers[w].train_sums(s.params(), s.wants_gradient(), first, last, part);
      train.insert(train.end(), part.begin(), part.end());
      if (with_test && s.wants_test()) {
        workers[w].test_sums(s.params(), first, last, part);
        test.insert(test.end(), part.begin(), part.end());
      }
    }
    s.feed(train, test);
    if (s.epoch() >= until) break;
    EXPECT_EQ(s.run(5), s.done() ? 0 : 1);  // one epoch at a time
  } while (!s.done() && s.epoch() < until);
}

}  // namespace mesaflow::test
