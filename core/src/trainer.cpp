#include "mesaflow/trainer.hpp"

#include <algorithm>
#include <cmath>


namespace mesaflow {

double Objective::operator()(const Weights& p, Weights* grad) const {
  const double loss = model->evaluate(p, *train, grad, threads).loss;
  if (grad && clip) model->clip(*grad);
  return loss;
}

void gd_step(const Model& model, Weights& p, const Weights& grad, double lr, bool clip, Precision precision) {
  for (std::size_t i = 0; i < p.blocks.size(); ++i) p.blocks[i] -= lr * grad.blocks[i];
  if (clip) model.clip(p);
  round_to(p, precision);
}

std::string FlowIntegrator::advance(const Objective& f, Weights& p, double span) {
  // Dormand-Prince 5(4) tableau.
  static const double c[7] = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};
  static const double a[7][6] = {
      {0, 0, 0, 0, 0, 0},
      {1.0 / 5, 0, 0, 0, 0, 0},
      {3.0 / 40, 9.0 / 40, 0, 0, 0, 0},
      {44.0 / 45, -56.0 / 15, 32.0 / 9, 0, 0, 0},
      {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729, 0, 0},
      {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656, 0},
      {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
  static const double b5[7] = {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0};
  static const double b4[7] = {5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200, 187.0 / 2100, 1.0 / 40};
  (void)c;
  // Sums as plain loops in index order: Eigen's vectorised reductions sum in an order that
  // depends on the packet size (AVX-512 natively, none in WebAssembly), and the step size they
  // choose must be the same bits on both.
  const auto norm = [](const Eigen::VectorXd& v) {
    double s = 0;
    for (Eigen::Index i = 0; i < v.size(); ++i) s += v[i] * v[i];
    return std::sqrt(s);
  };
  auto rhs = [&](const Eigen::VectorXd& y) {  // -grad L as a real vector
    Weights g;
    f(from_vector(y, p), &g);
    ++evaluations_;
    return Eigen::VectorXd(-to_vector(g));
  };
  Eigen::VectorXd y = to_vector(p);
  Eigen::VectorXd k[7];
  k[0] = rhs(y);
  if (!k[0].allFinite()) return "the gradient is not finite";
  if (h_ <= 0) {  // first step: a small fraction of the time scale |y| / |y'|
    const double scale = (norm(y) + 1e-3) / (norm(k[0]) + 1e-300);
    h_ = std::min(span, 1e-3 * scale);
  }
  double done = 0;
  while (done < span) {
    double h = std::min(h_, span - done);
    const bool final_piece = (h == span - done);
    Eigen::VectorXd y5;
    for (int s = 1; s < 7; ++s) {
      Eigen::VectorXd ys = y;
      for (int j = 0; j < s; ++j)
        if (a[s][j] != 0) ys += h * a[s][j] * k[j];
      k[s] = rhs(ys);
      if (s == 6) y5 = ys;  // row 7 of the tableau is b5: the FSAL stage point is y5
    }
    Eigen::VectorXd err = Eigen::VectorXd::Zero(y.size());
    for (int s = 0; s < 7; ++s) err += h * (b5[s] - b4[s]) * k[s];
    double norm = 0;
    for (int i = 0; i < y.size(); ++i) {
      const double sc = atol_ + rtol_ * std::max(std::fabs(y[i]), std::fabs(y5[i]));
      norm += (err[i] / sc) * (err[i] / sc);
    }
    norm = std::sqrt(norm / y.size());
    if (!std::isfinite(norm)) return "the gradient flow left the finite range";
    if (norm <= 1.0) {
      y = y5;
      k[0] = k[6];
      done = final_piece ? span : done + h;
      ++steps_;
    }
    const double factor = norm == 0 ? 5.0 : std::min(5.0, std::max(0.2, 0.9 * std::pow(norm, -0.2)));
    if (norm <= 1.0 && final_piece) {
      h_ = std::max(h_, h * factor);  // a short final piece should not shrink the next step
    } else {
      h_ = h * factor;
    }
    if (h_ < 1e-15 * (span + 1e-300)) return "the gradient flow step size collapsed";
  }
  p = from_vector(y, p);
  return "";
}

}  // namespace mesaflow
