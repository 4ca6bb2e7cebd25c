// The configuration of a run: one member per field of the table in fields.hpp (names, ranges,
// defaults, help), which is how every front end reads and writes it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mesaflow/magnitude.hpp"
#include "mesaflow/problem.hpp"

namespace mesaflow {

enum class X1Family { Gaussian, Sparse, FullOne, Rademacher, UnitPhase };
enum class Init { Diagonal, Gaussian };
enum class Method { GD, Flow };
// The arithmetic of data, parameters and every product of the forward and backward pass:
// double, or single (float, complex64, as the authors' PyTorch code, torch.cfloat).
enum class Precision { Double, Single };
// The dynamics x_{t+1} = W x_t (+ noise) of the sequences (core/THEORY.md §9, process.hpp):
// diagonal (the paper's W = diag(e^{i theta})), unitary (U diag(e^{i theta}) U^H, U Haar on U(d)),
// orthogonal (Haar on SO(d), real), rotation (real 2x2 rotation blocks), fixed (one W for all).
enum class Process { Diagonal, Unitary, Orthogonal, Rotation, Fixed };
// The attention of the attention model (core/THEORY.md §1, §11): linear, the paper's
// y_hat_t = W_PV S_t W_KQ e_t / rho_t; or softmax, y_hat_t = W_PV sum_{i<=t} alpha_{t,i} e_i with
// alpha_t = softmax_i Re(e_i^H W_KQ e_t) (models/softmax.hpp). One layer only.
enum class Attention { Linear, Softmax };

struct Config {
  int model = 0;          // index into models() (models/model.hpp): 0 attention, 1 linear-map
  Attention attention = Attention::Linear;  // the attention model's kind (model_of picks softmax's)
  int layers = 1;         // L layers of linear attention with a residual stream (models/layers.hpp); 1: the paper's
  int d = 5;              // token dimension
  int T = 100;            // sequence length
  int m = 10000;          // training sequences
  X1Family x1 = X1Family::Gaussian;
  double scale = 1.0;     // sigma (gaussian) or c (sparse, full-one, rademacher, unit-phase)
  MagnitudeLaw magnitude; // modulus of each non-zero coordinate in units of c (not for gaussian)
  Process process = Process::Diagonal;
  double radius = 1.0;    // W scaled by radius, in (0, 1]: a contracting process below 1
  double noise = 0.0;     // sigma_eps: x_{t+1} = W x_t + sigma_eps eps_t
  double ridge = 0.1;     // lambda of the ridge-regression baseline on the context (mesa view)
  // process fixed: W (d, d) row-major from --w-file (or a dropped file on the page); empty: W is
  // drawn once from the seed. Not a field of the table (a file, not a value): w_file names it.
  std::vector<double> w_re, w_im;
  std::string w_file;
  Init init = Init::Diagonal;
  double a0 = 0.1;        // W_KQ red block = a0 I
  double b0 = 0.1;        // W_PV red block = b0 I
  double sigma_w = 0.1;   // std of every entry for init = gaussian
  Method method = Method::GD;
  double lr = 1e-4;       // step size; flow time per epoch for method = flow
  int epochs = 150;
  int eval_every = 1;
  int test_m = 10000;
  bool clip = false;
  Precision precision = Precision::Double;
  std::uint64_t seed = 1;
  int threads = 0;        // 0 = all hardware threads; results do not depend on it
};

// How a generated set is held: every token (m x T x d complex numbers), or per sequence only
// x_1 and the phases lambda (2 d complex numbers), from which the kernel regenerates the tokens
// during its scan, bit for bit (dataset.hpp). Data read from a file is always held as tokens.
enum class DataLayout { Tokens, Regenerated };
// The layout a Session uses for generated sets: natively (x_1, lambda) per sequence, tokens
// recomputed in the scan (7.7 MB instead of 160 MB at the paper's setting); in WebAssembly stored
// tokens, because V8 runs the regenerating scan 1.5x slower (354 against 542 ms per paper epoch in
// node: the extra live vectors spill). The numbers are the same either way, bit for bit.
#ifdef __EMSCRIPTEN__
constexpr DataLayout kGeneratedLayout = DataLayout::Tokens;
#else
constexpr DataLayout kGeneratedLayout = DataLayout::Regenerated;
#endif

// The rules between fields, after each field is in its own range: a magnitude law other than
// const needs a family with a support (not gaussian); attention softmax is the attention model's
// and has one layer (attention_relation).
Problem check_relations(const Config& c);
// Attention softmax with the attention model only, and with `layers` = 1 (issue 23: the softmax
// model has one layer; layers > 1 is refused, naming both fields).
Problem attention_relation(const Config& c);

const char* to_string(X1Family f);
const char* to_string(Init i);
const char* to_string(Method m);
const char* to_string(Precision p);
const char* to_string(Process p);
const char* to_string(Attention a);
// True for families whose coordinates are all non-zero (the ratio y_hat / x is reported).
bool ratio_defined(X1Family f);

}  // namespace mesaflow
