#include "mesaflow/problem.hpp"

namespace mesaflow {

std::vector<std::string> Problem::fields() const {
  std::vector<std::string> all;
  if (!field.empty()) all.push_back(field);
  all.insert(all.end(), also.begin(), also.end());
  return all;
}

std::string describe(const Problem& p) {
  std::string names;
  for (const std::string& f : p.fields()) names += (names.empty() ? "" : ", ") + f;
  return names.empty() ? p.message : names + ": " + p.message;
}

std::string shown(const std::string& v) {
  std::string s;
  for (char ch : v.substr(0, 40)) s += (ch >= 32 && ch < 127) ? ch : '?';
  if (v.size() > 40) s += "...";
  return "'" + s + "'";
}

}  // namespace mesaflow
