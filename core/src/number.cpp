#include "mesaflow/number.hpp"

#include <clocale>
#include <cmath>
#include <cstdlib>

namespace mesaflow {

namespace {
bool digit(char c) { return c >= '0' && c <= '9'; }
}  // namespace

bool is_decimal_number(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  std::size_t i = 0;
  const std::size_t n = s.size();
  if (s[i] == '-') ++i;
  std::size_t int_digits = 0, frac_digits = 0;
  while (i < n && digit(s[i])) ++i, ++int_digits;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && digit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;  // "", "-", ".", "-."
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '-' || s[i] == '+')) ++i;
    std::size_t exp_digits = 0;
    while (i < n && digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == n;
}

bool parse_decimal(const std::string& s, double& v) {
  if (!is_decimal_number(s)) return false;
  char* end = nullptr;
  v = std::strtod(s.c_str(), &end);  // the grammar is a subset of strtod's, in the "C" locale
  return end == s.c_str() + s.size() && std::isfinite(v);
}

}  // namespace mesaflow
