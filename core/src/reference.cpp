#include "mesaflow/reference.hpp"

namespace mesaflow {

Eigen::MatrixXcd sequence_tokens(const Dataset& ds, int s) {
  std::vector<double> re(static_cast<std::size_t>(ds.T) * ds.d), im(re.size());  // (T, d)
  ds.sequence(s, re.data(), im.data());
  Eigen::MatrixXcd x(ds.d, ds.T);  // (d, T)
  for (int t = 0; t < ds.T; ++t)
    for (int j = 0; j < ds.d; ++j) x(j, t) = {re[t * ds.d + j], im[t * ds.d + j]};
  return x;
}

static Eigen::VectorXcd embedding(const Eigen::MatrixXcd& x, int t0) {  // e for 0-based token t0
  const int d = static_cast<int>(x.rows());
  Eigen::VectorXcd e = Eigen::VectorXcd::Zero(2 * d);  // (D)
  e.head(d) = x.col(t0);
  if (t0 > 0) e.tail(d) = x.col(t0 - 1);
  return e;
}

Eigen::MatrixXcd reference_predict(const Params& p, const Eigen::MatrixXcd& x) {
  const int d = static_cast<int>(x.rows()), T = static_cast<int>(x.cols());
  Eigen::MatrixXcd y = Eigen::MatrixXcd::Zero(d, T);
  Eigen::MatrixXcd S = Eigen::MatrixXcd::Zero(2 * d, 2 * d);  // (D, D)
  for (int t0 = 0; t0 + 1 < T; ++t0) {
    const Eigen::VectorXcd e = embedding(x, t0);
    S += e * e.adjoint();
    if (t0 >= 1) y.col(t0) = p.wpv * (S * (p.wkq * e)) / static_cast<double>(t0);  // rho_t = t - 1 = t0
  }
  return y;
}

double reference_loss_grad(const Params& p, const Dataset& ds, Params* grad) {
  const int d = ds.d, T = ds.T, D = 2 * d;
  double loss = 0;
  Params g = Params::zeros(d);
  for (int s = 0; s < ds.m; ++s) {
    const Eigen::MatrixXcd x = sequence_tokens(ds, s);
    Eigen::MatrixXcd S = Eigen::MatrixXcd::Zero(D, D);  // (D, D) running state
    for (int t0 = 0; t0 + 1 < T; ++t0) {
      const Eigen::VectorXcd e = embedding(x, t0);  // (D)
      S += e * e.adjoint();
      if (t0 < 1) continue;
      const double rho = t0;
      const Eigen::VectorXcd u = p.wkq * e;                          // (D)
      const Eigen::VectorXcd v = S * u;                              // (D)
      const Eigen::VectorXcd r = p.wpv * v / rho - x.col(t0 + 1);   // (d)
      loss += r.squaredNorm();
      if (!grad) continue;
      g.wpv += r * v.adjoint() / rho;
      g.wkq += S * (p.wpv.adjoint() * r) * e.adjoint() / rho;
    }
  }
  if (grad) {
    g.wkq /= static_cast<double>(ds.m);
    g.wpv /= static_cast<double>(ds.m);
    *grad = g;
  }
  return loss / (2.0 * ds.m);
}

}  // namespace mesaflow
