#include "mesaflow/report.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "mesaflow/baselines.hpp"
#include "mesaflow/isa.hpp"
#include "mesaflow/version.hpp"

namespace mesaflow {

Json theory_json(const Theory& th, const std::vector<double>* epochs, const std::vector<double>* ode,
                 const std::vector<double>* ode_emp) {
  Json j = th;
  if (!epochs || !ode || ode->empty() || !th.applies()) {
    j["ode_ab"] = nullptr;
    return j;
  }
  std::vector<double> a, b;
  for (double e : *epochs) {
    a.push_back((*ode)[static_cast<std::size_t>(e)]);
    if (ode_emp && !ode_emp->empty()) b.push_back((*ode_emp)[static_cast<std::size_t>(e)]);
  }
  j["ode_epoch"] = numbers(*epochs);
  j["ode_ab"] = numbers(a);
  if (ode_emp && !ode_emp->empty()) j["ode_ab_empirical"] = numbers(b);
  return j;
}

namespace {
std::string message(const Session& s, SettingSyntax syntax) { return s.diverged() ? describe(s.divergence(), syntax) : ""; }
}  // namespace

Json run_json(const Session& s, double wall_seconds, int mesa_nseq, SettingSyntax syntax, const MesaView* given) {
  const History& h = s.history();
  Json j = Json::object();
  j["config"] = s.config();
  j["data"] = s.data_from_file() ? "file" : "generated";
  if (!s.config().w_file.empty()) j["w_file"] = s.config().w_file;  // process fixed: the file of its W
  j["history"] = h;
  j["theory"] = theory_json(s.theory(), &h.epoch, &s.ode_ab(), &s.ode_ab_empirical());
  j["final"] = s.params();
  if (const std::vector<Weights> layers = s.model().layer_weights(s.params()); !layers.empty())
    j["final"]["layers"] = layers;  // layer 1 first, each {wkq_re, wkq_im, wpv_re, wpv_im}
  const bool mesa = mesa_nseq > 0 && !s.diverged() && s.has_mesa();
  const MesaView view = !mesa ? MesaView{} : given ? *given : s.mesa(mesa_nseq);
  j["mesa"] = mesa ? Json(view) : Json(nullptr);
  // The last position of the mesa view's curves per coordinate, with the ridge's lambda and the noise floor.
  j["baselines"] = mesa ? last_position_baselines(view, s.config()) : Json(nullptr);
  j["vanilla_gd"] = s.vanilla_gd();
  j["diverged"] = s.diverged();
  j["message"] = message(s, syntax);
  j["gradient_evaluations"] = s.gradient_evaluations();
  j["kernel"] = kernel_isa();  // the instruction set the kernel ran with (isa.hpp)
  j["mesaflow"] = version();
  j["wall_seconds"] = number(wall_seconds);
  return j;
}

Json sweep_json(const Session& s, long run, double wall_seconds, SettingSyntax syntax) {
  const History& h = s.history();
  const Theory& th = s.theory();
  const auto last = [](const std::vector<double>& v) { return v.empty() ? Json(nullptr) : number(v.back()); };
  Json j = Json::object();
  j["run"] = run;
  j["config"] = s.config();
  j["data"] = s.data_from_file() ? "file" : "generated";
  j["epochs_done"] = s.epoch();
  j["ab"] = last(h.ab);
  j["test_loss"] = last(h.test_loss);
  j["ratio"] = last(h.ratio);
  j["last_mse"] = last(h.last_mse);
  const Json theory = th;  // the theory's own keys: null where its predictions do not apply
  for (const char* k : {"c_star_T", "c_star_inf", "c_star_empirical", "ratio_pred", "moment_ratio", "recovery", "applies",
                        "last_mse_pred", "verdict"})
    j[k] = theory[k];
  j["diverged"] = s.diverged();
  j["message"] = message(s, syntax);
  j["kernel"] = kernel_isa();  // the instruction set the kernel ran with (isa.hpp)
  j["mesaflow"] = version();
  j["wall_seconds"] = number(wall_seconds);
  return j;
}

}  // namespace mesaflow
