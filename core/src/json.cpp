#include "mesaflow/json.hpp"

#include <cmath>
#include <cstdint>

#include <nlohmann/json.hpp>

namespace mesaflow {

Json number(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == std::floor(v) && std::fabs(v) < 9007199254740992.0 && !(v == 0 && std::signbit(v)))
    return static_cast<std::int64_t>(v);
  return v;
}

Json numbers(const std::vector<double>& v) {
  Json a = Json::array();
  for (double x : v) a.push_back(number(x));
  return a;
}

}  // namespace mesaflow
