#include "mesaflow/mesa.hpp"

#include <algorithm>
#include <cmath>


#include <nlohmann/json.hpp>

#include "mesaflow/reference.hpp"

namespace mesaflow {

Eigen::VectorXd hermitian_eigen(const Eigen::MatrixXcd& G, Eigen::MatrixXcd* vectors) {
  // Cyclic Jacobi: rotations J in the (p, q) plane take A = G to diagonal form, A <- J^H A J,
  // V <- V J, so G = V diag(A) V^H. With a_pq = r e^{i phi}, J = diag(1, e^{-i phi}) R, R the real
  // rotation [[c, s], [-s, c]] that zeroes the real 2x2 [[a_pp, r], [r, a_qq]] (Golub and Van Loan's
  // symmetric Schur step). Small and explicit: Eigen's eigensolvers would double the page's download.
  const int n = static_cast<int>(G.rows());
  Eigen::MatrixXcd A = G, V = Eigen::MatrixXcd::Identity(n, n);
  const double scale = A.norm();
  for (int sweep = 0; sweep < 60; ++sweep) {
    double off = 0;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) off += std::norm(A(p, q));
    if (!(std::sqrt(off) > 1e-17 * scale)) break;
    for (int p = 0; p < n; ++p)
      for (int q = p + 1; q < n; ++q) {
        const double r = std::abs(A(p, q));
        if (r == 0) continue;
        const std::complex<double> phase = A(p, q) / r;  // e^{i phi}
        const double tau = (A(q, q).real() - A(p, p).real()) / (2 * r);
        const double t = (tau >= 0 ? 1.0 : -1.0) / (std::fabs(tau) + std::sqrt(1 + tau * tau));
        const double c = 1 / std::sqrt(1 + t * t), s = t * c;
        const std::complex<double> jpp = c, jpq = s, jqp = -s * std::conj(phase), jqq = c * std::conj(phase);
        for (int k = 0; k < n; ++k) {  // A <- A J, V <- V J (columns p and q)
          for (Eigen::MatrixXcd* M : {&A, &V}) {
            const std::complex<double> kp = (*M)(k, p), kq = (*M)(k, q);
            (*M)(k, p) = kp * jpp + kq * jqp;
            (*M)(k, q) = kp * jpq + kq * jqq;
          }
        }
        for (int k = 0; k < n; ++k) {  // A <- J^H A (rows p and q)
          const std::complex<double> pk = A(p, k), qk = A(q, k);
          A(p, k) = std::conj(jpp) * pk + std::conj(jqp) * qk;
          A(q, k) = std::conj(jpq) * pk + std::conj(jqq) * qk;
        }
      }
  }
  Eigen::VectorXd values(n);
  for (int k = 0; k < n; ++k) values[k] = A(k, k).real();
  if (vectors) *vectors = V;
  return values;
}

Eigen::MatrixXcd hermitian_pinv(const Eigen::MatrixXcd& G) {
  const int n = static_cast<int>(G.rows());
  Eigen::MatrixXcd V;
  const Eigen::VectorXd values = hermitian_eigen(G, &V);
  // Eigenvalues below the largest times a rounding-level threshold are the null space (the
  // minimum-norm solution ignores it), as a pseudo-inverse by orthogonal decomposition does.
  double largest = 0;
  for (int k = 0; k < n; ++k) largest = std::max(largest, std::fabs(values[k]));
  const double cut = largest * n * 2.220446049250313e-16;
  Eigen::VectorXcd inv(n);
  for (int k = 0; k < n; ++k) inv[k] = std::fabs(values[k]) > cut ? 1.0 / values[k] : 0.0;
  return V * inv.asDiagonal() * V.adjoint();
}

namespace {

// The view of the model whose predictions predict gives; ab: the one-layer model's (gd1, gap and
// not_gd), or nullptr.
MesaView view_of(SequencePredictor predict, const void* ctx, const double* ab, const Dataset& ds, int nseq) {
  const int d = ds.d, T = ds.T, n = std::min(nseq, ds.m);
  MesaView v;
  v.nseq = n;
  v.ab_curves = ab != nullptr;
  for (int t = 2; t <= T - 1; ++t) v.t.push_back(t);
  const std::size_t np = v.t.size();
  v.model.assign(np, 0.0);
  if (ab) v.gd1.assign(np, 0.0);
  v.ls.assign(np, 0.0);
  v.true_w.assign(np, 0.0);
  if (ab) v.gap.assign(np, 0.0);
  // Per t: sums of ||g||^2, Re<g, x_{t+1}> and ||x_{t+1}||^2, from which gd_best follows.
  std::vector<double> gg(np, 0.0), gx(np, 0.0), xx(np, 0.0), gy(np, 0.0), yy(np, 0.0);
  for (int s = 0; s < n; ++s) {
    const Eigen::MatrixXcd x = sequence_tokens(ds, s);  // (d, T)
    const Eigen::MatrixXcd y = predict(ctx, ds, s);     // (d, T), column t0 predicts x_{t0+1}
    // The sequence's W from all of it: the least-squares fit over every transition.
    const Eigen::MatrixXcd X0 = x.leftCols(T - 1), X1 = x.rightCols(T - 1);  // (d, T-1)
    const Eigen::MatrixXcd w_true = X1 * X0.adjoint() * hermitian_pinv(X0 * X0.adjoint());
    Eigen::MatrixXcd C = Eigen::MatrixXcd::Zero(d, d);  // sum_{i=2}^t x_i x_{i-1}^H
    Eigen::MatrixXcd G = Eigen::MatrixXcd::Zero(d, d);  // sum_{i=2}^t x_{i-1} x_{i-1}^H
    for (int t0 = 1; t0 + 1 < T; ++t0) {
      C += x.col(t0) * x.col(t0 - 1).adjoint();
      G += x.col(t0 - 1) * x.col(t0 - 1).adjoint();
      const Eigen::VectorXcd target = x.col(t0 + 1);
      const Eigen::MatrixXcd w_ls = C * hermitian_pinv(G);
      const std::size_t k = static_cast<std::size_t>(t0 - 1);
      v.model[k] += (y.col(t0) - target).squaredNorm();
      if (ab) {
        const Eigen::VectorXcd y_gd1 = (*ab / t0) * C * x.col(t0);
        v.gd1[k] += (y_gd1 - target).squaredNorm();
        v.gap[k] += (y.col(t0) - y_gd1).squaredNorm();
      }
      v.ls[k] += (w_ls * x.col(t0) - target).squaredNorm();
      v.true_w[k] += (w_true * x.col(t0) - target).squaredNorm();
      const Eigen::VectorXcd g = C * x.col(t0) / static_cast<double>(t0);
      gg[k] += g.squaredNorm();
      gx[k] += g.dot(target).real();  // Eigen's dot conjugates the first argument: Re<g, x>
      xx[k] += target.squaredNorm();
      if (ab) {
        gy[k] += g.dot(y.col(t0)).real();
        yy[k] += y.col(t0).squaredNorm();
      }
    }
  }
  for (auto* a : {&v.model, &v.gd1, &v.ls, &v.true_w, &v.gap})
    for (double& e : *a) e /= std::max(1, n);
  for (std::size_t k = 0; k < np; ++k) {
    const double eta = gg[k] > 0 ? gx[k] / gg[k] : 0.0;
    v.gd_best_eta.push_back(eta);
    v.gd_best.push_back((eta * eta * gg[k] - 2 * eta * gx[k] + xx[k]) / std::max(1, n));
    if (ab) v.not_gd.push_back(yy[k] > 0 && gg[k] > 0 ? std::max(0.0, 1 - gy[k] * gy[k] / (gg[k] * yy[k])) : 0.0);
  }
  // K-step gradient descent (§13), and what the model is worth in its steps at the last position.
  GdSteps steps = gd_steps(ds, n);
  std::vector<double> last;
  for (const GdStep& st : steps.plain) last.push_back(st.error.back());
  const GdWorth worth = gd_worth(v.model.back(), steps.zero_last, last);
  v.gd_steps = std::move(steps.plain);
  v.gd_steps_causal = std::move(steps.causal);
  v.gd_worth = worth.value;
  v.gd_worth_reason = worth.reason;
  return v;
}

}  // namespace

MesaView mesa_view(const Params& p, const Dataset& ds, int nseq) {
  const double ab = ab_of(p);
  const SequencePredictor predict = [](const void* ctx, const Dataset& data, int s) {
    return reference_predict(*static_cast<const Params*>(ctx), sequence_tokens(data, s));
  };
  return view_of(predict, &p, &ab, ds, nseq);
}

MesaView mesa_view(SequencePredictor predict, const void* ctx, const Dataset& ds, int nseq) {
  return view_of(predict, ctx, nullptr, ds, nseq);
}

static Json gd_steps_json(const std::vector<GdStep>& steps) {
  Json a = Json::array();
  for (const GdStep& st : steps) {
    Json o = Json::object();
    o["k"] = st.k;
    o["eta"] = number(st.eta);
    o["error"] = numbers(st.error);
    a.push_back(std::move(o));
  }
  return a;
}

void to_json(Json& j, const MesaView& v) {
  j = Json::object();
  j["nseq"] = v.nseq;
  j["t"] = numbers(v.t);
  j["model"] = numbers(v.model);
  const auto ab_curve = [&v](const std::vector<double>& c) { return v.ab_curves ? numbers(c) : Json(nullptr); };
  j["gd1"] = ab_curve(v.gd1);
  j["ls"] = numbers(v.ls);
  j["true_w"] = numbers(v.true_w);
  j["gap"] = ab_curve(v.gap);
  j["gd_best"] = numbers(v.gd_best);
  j["gd_best_eta"] = numbers(v.gd_best_eta);
  j["not_gd"] = ab_curve(v.not_gd);
  j["ridge"] = numbers(v.ridge);
  j["noise_floor"] = numbers(v.noise_floor);
  j["gd_steps"] = gd_steps_json(v.gd_steps);
  j["gd_steps_causal"] = gd_steps_json(v.gd_steps_causal);
  j["gd_worth"] = number(v.gd_worth);
  j["gd_worth_reason"] = v.gd_worth_reason.empty() ? Json(nullptr) : Json(v.gd_worth_reason);
}

VanillaGD best_vanilla_gd(const Dataset& ds) {
  const int d = ds.d, T = ds.T;
  double gg = 0, gx = 0, xx = 0;
  std::vector<double> re(static_cast<std::size_t>(T) * d), im(re.size());  // (T, d) one sequence
  for (int s = 0; s < ds.m; ++s) {
    ds.sequence(s, re.data(), im.data());
    const auto x = [&](int t0, int j) { return std::complex<double>(re[t0 * d + j], im[t0 * d + j]); };
    Eigen::MatrixXcd C = Eigen::MatrixXcd::Zero(d, d);  // sum_{i=2}^{T-1} x_i x_{i-1}^H
    for (int t0 = 1; t0 + 1 < T; ++t0)
      for (int j = 0; j < d; ++j)
        for (int k = 0; k < d; ++k) C(j, k) += x(t0, j) * std::conj(x(t0 - 1, k));
    const int last = T - 2;  // 0-based position of x_{T-1}; the target is x_T
    Eigen::VectorXcd xt(d), target(d);
    for (int j = 0; j < d; ++j) {
      xt(j) = x(last, j);
      target(j) = x(last + 1, j);
    }
    const Eigen::VectorXcd g = C * xt / static_cast<double>(last);
    gg += g.squaredNorm();
    gx += g.dot(target).real();
    xx += target.squaredNorm();
  }
  VanillaGD v;
  v.eta = gg > 0 ? gx / gg : 0.0;
  v.last_mse = (v.eta * v.eta * gg - 2 * v.eta * gx + xx) / (static_cast<double>(ds.m) * d);
  return v;
}

void to_json(Json& j, const VanillaGD& v) { j = {{"eta", number(v.eta)}, {"last_mse", number(v.last_mse)}}; }

}  // namespace mesaflow
