// The law of the modulus of each non-zero coordinate of the first token, in units of `scale`
// (the field `magnitude`): const (every modulus is scale: the paper's families), uniform:LO:HI,
// or a discrete mixture values:V1,V2,...@P1,P2,... One thing changes at a time: the support
// (sparse, rademacher, unit-phase, full-one) and the signs or phases stay as the family has them.
#pragma once
#include <string>
#include <vector>

namespace mesaflow {

struct MagnitudeLaw {
  enum class Kind { Const, Uniform, Values };
  Kind kind = Kind::Const;
  double lo = 1, hi = 1;              // Uniform: U ~ uniform on [lo, hi]
  std::vector<double> values, probs;  // Values: U = values[i] with probability probs[i]

  // E[U^p] (p >= 0).
  double moment(int p) const;
  // U given a uniform draw u in [0, 1) (the inverse of the law's distribution function).
  double quantile(double u) const;
  bool is_const() const { return kind == Kind::Const; }
};

// The canonical text: "const", "uniform:0.5:1.5", "values:1,2@0.5,0.5" (numbers as the shortest
// text that reads back exactly).
std::string magnitude_text(const MagnitudeLaw& law);
// Reads a law from text into *law; "" or what is wrong ("expected const, uniform:LO:HI ...").
std::string parse_magnitude(const std::string& text, MagnitudeLaw* law);

}  // namespace mesaflow
