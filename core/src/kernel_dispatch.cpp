// The kernel's public functions (kernel.hpp), forwarded to the compilation of kernel.cpp for the
// instruction set chosen at start (kernel_isa.hpp; isa.hpp for the rules of the choice).
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "mesaflow/isa.hpp"
#include "mesaflow/kernel.hpp"
#include "models/passes_isa.hpp"

namespace mesaflow {

// The functions of one compilation, as kernel.cpp defines them with its set's suffix (kernel_isa.hpp).
#define MESAFLOW_KERNEL_DECLARE(x)                                                                                  \
  Evaluation evaluate_##x(const Params& p, const Dataset& ds, Params* grad, int threads);                         \
  Evaluation evaluate_test_##x(const Params& p, const Dataset& ds, int threads);                                  \
  int shard_record_size_##x(int d, bool grad);                                                                    \
  void shard_sums_##x(const Params& p, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads, \
                      std::vector<double>& out, Scan scan);                                                       \
  Evaluation combine_shard_sums_##x(const std::vector<double>& sums, int m, int d, Params* grad);                  \
  void layers_shard_sums_##x(const Weights& w, int L, const Dataset& ds, bool grad, int first_shard, int last_shard, \
                             int threads, int rec, std::vector<double>& out);                                       \
  void softmax_shard_sums_##x(const Params& p, const Dataset& ds, bool grad, int first_shard, int last_shard,          \
                              int threads, int rec, std::vector<double>& out);                                      \
  Eigen::MatrixXcd layers_predict_lanes_##x(const Weights& w, int L, const Dataset& ds, int s);                      \
  Eigen::MatrixXcd softmax_predict_lanes_##x(const Params& p, const Dataset& ds, int s);

namespace {

struct Kernel {
  const char* name;
  int scan_bytes;
  bool (*runs)();  // whether this CPU runs it
  Evaluation (*evaluate)(const Params&, const Dataset&, Params*, int);
  Evaluation (*evaluate_test)(const Params&, const Dataset&, int);
  void (*shard_sums)(const Params&, const Dataset&, Pass, int, int, int, std::vector<double>&, Scan);
  void (*layers_shard_sums)(const Weights&, int, const Dataset&, bool, int, int, int, int, std::vector<double>&);
  void (*softmax_shard_sums)(const Params&, const Dataset&, bool, int, int, int, int, std::vector<double>&);
  Eigen::MatrixXcd (*layers_predict_lanes)(const Weights&, int, const Dataset&, int);
  Eigen::MatrixXcd (*softmax_predict_lanes)(const Params&, const Dataset&, int);
};

bool always() { return true; }
#ifdef MESAFLOW_KERNEL_DISPATCH
bool has_avx2() { return __builtin_cpu_supports("avx2") != 0; }
bool has_avx512() { return __builtin_cpu_supports("avx512f") != 0 && has_avx2(); }
#endif

}  // namespace

#define MESAFLOW_KERNEL_ENTRY(x, bytes, runs) \
  Kernel { #x, bytes, runs, evaluate_##x, evaluate_test_##x, shard_sums_##x, layers_shard_sums_##x, softmax_shard_sums_##x, \
           layers_predict_lanes_##x, softmax_predict_lanes_##x }

#ifdef MESAFLOW_KERNEL_DISPATCH  // x86-64 with GCC: three compilations (core/CMakeLists.txt)
MESAFLOW_KERNEL_DECLARE(sse2)
MESAFLOW_KERNEL_DECLARE(avx2)
MESAFLOW_KERNEL_DECLARE(avx512)
namespace {
const Kernel kKernels[] = {MESAFLOW_KERNEL_ENTRY(sse2, 16, always), MESAFLOW_KERNEL_ENTRY(avx2, 32, has_avx2),
                           MESAFLOW_KERNEL_ENTRY(avx512, 64, has_avx512)};
}
#else  // one compilation, for what the compiler targets, with kernel.hpp's names (kernel_isa.hpp)
namespace {
#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
constexpr const char* kOnly = "wasm-simd128";
#elif defined(__EMSCRIPTEN__)
constexpr const char* kOnly = "wasm";
#elif defined(__AVX512F__)
constexpr const char* kOnly = "avx512";
#elif defined(__AVX2__)
constexpr const char* kOnly = "avx2";
#elif defined(__SSE2__)
constexpr const char* kOnly = "sse2";
#elif defined(__ARM_NEON)
constexpr const char* kOnly = "neon";
#else
constexpr const char* kOnly = "generic";
#endif
// The width kernel_isa.hpp gives that compilation.
#if defined(__AVX512F__)
constexpr int kOnlyBytes = 64;
#elif defined(__AVX2__)
constexpr int kOnlyBytes = 32;
#else
constexpr int kOnlyBytes = 16;
#endif
void shard_sums_pass(const Params& p, const Dataset& ds, Pass pass, int first, int last, int threads, std::vector<double>& out,
                     Scan scan) {
  shard_sums(p, ds, pass, first, last, threads, out, scan);
}
const Kernel kKernels[] = {{kOnly, kOnlyBytes, always, evaluate, evaluate_test, shard_sums_pass, layers_shard_sums, softmax_shard_sums,
                            layers_predict_lanes, softmax_predict_lanes}};
}  // namespace
#endif

namespace {

constexpr int kCount = sizeof kKernels / sizeof kKernels[0];

std::string names(bool supported_only) {
  std::string s;
  for (const Kernel& k : kKernels)
    if (!supported_only || k.runs()) s += (s.empty() ? "" : ", ") + std::string(k.name);
  return s;
}

// The chosen kernel's index, or -1 with the reason in error.
struct Choice {
  int index = -1;
  std::string error;
};

Choice choose() {
  Choice c;
  const char* want = std::getenv("MESAFLOW_ISA");
  if (want == nullptr || *want == '\0') {
    for (int i = 0; i < kCount; ++i)
      if (kKernels[i].runs()) c.index = i;  // the widest: the table is narrowest first
    return c;
  }
  for (int i = 0; i < kCount; ++i) {
    if (std::string(kKernels[i].name) != want) continue;
    if (kKernels[i].runs()) c.index = i;
    else c.error = "MESAFLOW_ISA: this CPU cannot run '" + std::string(want) + "'; allowed here: " + names(true);
    return c;
  }
  c.error = "MESAFLOW_ISA: '" + std::string(want) + "' is not a kernel of this build; allowed: " + names(false) +
            " (this CPU runs: " + names(true) + "), or unset for the widest";
  return c;
}

const Kernel& chosen() {
  static const Choice c = choose();
  if (c.index < 0) throw std::invalid_argument(c.error);
  return kKernels[c.index];
}

}  // namespace

const char* kernel_isa() { return chosen().name; }
int kernel_scan_bytes() { return chosen().scan_bytes; }

std::vector<std::string> kernel_isas_built() {
  std::vector<std::string> v;
  for (const Kernel& k : kKernels) v.push_back(k.name);
  return v;
}

std::vector<std::string> kernel_isas_supported() {
  std::vector<std::string> v;
  for (const Kernel& k : kKernels)
    if (k.runs()) v.push_back(k.name);
  return v;
}

bool shard_sums_on(const std::string& isa, const Params& p, const Dataset& ds, Pass pass, int first_shard,
                   int last_shard, int threads, std::vector<double>& out) {
  for (const Kernel& k : kKernels)
    if (isa == k.name && k.runs()) {
      k.shard_sums(p, ds, pass, first_shard, last_shard, threads, out, Scan::Build);
      return true;
    }
  return false;
}

std::string kernel_description() {
  std::string built, runs;
  for (const Kernel& k : kKernels) built += (built.empty() ? "" : " ") + std::string(k.name);
  for (const Kernel& k : kKernels)
    if (k.runs()) runs += (runs.empty() ? "" : " ") + std::string(k.name);
  try {
    const Kernel& k = chosen();
    return "kernel " + std::string(k.name) + " (" + std::to_string(k.scan_bytes) + "-byte vectors; built: " + built +
           "; this CPU runs: " + runs + ")";
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
}

#ifdef MESAFLOW_KERNEL_DISPATCH
// kernel.hpp's functions: every instruction set gives the same numbers, so those that do not
// scan (shard_record_size, combine_shard_sums) are taken from the baseline compilation.
Evaluation evaluate(const Params& p, const Dataset& ds, Params* grad, int threads) {
  return chosen().evaluate(p, ds, grad, threads);
}
Evaluation evaluate_test(const Params& p, const Dataset& ds, int threads) { return chosen().evaluate_test(p, ds, threads); }
int shard_record_size(int d, bool grad) { return shard_record_size_sse2(d, grad); }
void shard_sums(const Params& p, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                std::vector<double>& out, Scan scan) {
  chosen().shard_sums(p, ds, pass, first_shard, last_shard, threads, out, scan);
}
Evaluation combine_shard_sums(const std::vector<double>& sums, int m, int d, Params* grad) {
  return combine_shard_sums_sse2(sums, m, d, grad);
}
void layers_shard_sums(const Weights& w, int L, const Dataset& ds, bool grad, int first_shard, int last_shard,
                       int threads, int rec, std::vector<double>& out) {
  chosen().layers_shard_sums(w, L, ds, grad, first_shard, last_shard, threads, rec, out);
}
void softmax_shard_sums(const Params& p, const Dataset& ds, bool grad, int first_shard, int last_shard, int threads,
                        int rec, std::vector<double>& out) {
  chosen().softmax_shard_sums(p, ds, grad, first_shard, last_shard, threads, rec, out);
}
Eigen::MatrixXcd layers_predict_lanes(const Weights& w, int L, const Dataset& ds, int s) {
  return chosen().layers_predict_lanes(w, L, ds, s);
}
Eigen::MatrixXcd softmax_predict_lanes(const Params& p, const Dataset& ds, int s) {
  return chosen().softmax_predict_lanes(p, ds, s);
}
#endif

}  // namespace mesaflow
