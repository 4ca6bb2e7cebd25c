// The machine's floating-point peak on one core, measured: independent accumulator chains of
// double-precision vector instructions, long enough that throughput (not latency) limits them.
//   fma    : acc = acc * a + b          (one instruction, 2 flops per lane)
//   muladd : half the chains p = p * a, half s = s + b  (1 flop per lane per instruction), the
//            instruction mix of our kernel, which is compiled without contraction
//            (-ffp-contract=off, for bit-identity with WebAssembly, which has no FMA).
// One variant per instruction set the kernel has (core/src/kernel_isa.hpp): on x86-64 AVX-512,
// AVX2 (intrinsics, compiled with target attributes, chosen at run time) and 16-byte vectors
// (SSE2); elsewhere only the 16-byte one, in plain C++ (GCC/clang vector extensions: NEON on
// aarch64, scalar code where there is no vector unit), mul+add only.
#pragma once
#if defined(__x86_64__) || defined(__i386__)
#define MESAFLOW_PEAK_X86 1
#include <immintrin.h>
#endif

#include <cstdint>
#include <ctime>
#include <string>

namespace mesaflow::bench {

enum class Isa { Avx512, Avx2, V128 };
enum class Op { Fma, MulAdd };

// Independent chains: Zen 4 and recent Intel cores have 2 FMA pipes of latency 4, so at least 8
// chains keep both busy. AVX-512 has 32 vector registers (16 chains leave margin); AVX2 and SSE2
// have 16, so 12 chains plus the two constants fit without spilling to the stack.
constexpr int kChains512 = 16;
constexpr int kChains256 = 12;
constexpr int kChains128 = 12;

inline bool isa_supported(Isa isa, Op op) {
#ifdef MESAFLOW_PEAK_X86
  __builtin_cpu_init();
  switch (isa) {
    case Isa::Avx512: return __builtin_cpu_supports("avx512f") != 0;
    case Isa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::V128: return op == Op::MulAdd;  // SSE2: x86-64's baseline (no FMA)
  }
  return false;
#else
  return isa == Isa::V128 && op == Op::MulAdd;
#endif
}

// The variant for the kernel's instruction set (isa.hpp's kernel_isa(): avx512, avx2, or a
// 16-byte one: sse2, neon, wasm, generic).
inline Isa isa_of_kernel(const std::string& kernel) {
  return kernel == "avx512" ? Isa::Avx512 : kernel == "avx2" ? Isa::Avx2 : Isa::V128;
}
inline const char* isa_name(Isa isa) { return isa == Isa::Avx512 ? "avx512" : isa == Isa::Avx2 ? "avx2" : "v128"; }

// Each returns a value depending on every chain so nothing is optimised away; noipa keeps the
// compiler from treating the call as a pure function and hoisting it out of a timing loop.
#ifdef MESAFLOW_PEAK_X86
__attribute__((target("avx512f"), noipa)) inline double run_avx512(Op op, std::int64_t n) {
  constexpr int kChains = kChains512;
  __m512d acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm512_set1_pd(1.0 + k * 1e-3);
  const __m512d a = _mm512_set1_pd(0.999999), b = _mm512_set1_pd(1e-6);
  if (op == Op::Fma) {
    for (std::int64_t i = 0; i < n; ++i)
      for (int k = 0; k < kChains; ++k) acc[k] = _mm512_fmadd_pd(acc[k], a, b);
  } else {
    for (std::int64_t i = 0; i < n; ++i)
      for (int k = 0; k < kChains; k += 2) {
        acc[k] = _mm512_mul_pd(acc[k], a);
        acc[k + 1] = _mm512_add_pd(acc[k + 1], b);
      }
  }
  __m512d s = acc[0];
  for (int k = 1; k < kChains; ++k) s = _mm512_add_pd(s, acc[k]);
  return _mm512_reduce_add_pd(s);
}

__attribute__((target("avx2,fma"), noipa)) inline double run_avx2(Op op, std::int64_t n) {
  constexpr int kChains = kChains256;
  __m256d acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = _mm256_set1_pd(1.0 + k * 1e-3);
  const __m256d a = _mm256_set1_pd(0.999999), b = _mm256_set1_pd(1e-6);
  if (op == Op::Fma) {
    for (std::int64_t i = 0; i < n; ++i)
      for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_pd(acc[k], a, b);
  } else {
    for (std::int64_t i = 0; i < n; ++i)
      for (int k = 0; k < kChains; k += 2) {
        acc[k] = _mm256_mul_pd(acc[k], a);
        acc[k + 1] = _mm256_add_pd(acc[k + 1], b);
      }
  }
  __m256d s = acc[0];
  for (int k = 1; k < kChains; ++k) s = _mm256_add_pd(s, acc[k]);
  double out[4];
  _mm256_storeu_pd(out, s);
  return out[0] + out[1] + out[2] + out[3];
}
#endif

// Two doubles per vector in plain C++ (mul+add only; the build's baseline instructions).
__attribute__((noipa)) inline double run_v128(std::int64_t n) {
  typedef double V __attribute__((vector_size(16)));
  constexpr int kChains = kChains128;
  V acc[kChains];
  for (int k = 0; k < kChains; ++k) acc[k] = V{1.0, 1.0} + k * 1e-3;
  const V a = V{1.0, 1.0} * 0.999999, b = V{1.0, 1.0} * 1e-6;
  for (std::int64_t i = 0; i < n; ++i)
    for (int k = 0; k < kChains; k += 2) {
      acc[k] = acc[k] * a;
      acc[k + 1] = acc[k + 1] + b;
    }
  V s = acc[0];
  for (int k = 1; k < kChains; ++k) s = s + acc[k];
  return s[0] + s[1];
}

// Flops of one call with n iterations.
inline double peak_flops(Isa isa, Op op, std::int64_t n) {
  const double lanes = isa == Isa::Avx512 ? 8 : isa == Isa::Avx2 ? 4 : 2, per_instr = op == Op::Fma ? 2 : 1;
  const int chains = isa == Isa::Avx512 ? kChains512 : isa == Isa::Avx2 ? kChains256 : kChains128;
  return static_cast<double>(n) * chains * lanes * per_instr;
}

// Call only where isa_supported(isa, op).
inline double run_peak(Isa isa, Op op, std::int64_t n) {
#ifdef MESAFLOW_PEAK_X86
  if (isa == Isa::Avx512) return run_avx512(op, n);
  if (isa == Isa::Avx2) return run_avx2(op, n);
#endif
  (void)op;
  return run_v128(n);
}

// Seconds of CPU time of the calling thread.
inline double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

// GFLOP/s of instruction set isa for op on the calling thread, per second of the thread's CPU
// time (so other processes sharing the core do not lower it): best of `repeats` runs of at least
// 40 ms each. 0 where the CPU (or the variant) has no such instruction.
inline double measure_peak_gflops(Isa isa, Op op, int repeats = 5) {
  if (!isa_supported(isa, op)) return 0;
  std::int64_t n = 1 << 14;
  double best = 0;
  volatile double sink = 0;
  for (int r = 0; r < repeats;) {
    const double t0 = thread_cpu_seconds();
    sink = sink + run_peak(isa, op, n);
    const double s = thread_cpu_seconds() - t0;
    if (s < 0.04) {  // too short to time well: grow n and try again
      n *= 4;
      continue;
    }
    const double g = peak_flops(isa, op, n) / s / 1e9;
    if (g > best) best = g;
    ++r;
  }
  return best;
}

}  // namespace mesaflow::bench
