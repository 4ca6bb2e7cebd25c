#include "mesaflow/history.hpp"

#include <nlohmann/json.hpp>

namespace mesaflow {

const std::vector<std::pair<const char*, History::Column>>& History::columns() {
  static const std::vector<std::pair<const char*, Column>> cols = {
      {"epoch", &History::epoch}, {"train_loss", &History::train_loss}, {"test_loss", &History::test_loss},
      {"ab", &History::ab},       {"ratio", &History::ratio},           {"last_mse", &History::last_mse},
      {"offdiag_kq", &History::offdiag_kq}, {"offdiag_pv", &History::offdiag_pv}, {"outside", &History::outside},
      {"ab_complex", &History::ab_complex}, {"ab_spread", &History::ab_spread},
  };
  return cols;
}

void to_json(Json& j, const History& h) {
  j = Json::object();
  for (const auto& [name, col] : History::columns()) j[name] = numbers(h.*col);
  if (h.ab_layers.size() == h.rows()) {
    j["ab_layers"] = Json::array();
    for (const auto& row : h.ab_layers) j["ab_layers"].push_back(numbers(row));
  } else {
    j["ab_layers"] = nullptr;
  }
  if (!h.params.empty()) j["params"] = h.params;
  if (!h.changes.empty()) {
    j["changes"] = Json::array();
    for (const Change& c : h.changes) j["changes"].push_back({{"epoch", c.epoch}, {"field", c.field}, {"from", c.from}, {"to", c.to}});
  }
}

}  // namespace mesaflow
