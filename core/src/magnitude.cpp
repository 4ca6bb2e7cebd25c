#include "mesaflow/magnitude.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "mesaflow/number.hpp"

namespace mesaflow {

double MagnitudeLaw::moment(int p) const {
  switch (kind) {
    case Kind::Const: return 1.0;
    case Kind::Uniform:
      if (hi == lo) return std::pow(lo, p);
      return (std::pow(hi, p + 1) - std::pow(lo, p + 1)) / ((p + 1) * (hi - lo));
    case Kind::Values: {
      double m = 0;
      for (std::size_t i = 0; i < values.size(); ++i) m += probs[i] * std::pow(values[i], p);
      return m;
    }
  }
  return 1.0;
}

double MagnitudeLaw::quantile(double u) const {
  switch (kind) {
    case Kind::Const: return 1.0;
    case Kind::Uniform: return lo + (hi - lo) * u;
    case Kind::Values: {
      double cum = 0;
      for (std::size_t i = 0; i + 1 < values.size(); ++i) {
        cum += probs[i];
        if (u < cum) return values[i];
      }
      return values.back();
    }
  }
  return 1.0;
}

namespace {

std::string num(double v) {
  char buf[40];
  for (int digits = 1; digits <= 17; ++digits) {  // the shortest text that reads back exactly
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

// Comma-separated positive finite numbers, at most 16 of them.
bool numbers(const std::string& s, std::vector<double>& out) {
  out.clear();
  std::size_t from = 0;
  for (;;) {
    const std::size_t at = s.find(',', from);
    const std::string item = s.substr(from, at == std::string::npos ? std::string::npos : at - from);
    double v = 0;
    if (item.size() > 32 || !parse_decimal(item, v) || !(v > 0)) return false;  // number.hpp's grammar
    out.push_back(v);
    if (out.size() > 16) return false;
    if (at == std::string::npos) return true;
    from = at + 1;
  }
}

const char kExpected[] =
    "expected const, uniform:LO:HI (0 < LO <= HI <= 1000) or values:V1,...@P1,... (up to 16 V in (0, 1000], P > 0 "
    "summing to 1)";

}  // namespace

std::string magnitude_text(const MagnitudeLaw& law) {
  switch (law.kind) {
    case MagnitudeLaw::Kind::Const: return "const";
    case MagnitudeLaw::Kind::Uniform: return "uniform:" + num(law.lo) + ":" + num(law.hi);
    case MagnitudeLaw::Kind::Values: {
      std::string v, p;
      for (std::size_t i = 0; i < law.values.size(); ++i) {
        v += (i ? "," : "") + num(law.values[i]);
        p += (i ? "," : "") + num(law.probs[i]);
      }
      return "values:" + v + "@" + p;
    }
  }
  return "const";
}

std::string parse_magnitude(const std::string& text, MagnitudeLaw* law) {
  MagnitudeLaw out;
  if (text.size() > 400) return kExpected;
  if (text == "const") {
    // the default law
  } else if (text.rfind("uniform:", 0) == 0) {
    const std::string rest = text.substr(8);
    const std::size_t colon = rest.find(':');
    std::vector<double> lo, hi;
    if (colon == std::string::npos || !numbers(rest.substr(0, colon), lo) || !numbers(rest.substr(colon + 1), hi) ||
        lo.size() != 1 || hi.size() != 1 || !(lo[0] <= hi[0]) || hi[0] > 1000)
      return kExpected;
    out.kind = MagnitudeLaw::Kind::Uniform;
    out.lo = lo[0];
    out.hi = hi[0];
  } else if (text.rfind("values:", 0) == 0) {
    const std::string rest = text.substr(7);
    const std::size_t at = rest.find('@');
    if (at == std::string::npos || !numbers(rest.substr(0, at), out.values) || !numbers(rest.substr(at + 1), out.probs) ||
        out.values.size() != out.probs.size())
      return kExpected;
    double sum = 0;
    for (std::size_t i = 0; i < out.values.size(); ++i) {
      if (out.values[i] > 1000) return kExpected;
      sum += out.probs[i];
    }
    if (!(std::fabs(sum - 1) <= 1e-9)) return kExpected;
    out.kind = MagnitudeLaw::Kind::Values;
  } else {
    return kExpected;
  }
  *law = out;
  return "";
}

}  // namespace mesaflow
