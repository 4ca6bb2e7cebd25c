// Weights (models/model.hpp): named complex blocks, and the model-independent parts of the seam.
#include <cstdio>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "mesaflow/model.hpp"  // matrix_rows
#include "mesaflow/models/model.hpp"

namespace mesaflow {

bool Weights::finite() const {
  for (const auto& b : blocks)
    if (!b.allFinite()) return false;
  return true;
}

const Eigen::MatrixXcd* Weights::find(const std::string& name) const {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return &blocks[i];
  return nullptr;
}

Weights Weights::zeros(const std::vector<BlockSpec>& specs) {
  Weights w;
  for (const BlockSpec& s : specs) {
    w.names.push_back(s.name);
    w.blocks.push_back(Eigen::MatrixXcd::Zero(s.rows, s.cols));
  }
  return w;
}

Eigen::VectorXd to_vector(const Weights& w) {
  Eigen::Index n = 0;
  for (const auto& b : w.blocks) n += 2 * b.size();
  Eigen::VectorXd v(n);
  Eigen::Index k = 0;
  for (const auto& b : w.blocks) {
    for (Eigen::Index i = 0; i < b.rows(); ++i)
      for (Eigen::Index j = 0; j < b.cols(); ++j) v[k++] = b(i, j).real();
    for (Eigen::Index i = 0; i < b.rows(); ++i)
      for (Eigen::Index j = 0; j < b.cols(); ++j) v[k++] = b(i, j).imag();
  }
  return v;
}

Weights from_vector(const Eigen::VectorXd& v, const Weights& like) {
  Weights w = like;
  Eigen::Index k = 0;
  for (auto& b : w.blocks) {
    for (Eigen::Index i = 0; i < b.rows(); ++i)
      for (Eigen::Index j = 0; j < b.cols(); ++j) b(i, j).real(v[k++]);
    for (Eigen::Index i = 0; i < b.rows(); ++i)
      for (Eigen::Index j = 0; j < b.cols(); ++j) b(i, j).imag(v[k++]);
  }
  return w;
}

void round_to(Weights& w, Precision precision) {
  if (precision != Precision::Single) return;
  const auto round = [](std::complex<double> z) {
    return std::complex<double>(nearest_float(z.real()), nearest_float(z.imag()));
  };
  for (auto& b : w.blocks) b = b.unaryExpr(round);
}

void to_json(Json& j, const Weights& w) {
  j = Json::object();
  for (std::size_t i = 0; i < w.blocks.size(); ++i) {
    j[w.names[i] + "_re"] = matrix_rows(w.blocks[i], false);
    j[w.names[i] + "_im"] = matrix_rows(w.blocks[i], true);
  }
}

Evaluation combine_records(const std::vector<double>& sums, std::size_t rec, int m, int d, std::vector<double>* gradient) {
  if (sums.size() != rec * kShards)
    throw std::invalid_argument("combine_shard_sums: expected kShards records of the size of record_size(d, grad)");
  std::vector<double> total(rec, 0.0);
  for (int s = 0; s < kShards; ++s)  // shard order: independent of who computed which shard
    for (std::size_t k = 0; k < rec; ++k) total[k] += sums[s * rec + k];
  Evaluation ev;
  ev.loss = total[0] / (2.0 * m);
  ev.ratio = total[2] > 0 ? total[1] / total[2] : 0.0;
  ev.last_mse = total[3] / (static_cast<double>(m) * d);
  if (gradient) {
    const double inv_m = 1.0 / m;
    gradient->assign(total.begin() + 4, total.end());
    for (double& g : *gradient) g *= inv_m;
  }
  return ev;
}

Evaluation Model::evaluate(const Weights& w, const Dataset& ds, Weights* grad, int threads) const {
  std::vector<double> sums;
  shard_sums(w, ds, grad ? Pass::Gradient : Pass::Forward, 0, kShards, threads, sums);
  return combine_shard_sums(sums, ds.m, ds.d, grad);
}

Evaluation Model::evaluate_test(const Weights& w, const Dataset& ds, int threads) const {
  std::vector<double> sums;
  shard_sums(w, ds, Pass::Test, 0, kShards, threads, sums);
  return combine_shard_sums(sums, ds.m, ds.d, nullptr);
}

MesaView Model::mesa(const Weights&, const Dataset&, int) const {
  throw std::logic_error(std::string("the ") + name() + " model has no mesa-optimizer view");
}

std::string Model::check_weights(const Weights& w, int d) const {
  const std::vector<BlockSpec> specs = blocks(d);
  bool ok = w.finite() && w.blocks.size() == specs.size() && w.names.size() == specs.size();
  std::string want = "expected finite ";
  for (std::size_t i = 0; i < specs.size(); ++i) {
    char shape[64];
    std::snprintf(shape, sizeof shape, " (%d x %d)", specs[i].rows, specs[i].cols);
    want += (i == 0 ? "" : i + 1 == specs.size() ? " and " : ", ") + specs[i].label + shape;
    if (ok && (w.names[i] != specs[i].name || w.blocks[i].rows() != specs[i].rows || w.blocks[i].cols() != specs[i].cols))
      ok = false;
  }
  return ok ? "" : want + " for d = " + std::to_string(d);
}

}  // namespace mesaflow
