// A set of m sequences x_1..x_T in C^d, in the layout the kernel reads: packs of `lanes`
// sequences (8 in double, 16 in single: one 64-byte vector either way), lane index fastest, real and imaginary parts apart (structure of arrays, so one
// SIMD register holds the same entry of several sequences). Two representations:
//   tokens      : every token, re/im (packs, T, d, lanes) — data read from a file, or generated
//                 sets wherever all tokens are wanted;
//   regenerated : per sequence x_1 and the phases lambda (W = diag(lambda)), x1_re/x1_im and
//                 lam_re/lam_im (packs, d, lanes); the tokens x_{t+1} = lambda x_t are recomputed
//                 when read, with the same operations in the same order as generate_dataset(),
//                 so they equal the stored tokens bit for bit. m x 2d instead of m x T x d numbers.
// x() and sequence() read tokens from either; re/im are empty in the regenerated representation.
// Precision single: every stored number is a float (held in a double, exactly), and the
// regenerated tokens are recomputed in float arithmetic, as generate_dataset() made them.
#pragma once
#include <complex>
#include <cstdint>
#include <string>
#include <vector>

#include "mesaflow/config.hpp"

namespace mesaflow {

// Sequences per pack: one 64-byte vector of doubles or of floats (an AVX-512 register natively,
// four 128-bit registers in WebAssembly).
constexpr int kLanesDouble = 8, kLanesSingle = 16;
constexpr int lanes_of(Precision p) { return p == Precision::Single ? kLanesSingle : kLanesDouble; }

// The float nearest to v, as a double: how every number of a single-precision run is rounded.
// Out of line on purpose: GCC 12 at -O2 turns two neighbouring double -> float -> double
// conversions (the real and imaginary parts of a complex number) into vector conversions and
// then folds them away, leaving the numbers unrounded (seen in this project's tests).
double nearest_float(double v);
// nearest_float(v) == v, read from the bits: a float's mantissa has 24 bits, and its range.
bool is_float_value(double v);

struct Dataset {
  int m = 0, T = 0, d = 0;
  Precision precision = Precision::Double;
  int lanes = kLanesDouble;  // lanes_of(precision)
  int packs = 0;           // ceil(m / lanes); missing lanes of the last pack are zero
  bool regenerated = false;
  std::vector<double> re;  // (packs, T, d, lanes) tokens
  std::vector<double> im;  // (packs, T, d, lanes)
  std::vector<double> x1_re, x1_im;    // (packs, d, lanes) first tokens   } regenerated
  std::vector<double> lam_re, lam_im;  // (packs, d, lanes) phases lambda  } representation only

  Dataset() = default;
  // Zero tokens (or zero x_1 and lambda with layout = Regenerated).
  Dataset(int m, int T, int d, DataLayout layout = DataLayout::Tokens, Precision precision = Precision::Double);
  std::size_t index(int s, int t, int j) const {  // s: sequence, t: 0-based token, j: coordinate
    return ((static_cast<std::size_t>(s / lanes) * T + t) * d + j) * lanes + s % lanes;
  }
  std::size_t index1(int s, int j) const {  // into x1_* and lam_*
    return (static_cast<std::size_t>(s / lanes) * d + j) * lanes + s % lanes;
  }
  // Token t (0-based) of coordinate j of sequence s; O(t) in the regenerated representation.
  std::complex<double> x(int s, int t, int j) const;
  // All tokens of sequence s into re_out, im_out, each (T, d) row-major.
  void sequence(int s, double* re_out, double* im_out) const;
  // Token layout only.
  void set(int s, int t, int j, std::complex<double> v) {
    re[index(s, t, j)] = v.real();
    im[index(s, t, j)] = v.imag();
  }
  // The same set in the token representation (a copy if it already is).
  Dataset tokens() const;
  // The same tokens in precision p, token representation: in single each number rounded to the
  // nearest float (a complex64 file's numbers stay exactly as they are).
  Dataset in_precision(Precision p) const;
};

// m sequences of the AR process x_{t+1} = r W x_t + sigma_eps eps_t, W of c.process (process.hpp;
// the paper's W = diag(e^{i theta}) by default), x_1 ~ c.x1.
// Sequence i depends only on (c.seed, stream, i); streams: 0 training, 1 test.
// Both layouts hold the same tokens bit for bit; only process diagonal without noise has the
// regenerated one (layout_for), every other set is held as tokens. In c.precision single, x_1 and W
// (lambda) are rounded to float and x_{t+1} = W x_t (+ noise, rounded to float) is computed in float.
Dataset generate_dataset(const Config& c, int m, std::uint64_t stream, DataLayout layout = DataLayout::Tokens);
// The layout generate_dataset() gives for the one asked: Tokens unless c's sets can be regenerated.
DataLayout layout_for(const Config& c, DataLayout layout);

// The fields generate_dataset() reads (d, T, x1, scale, magnitude, process, radius, noise,
// precision, seed; and a fixed W's file, not a field of the table) and the sizes
// of the two sets (m, test-m), by CLI name: runs that agree on them hold the same sequences,
// whatever their model, initialisation, step or method (the page shares one copy of the data
// between such runs; site/build.mjs writes this list into the page's core-tables.js).
const std::vector<std::string>& data_fields();
// Of those, the fields a data file sets (m, d, T, test-m) or makes moot (the first-token law:
// x1, scale, magnitude, and the dynamics: process, radius, noise); precision and seed still apply to a file's run.
const std::vector<std::string>& file_fields();

// kProcessStream: the one W of process fixed drawn from the seed (process.hpp).
enum Stream : std::uint64_t { kTrainStream = 0, kTestStream = 1, kInitStream = 2, kSplitStream = 3, kProcessStream = 4 };

// Splits a data set by sequence: round(fraction m) sequences, chosen at random by seed, go to
// *test, the others to *train, each in their original order (tokens layout). 0 < fraction < 1 and
// at least one sequence on each side (the fraction is clamped so).
void split_dataset(const Dataset& all, double fraction, std::uint64_t seed, Dataset* train, Dataset* test);

}  // namespace mesaflow
