// The linear-map model (models/linear_map.hpp, core/THEORY.md §9).
#include "mesaflow/models/linear_map.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "mesaflow/history.hpp"
#include "mesaflow/rng.hpp"
#include "../scalar_loops.hpp"  // MESAFLOW_SCALAR_LOOPS

namespace mesaflow {

std::vector<BlockSpec> LinearMapModel::blocks(int d) const { return {{"a", "A", d, d}}; }

Weights LinearMapModel::init(const Config& c) const {
  Weights w = zeros(c.d);
  Eigen::MatrixXcd& A = w.blocks[0];  // (d, d)
  if (c.init == Init::Diagonal) {
    for (int j = 0; j < c.d; ++j) A(j, j) = c.a0;
  } else {
    Rng rng(c.seed, kInitStream, 0);
    for (int i = 0; i < c.d; ++i)
      for (int j = 0; j < c.d; ++j) {
        const double re = c.sigma_w * rng.normal(), im = c.sigma_w * rng.normal();
        A(i, j) = {re, im};
      }
  }
  if (c.clip) clip(w);
  round_to(w, c.precision);
  return w;
}

int LinearMapModel::record_size(int d, bool grad) const { return 4 + (grad ? 2 * d * d : 0); }

MESAFLOW_SCALAR_LOOPS void LinearMapModel::shard_sums(const Weights& w, const Dataset& ds, Pass pass, int first_shard,
                                                      int last_shard, int threads, std::vector<double>& out) const {
  (void)threads;  // one thread: the pass is O(d^2) per position, small beside the data's generation
  const int d = ds.d, T = ds.T;
  if (!check_weights(w, d).empty() || first_shard < 0 || last_shard > kShards || first_shard > last_shard)
    throw std::invalid_argument("shard_sums: weights of another shape, or shards outside [0, kShards)");
  const bool grad = pass == Pass::Gradient;
  const Eigen::MatrixXcd& A = w.blocks[0];
  const int rec = record_size(d, grad);
  out.assign(static_cast<std::size_t>(last_shard - first_shard) * rec, 0.0);
  std::vector<double> re(static_cast<std::size_t>(T) * d), im(re.size());
  Eigen::VectorXcd x(d), y(d), r(d);
  Eigen::MatrixXcd g(d, d);
  for (int s = first_shard; s < last_shard; ++s) {
    double* o = out.data() + static_cast<std::size_t>(s - first_shard) * rec;
    // The shard's sequences: those of its packs (kernel.hpp's split), in order.
    const int begin = static_cast<int>(static_cast<long long>(ds.packs) * s / kShards) * ds.lanes;
    const int end = std::min(ds.m, static_cast<int>(static_cast<long long>(ds.packs) * (s + 1) / kShards) * ds.lanes);
    for (int q = begin; q < end; ++q) {
      ds.sequence(q, re.data(), im.data());  // (T, d) row-major
      const auto token = [&](int t, Eigen::VectorXcd& v) {  // 0-based t
        for (int j = 0; j < d; ++j) v[j] = {re[static_cast<std::size_t>(t) * d + j], im[static_cast<std::size_t>(t) * d + j]};
      };
      double loss = 0;
      if (grad) g.setZero();
      for (int t = 1; t + 1 < T; ++t) {  // 1-based positions 2..T-1, target x_{t+1}
        token(t, x);
        Eigen::VectorXcd next(d);
        token(t + 1, next);
        // y = A x, r = y - x_{t+1}, |r|^2 and dA += r x^H, with real and imaginary parts apart
        // (no library complex product or norm: libstdc++'s std::norm is |z|^2 through hypot,
        // libc++'s is re^2 + im^2, and every build must give the same bits).
        double sq = 0;
        for (int i = 0; i < d; ++i) {
          double yr = 0, yi = 0;
          for (int j = 0; j < d; ++j) {
            const double ar = A(i, j).real(), ai = A(i, j).imag(), xr = x[j].real(), xi = x[j].imag();
            yr += ar * xr - ai * xi;
            yi += ar * xi + ai * xr;
          }
          y[i] = {yr, yi};
          const double rr = yr - next[i].real(), ri = yi - next[i].imag();
          r[i] = {rr, ri};
          sq += rr * rr + ri * ri;
        }
        loss += sq;
        if (grad)
          for (int i = 0; i < d; ++i)
            for (int j = 0; j < d; ++j) {  // r_i conj(x_j)
              const double rr = r[i].real(), ri = r[i].imag(), xr = x[j].real(), xi = x[j].imag();
              g(i, j) = {g(i, j).real() + (rr * xr + ri * xi), g(i, j).imag() + (ri * xr - rr * xi)};
            }
        if (t + 2 == T) {  // the last position: ratio and last-position error
          o[3] += sq;
          for (int i = 0; i < d; ++i) {  // Re(y_hat / x) = Re(y_hat conj(x)) / |x|^2, over non-zero x
            const double a = next[i].real(), b = next[i].imag(), xx = a * a + b * b;
            if (xx > 0.0) {
              o[1] += (y[i].real() * a + y[i].imag() * b) / xx;
              o[2] += 1;
            }
          }
        }
      }
      o[0] += loss;
      if (grad)
        for (int i = 0; i < d; ++i)
          for (int j = 0; j < d; ++j) {
            o[4 + i * d + j] += g(i, j).real();
            o[4 + d * d + i * d + j] += g(i, j).imag();
          }
    }
  }
}

Evaluation LinearMapModel::combine_shard_sums(const std::vector<double>& sums, int m, int d, Weights* grad) const {
  const std::size_t rec = static_cast<std::size_t>(record_size(d, grad != nullptr));
  if (sums.size() != rec * kShards)
    throw std::invalid_argument("combine_shard_sums: expected kShards records of the size of record_size(d, grad)");
  std::vector<double> total(rec, 0.0);
  for (int s = 0; s < kShards; ++s)  // shard order: independent of who computed which shard
    for (std::size_t k = 0; k < rec; ++k) total[k] += sums[s * rec + k];
  Evaluation ev;
  ev.loss = total[0] / (2.0 * m);
  ev.ratio = total[2] > 0 ? total[1] / total[2] : 0.0;
  ev.last_mse = total[3] / (static_cast<double>(m) * d);
  if (grad) {
    *grad = zeros(d);
    const double inv_m = 1.0 / m;
    for (int i = 0; i < d; ++i)
      for (int j = 0; j < d; ++j) grad->blocks[0](i, j) = {total[4 + i * d + j] * inv_m, total[4 + d * d + i * d + j] * inv_m};
  }
  return ev;
}

double LinearMapModel::flops(Pass pass, int d, int T, int m) const {
  // Per position: y = A x (d^2 complex multiply-adds, 8 flops each), r = y - x_{t+1} (2 per
  // coordinate), |r|^2 (3), the sum (1); with the gradient also dA += r x^H (d^2 cmac).
  const double cmac = 8.0 * d * d, per_t = (pass == Pass::Gradient ? 2 * cmac : cmac) + 6.0 * d;
  return static_cast<double>(m) * per_t * (T - 2);
}

double LinearMapModel::scratch_bytes_per_d2(Precision) const { return 64.0 * 16.0; }  // 64 complex d x d matrices

void LinearMapModel::clip(Weights& w) const {
  Eigen::MatrixXcd& A = w.blocks[0];
  for (int i = 0; i < A.rows(); ++i)
    for (int j = 0; j < A.cols(); ++j)
      if (i != j) A(i, j) = 0.0;
}

void LinearMapModel::push_structure(const Weights& w, History& h) const {
  (void)w;  // ab and the red blocks' structure are quantities of the attention model
  const double none = std::numeric_limits<double>::quiet_NaN();
  h.ab_layers.emplace_back();  // no attention layers
  for (auto* col : {&h.ab, &h.offdiag_kq, &h.offdiag_pv, &h.outside, &h.ab_complex, &h.ab_spread}) col->push_back(none);
}

const char* LinearMapModel::theory_reason() const {
  return "the paper's theory (c*, the ODE of ab, recovery) describes the linear-attention model, not the linear-map "
         "baseline, whose population optimum is A = 0 at loss (T-2) M2 / 2 (core/THEORY.md §9)";
}

}  // namespace mesaflow
