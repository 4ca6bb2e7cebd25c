#include "mesaflow/mesa.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "mesaflow/reference.hpp"

namespace mesaflow {

MesaView mesa_view(const Params& p, const Dataset& ds, int nseq) {
  const int d = ds.d, T = ds.T, n = std::min(nseq, ds.m);
  const double ab = ab_of(p);
  MesaView v;
  v.nseq = n;
  for (int t = 2; t <= T - 1; ++t) v.t.push_back(t);
  const std::size_t np = v.t.size();
  v.model.assign(np, 0.0);
  v.gd1.assign(np, 0.0);
  v.ls.assign(np, 0.0);
  v.true_w.assign(np, 0.0);
  v.gap.assign(np, 0.0);
  for (int s = 0; s < n; ++s) {
    const Eigen::MatrixXcd x = sequence_tokens(ds, s);  // (d, T)
    const Eigen::MatrixXcd y = reference_predict(p, x);  // (d, T), column t0 predicts x_{t0+1}
    // The sequence's W from all of it: the least-squares fit over every transition.
    const Eigen::MatrixXcd X0 = x.leftCols(T - 1), X1 = x.rightCols(T - 1);  // (d, T-1)
    const Eigen::MatrixXcd w_true = X1 * X0.adjoint() * (X0 * X0.adjoint()).completeOrthogonalDecomposition().pseudoInverse();
    Eigen::MatrixXcd C = Eigen::MatrixXcd::Zero(d, d);  // sum_{i=2}^t x_i x_{i-1}^H
    Eigen::MatrixXcd G = Eigen::MatrixXcd::Zero(d, d);  // sum_{i=2}^t x_{i-1} x_{i-1}^H
    for (int t0 = 1; t0 + 1 < T; ++t0) {
      C += x.col(t0) * x.col(t0 - 1).adjoint();
      G += x.col(t0 - 1) * x.col(t0 - 1).adjoint();
      const Eigen::VectorXcd target = x.col(t0 + 1);
      const Eigen::VectorXcd y_gd1 = (ab / t0) * C * x.col(t0);
      const Eigen::MatrixXcd w_ls = C * G.completeOrthogonalDecomposition().pseudoInverse();
      const std::size_t k = static_cast<std::size_t>(t0 - 1);
      v.model[k] += (y.col(t0) - target).squaredNorm();
      v.gd1[k] += (y_gd1 - target).squaredNorm();
      v.ls[k] += (w_ls * x.col(t0) - target).squaredNorm();
      v.true_w[k] += (w_true * x.col(t0) - target).squaredNorm();
      v.gap[k] += (y.col(t0) - y_gd1).squaredNorm();
    }
  }
  for (auto* a : {&v.model, &v.gd1, &v.ls, &v.true_w, &v.gap})
    for (double& e : *a) e /= std::max(1, n);
  return v;
}

void to_json(Json& j, const MesaView& v) {
  j = Json::object();
  j["nseq"] = v.nseq;
  j["t"] = numbers(v.t);
  j["model"] = numbers(v.model);
  j["gd1"] = numbers(v.gd1);
  j["ls"] = numbers(v.ls);
  j["true_w"] = numbers(v.true_w);
  j["gap"] = numbers(v.gap);
}

}  // namespace mesaflow
