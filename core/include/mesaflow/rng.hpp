// A portable random generator of our own: the standard library's distributions differ between
// platforms, and we promise bit-identical data natively and in WebAssembly. Only integer
// operations, IEEE +,-,*,/ and sqrt are used (all correctly rounded everywhere).
#pragma once
#include <cstdint>

namespace mesaflow {

// SplitMix64 step: used to hash (seed, stream, index) into independent generator states.
std::uint64_t splitmix64(std::uint64_t& state);

// xoshiro256** (Blackman & Vigna), written from the published description.
class Rng {
 public:
  // One generator per (seed, stream, index): sequence i of the training set can be produced
  // on its own, in any order, by any thread.
  Rng(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);
  std::uint64_t next_u64();
  double uniform();                 // [0, 1), 53 random bits
  double uniform_pm1();             // (-1, 1)
  std::uint64_t below(std::uint64_t n);  // uniform integer in [0, n), unbiased
  double normal();                  // N(0, 1), Marsaglia's polar method
  // A uniformly distributed point on the unit circle: (cos phi, sin phi), phi ~ U[0, 2 pi).
  // Drawn by rejection from the square, so no sin/cos is needed.
  void unit_phase(double& re, double& im);

 private:
  std::uint64_t s_[4];
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// Natural logarithm from +,-,*,/ only (argument reduction by exact frexp); |error| < 2 ulp.
double portable_log(double x);

}  // namespace mesaflow
