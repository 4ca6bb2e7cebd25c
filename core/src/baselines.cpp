#include "mesaflow/baselines.hpp"

#include <vector>

#include <nlohmann/json.hpp>

#include "mesaflow/process.hpp"
#include "mesaflow/reference.hpp"

namespace mesaflow {

void add_baselines(MesaView* v, const Dataset& ds, const Config& c, bool generated, std::uint64_t stream) {
  const int d = ds.d, T = ds.T, n = v->nseq;
  const std::size_t np = v->t.size();
  v->ridge.assign(np, 0.0);
  v->noise_floor.assign(np, c.noise * c.noise * d);
  if (generated) v->true_w.assign(np, 0.0);
  std::vector<double> wr(static_cast<std::size_t>(d) * d), wi(wr.size());
  const Eigen::MatrixXcd lambda_i = c.ridge * Eigen::MatrixXcd::Identity(d, d);
  for (int s = 0; s < n; ++s) {
    const Eigen::MatrixXcd x = sequence_tokens(ds, s);  // (d, T)
    Eigen::MatrixXcd w(d, d);
    if (generated) {  // the sequence's W: what generate_dataset drew first from this generator
      Rng rng(c.seed, stream, static_cast<std::uint64_t>(s));
      if (c.process == Process::Fixed) process_fixed_w(c, &wr, &wi);
      else draw_w(c, rng, wr.data(), wi.data());
      for (int j = 0; j < d; ++j)
        for (int k = 0; k < d; ++k) {  // rounded as the generator rounds it (single: to float)
          const double re = c.radius * wr[j * d + k], im = c.radius * wi[j * d + k];
          w(j, k) = c.precision == Precision::Single ? std::complex<double>(nearest_float(re), nearest_float(im))
                                                      : std::complex<double>(re, im);
        }
    }
    Eigen::MatrixXcd C = Eigen::MatrixXcd::Zero(d, d), G = Eigen::MatrixXcd::Zero(d, d);
    for (int t0 = 1; t0 + 1 < T; ++t0) {
      C += x.col(t0) * x.col(t0 - 1).adjoint();
      G += x.col(t0 - 1) * x.col(t0 - 1).adjoint();
      const std::size_t k = static_cast<std::size_t>(t0 - 1);
      const Eigen::MatrixXcd w_ridge = C * hermitian_pinv(G + lambda_i);
      v->ridge[k] += (w_ridge * x.col(t0) - x.col(t0 + 1)).squaredNorm();
      if (generated) v->true_w[k] += (w * x.col(t0) - x.col(t0 + 1)).squaredNorm();
    }
  }
  for (double& e : v->ridge) e /= std::max(1, n);
  if (generated)
    for (double& e : v->true_w) e /= std::max(1, n);
}

Json last_position_baselines(const MesaView& v, const Config& c) {
  if (v.t.empty()) return nullptr;
  const double d = c.d;
  const auto last = [d](const std::vector<double>& a) { return a.empty() ? Json(nullptr) : number(a.back() / d); };
  const auto steps = [d](const std::vector<GdStep>& s) {
    Json a = Json::array();
    for (const GdStep& st : s) a.push_back(number(st.error.back() / d));
    return a;
  };
  return {{"ridge_lambda", number(c.ridge)},
          {"noise", number(c.noise)},
          {"model", last(v.model)},
          {"ls", last(v.ls)},
          {"ridge", last(v.ridge)},
          {"true_w", last(v.true_w)},
          {"gd1", last(v.gd1)},
          {"gd_best", last(v.gd_best)},
          {"noise_floor", number(c.noise * c.noise)},
          {"gd_steps", steps(v.gd_steps)},
          {"gd_steps_causal", steps(v.gd_steps_causal)},
          {"gd_worth", number(v.gd_worth)}};
}

}  // namespace mesaflow
