#include "mesaflow/model.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "mesaflow/dataset.hpp"
#include "mesaflow/rng.hpp"

namespace mesaflow {

Params init_params(const Config& c) {
  const int d = c.d, D = 2 * d;
  Params p = Params::zeros(d);
  if (c.init == Init::Diagonal) {
    for (int j = 0; j < d; ++j) {
      p.wkq(d + j, j) = c.a0;
      p.wpv(j, j) = c.b0;
    }
  } else {
    Rng rng(c.seed, kInitStream, 0);
    for (int a = 0; a < D; ++a)
      for (int b = 0; b < D; ++b) {
        const double re = c.sigma_w * rng.normal(), im = c.sigma_w * rng.normal();
        p.wkq(a, b) = {re, im};
      }
    for (int a = 0; a < d; ++a)
      for (int b = 0; b < D; ++b) {
        const double re = c.sigma_w * rng.normal(), im = c.sigma_w * rng.normal();
        p.wpv(a, b) = {re, im};
      }
  }
  if (c.clip) clip_red_blocks(p);
  round_to(p, c.precision);
  return p;
}

void round_to(Params& p, Precision precision) {
  if (precision != Precision::Single) return;
  const auto round = [](std::complex<double> z) {
    return std::complex<double>(nearest_float(z.real()), nearest_float(z.imag()));
  };
  p.wkq = p.wkq.unaryExpr(round);
  p.wpv = p.wpv.unaryExpr(round);
}

Json matrix_rows(const Eigen::MatrixXcd& m, bool imag) {
  Json out = Json::array();
  for (int i = 0; i < m.rows(); ++i) {
    Json row = Json::array();
    for (int j = 0; j < m.cols(); ++j) row.push_back(number(imag ? m(i, j).imag() : m(i, j).real()));
    out.push_back(std::move(row));
  }
  return out;
}

void to_json(Json& j, const Params& p) {
  j = Json::object();
  j["wkq_re"] = matrix_rows(p.wkq, false);
  j["wkq_im"] = matrix_rows(p.wkq, true);
  j["wpv_re"] = matrix_rows(p.wpv, false);
  j["wpv_im"] = matrix_rows(p.wpv, true);
}

void clip_red_blocks(Params& p) {
  const int d = p.d();
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < d; ++j)
      if (i != j) {
        p.wkq(d + i, j) = 0.0;
        p.wpv(i, j) = 0.0;
      }
}

double ab_of(const Params& p) {
  const int d = p.d();
  double s = 0;
  for (int j = 0; j < d; ++j) s += p.wkq(d + j, j).real() * p.wpv(j, j).real();
  return s / d;
}

Structure structure_of(const Params& p) {
  const int d = p.d(), D = 2 * d;
  double kq_diag = 0, kq_off = 0, pv_diag = 0, pv_off = 0, out = 0;
  for (int i = 0; i < D; ++i)
    for (int j = 0; j < D; ++j) {
      const double a = std::norm(p.wkq(i, j));
      if (i < d || j >= d) out += a;
      else (i - d == j ? kq_diag : kq_off) += a;
    }
  for (int i = 0; i < d; ++i)
    for (int j = 0; j < D; ++j) {
      const double a = std::norm(p.wpv(i, j));
      if (j >= d) out += a;
      else (i == j ? pv_diag : pv_off) += a;
    }
  double mean = 0, sq = 0;
  for (int j = 0; j < d; ++j) {
    const double prod = (p.wkq(d + j, j) * p.wpv(j, j)).real();
    mean += prod / d;
    sq += prod * prod / d;
  }
  const auto ratio = [](double num, double den) { return num == 0 ? 0.0 : std::sqrt(num / den); };  // 0/0 = 0
  return {ratio(kq_off, kq_diag), ratio(pv_off, pv_diag), ratio(out, kq_diag + kq_off + pv_diag + pv_off), mean,
          std::sqrt(std::max(0.0, sq - mean * mean))};
}

Eigen::VectorXd to_vector(const Params& p) {
  const int d = p.d(), D = 2 * d;
  Eigen::VectorXd v(2 * (D * D + d * D));
  int k = 0;
  for (int a = 0; a < D; ++a)
    for (int b = 0; b < D; ++b) v[k++] = p.wkq(a, b).real();
  for (int a = 0; a < D; ++a)
    for (int b = 0; b < D; ++b) v[k++] = p.wkq(a, b).imag();
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < D; ++b) v[k++] = p.wpv(a, b).real();
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < D; ++b) v[k++] = p.wpv(a, b).imag();
  return v;
}

Params from_vector(const Eigen::VectorXd& v, int d) {
  const int D = 2 * d;
  Params p = Params::zeros(d);
  int k = 0;
  for (int a = 0; a < D; ++a)
    for (int b = 0; b < D; ++b) p.wkq(a, b).real(v[k++]);
  for (int a = 0; a < D; ++a)
    for (int b = 0; b < D; ++b) p.wkq(a, b).imag(v[k++]);
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < D; ++b) p.wpv(a, b).real(v[k++]);
  for (int a = 0; a < d; ++a)
    for (int b = 0; b < D; ++b) p.wpv(a, b).imag(v[k++]);
  return p;
}

}  // namespace mesaflow
