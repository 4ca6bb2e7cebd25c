// The machine's floating-point peak on one core, measured: independent accumulator chains of
// double-precision vector instructions, long enough that throughput (not latency) limits them.
//   fma    : acc = acc * a + b          (one instruction, 2 flops per lane)
//   muladd : half the chains p = p * a, half s = s + b  (1 flop per lane per instruction), the
//            instruction mix of our kernel, which is compiled without contraction
//            (-ffp-contract=off, for bit-identity with WebAssembly, which has no FMA).
// AVX-512 and AVX2 variants are compiled with target attributes and chosen at run time.
#pragma once
#include <immintrin.h>

#include <cstdint>
#include <ctime>

namespace mesaflow::bench {

enum class Isa { Avx512, Avx2 };
enum class Op { Fma, MulAdd };

inline bool isa_supported(Isa isa) {
  __builtin_cpu_init();
  return isa == Isa::Avx512 ? __builtin_cpu_supports("avx512f") != 0
                            : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
}

// Independent chains: Zen 4 and recent Intel cores have 2 FMA pipes of latency 4, so at least 8
// chains keep both busy. AVX-512 has 32 vector registers (16 chains leave margin); AVX2 has 16,
// so 12 chains plus the two constants fit without spilling to the stack.
constexpr int kChains512 = 16;
constexpr int kChains256 = 12;

// Each returns a value depending on every chain so nothing is optimised away; noipa keeps the
// compiler from treating the call as a pure function and hoisting it out of a timing loop.
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

// Flops of one call with n iterations.
inline double peak_flops(Isa isa, Op op, std::int64_t n) {
  const double lanes = isa == Isa::Avx512 ? 8 : 4, per_instr = op == Op::Fma ? 2 : 1;
  return static_cast<double>(n) * (isa == Isa::Avx512 ? kChains512 : kChains256) * lanes * per_instr;
}

inline double run_peak(Isa isa, Op op, std::int64_t n) { return isa == Isa::Avx512 ? run_avx512(op, n) : run_avx2(op, n); }

// GFLOP/s of the widest supported ISA for op on the calling thread, per second of the thread's
// CPU time (so other processes sharing the core do not lower it): best of `repeats` runs of at
// least 40 ms each.
inline double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

inline double measure_peak_gflops(Op op, int repeats = 5) {
  const Isa isa = isa_supported(Isa::Avx512) ? Isa::Avx512 : Isa::Avx2;
  if (!isa_supported(isa)) return 0;
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
