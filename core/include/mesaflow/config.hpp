// The configuration of a run and the one table of its fields (name, type, range, default).
// Every entry point (CLI options, the JS config object, URL keys, element attributes)
// goes through set_field()/validate() here, so errors read the same everywhere.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mesaflow {

enum class X1Family { Gaussian, Sparse, FullOne, Rademacher, UnitPhase };
enum class Init { Diagonal, Gaussian };
enum class Method { GD, Flow };

struct Config {
  int d = 5;              // token dimension
  int T = 100;            // sequence length
  int m = 10000;          // training sequences
  X1Family x1 = X1Family::Gaussian;
  double scale = 1.0;     // sigma (gaussian) or c (sparse, full-one, rademacher, unit-phase)
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

enum class FieldType { Int, Number, Enum, Bool };

struct FieldSpec {
  const char* name;      // CLI option / URL key / attribute, e.g. "sigma-w"
  const char* key;       // JSON / JS key, e.g. "sigma_w"
  FieldType type;
  double min, max;       // inclusive range for Int/Number (lr and scale exclude 0: min_open)
  bool min_open;
  std::vector<std::string> choices;  // Enum
  const char* help;
};

const std::vector<FieldSpec>& config_fields();
const FieldSpec* find_field(const std::string& name_or_key);

// Parse one value given as text and store it. Returns "" or an error naming the field,
// the value and the allowed range, e.g. "lr: 5 is out of range (0, 1]".
std::string set_field(Config& c, const std::string& name_or_key, const std::string& value);
// "an integer in [1, 32]", "one of gaussian, sparse, ...": the allowed values, for messages and help.
std::string range_text(const FieldSpec& f);
// The value of a field as text (the inverse of set_field), the shortest that reads back exactly.
std::string get_field(const Config& c, const FieldSpec& f);

// The time budget: a run whose estimated work (estimate_flops) would take longer than `seconds`
// at `flops_per_second` is refused before anything is allocated. The rates are those of a modest
// machine (this project's 2-core test machine does 37 GFLOP/s per core natively, 13-20 in wasm),
// so the refusal comes well after a run that fits would have finished.
struct TimeBudget {
  double seconds;
  double flops_per_second;
  const char* where;  // for the message: "natively", "in a browser"
  const char* hint;   // appended to "reduce epochs, m, test-m or T"
};
constexpr TimeBudget kNativeTimeBudget{7 * 24 * 3600.0, 10e9, "natively", ""};
constexpr TimeBudget kBrowserTimeBudget{3600.0, 4e9, "in a browser", " (or run it with the command-line tool)"};
constexpr TimeBudget kNoTimeBudget{1e300, 1, "", ""};

// Checks that hold between fields (e.g. eval-every <= epochs is not required, but T >= 3 is),
// the memory budget and the time budget. Returns "" or an error message naming the field.
// generated: the layout of generated sets; train_from_file: the training set is read from a file
// (held as tokens).
std::string validate(const Config& c, double memory_budget_bytes, DataLayout generated = kGeneratedLayout,
                     bool train_from_file = false, const TimeBudget& time = kNativeTimeBudget);

// Floating-point operations of a whole run, as kernel.hpp counts them: the training gradient of
// every epoch (method flow: at least one Dormand-Prince step, 6 new gradients, per epoch) and the
// test set's forward pass at every evaluation.
double estimate_flops(const Config& c);

// Bytes the training and test sets and scratch take for this configuration.
double estimate_bytes(const Config& c, DataLayout generated = kGeneratedLayout, bool train_from_file = false);
constexpr double kNativeMemoryBudget = 16.0 * 1024 * 1024 * 1024;
constexpr double kBrowserMemoryBudget = 1.0 * 1024 * 1024 * 1024;

const char* to_string(X1Family f);
const char* to_string(Init i);
const char* to_string(Method m);
// True for families whose coordinates are all non-zero (the ratio y_hat / x is reported).
bool ratio_defined(X1Family f);

}  // namespace mesaflow
