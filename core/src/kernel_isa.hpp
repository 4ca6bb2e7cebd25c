// The instruction set one compilation of kernel.cpp is for (core/CMakeLists.txt compiles it once
// per entry of MESAFLOW_KERNEL_ISAS, each with -DMESAFLOW_KERNEL_ISA_<NAME>; kernel_dispatch.cpp
// picks one from the CPU at start). Every compilation has the same operations in the same order
// on every lane; only the number of lanes a scan holds in one vector differs (MESAFLOW_SCAN_BYTES),
// and the lanes' sums are added in lane order, so every instruction set gives the same bits.
//
// Why one file compiled several times and not target_clones or Highway: the kernel is templates
// on GCC/clang vector extensions (the same source is the WebAssembly kernel); target_clones does
// not apply to templates and clones only the marked function (its inlined callees would stay
// baseline), and Highway would mean rewriting the kernel in its operations. Here the whole file
// is the unit. Each compilation's public functions (kernel.hpp's) get the set's suffix by the
// macros below (evaluate -> evaluate_avx2, ...: kernel_dispatch.cpp defines the unsuffixed ones),
// and its code sits between MESAFLOW_KERNEL_BEGIN and _END, which for the wider sets are
// `#pragma GCC target`. The pragma (not -march on the file) keeps the code of the headers it
// includes (the standard library, Eigen) compiled for the build's baseline: inline functions that
// several files instantiate are merged by the linker, and a copy compiled for AVX-512 could
// otherwise end up called on any CPU. A new public function of kernel.hpp gets a line here and
// one in kernel_dispatch.cpp.
//
// Included first by kernel.cpp; by models/passes_isa.cpp after the headers it uses.
// Only this file knows the widths (one place; see kernel.cpp's kScanBytes):
//   avx512  64 bytes: 8 doubles / 16 floats, a pack in one zmm register (32 of them)
//   avx2    32 bytes: half a pack per scan (16 ymm registers)
//   sse2    16 bytes: a quarter pack (x86-64's baseline, 16 xmm registers)
//   neon    16 bytes (aarch64, 32 q registers), wasm 16 bytes (V8's 16 registers), generic 16.
#pragma once

#if defined(MESAFLOW_KERNEL_ISA_AVX512)
#define MESAFLOW_KERNEL_SUFFIX avx512
#define MESAFLOW_SCAN_BYTES 64
#define MESAFLOW_KERNEL_TARGET "avx512f,avx2,avx"
#elif defined(MESAFLOW_KERNEL_ISA_AVX2)
#define MESAFLOW_KERNEL_SUFFIX avx2
#define MESAFLOW_SCAN_BYTES 32
#define MESAFLOW_KERNEL_TARGET "avx2,avx"
#elif defined(MESAFLOW_KERNEL_ISA_SSE2)
#define MESAFLOW_KERNEL_SUFFIX sse2
#define MESAFLOW_SCAN_BYTES 16
#else
// One compilation only (WebAssembly, aarch64, clang, MESAFLOW_DISPATCH=OFF): kernel.hpp's names
// as they are, the width after what the compiler targets (kernel_dispatch.cpp names it).
#if defined(__AVX512F__)
#define MESAFLOW_SCAN_BYTES 64
#elif defined(__AVX2__)
#define MESAFLOW_SCAN_BYTES 32
#else
#define MESAFLOW_SCAN_BYTES 16
#endif
#endif

#ifdef MESAFLOW_KERNEL_SUFFIX
// kernel.hpp's own headers first, so that the renaming below reaches only kernel.hpp and kernel.cpp.
#include <vector>

#include "mesaflow/dataset.hpp"
#include "mesaflow/flops.hpp"
#include "mesaflow/model.hpp"
#define MESAFLOW_KERNEL_CAT_(a, b) a##b
#define MESAFLOW_KERNEL_CAT(a, b) MESAFLOW_KERNEL_CAT_(a, b)
#define evaluate MESAFLOW_KERNEL_CAT(evaluate_, MESAFLOW_KERNEL_SUFFIX)
#define evaluate_test MESAFLOW_KERNEL_CAT(evaluate_test_, MESAFLOW_KERNEL_SUFFIX)
#define shard_record_size MESAFLOW_KERNEL_CAT(shard_record_size_, MESAFLOW_KERNEL_SUFFIX)
#define shard_sums MESAFLOW_KERNEL_CAT(shard_sums_, MESAFLOW_KERNEL_SUFFIX)
#define combine_shard_sums MESAFLOW_KERNEL_CAT(combine_shard_sums_, MESAFLOW_KERNEL_SUFFIX)
// ... and the plain passes compiled the same way (models/passes_isa.cpp, models/passes_isa.hpp).
#define layers_shard_sums MESAFLOW_KERNEL_CAT(layers_shard_sums_, MESAFLOW_KERNEL_SUFFIX)
#define softmax_shard_sums MESAFLOW_KERNEL_CAT(softmax_shard_sums_, MESAFLOW_KERNEL_SUFFIX)
#define layers_predict_lanes MESAFLOW_KERNEL_CAT(layers_predict_lanes_, MESAFLOW_KERNEL_SUFFIX)
#define softmax_predict_lanes MESAFLOW_KERNEL_CAT(softmax_predict_lanes_, MESAFLOW_KERNEL_SUFFIX)
#endif

// Storage for the scan's vectors, 64-byte aligned. Needed: outside the pragma (the standard
// library's code) GCC takes a 32- or 64-byte vector to be 16-byte aligned (x86's largest alignment
// without AVX), while the code inside it stores such vectors with aligned instructions.
#include <cstddef>
#include <new>
namespace mesaflow {
template <class T>
struct KernelAlloc {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  KernelAlloc() = default;
  template <class U>
  KernelAlloc(const KernelAlloc<U>&) {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, std::size_t) { ::operator delete(p, kAlign); }
  template <class U>
  bool operator==(const KernelAlloc<U>&) const { return true; }
  template <class U>
  bool operator!=(const KernelAlloc<U>&) const { return false; }
};
}  // namespace mesaflow

#ifdef MESAFLOW_KERNEL_TARGET
#define MESAFLOW_KERNEL_PRAGMA_(x) _Pragma(#x)
#define MESAFLOW_KERNEL_PRAGMA(x) MESAFLOW_KERNEL_PRAGMA_(x)
#define MESAFLOW_KERNEL_BEGIN _Pragma("GCC push_options") MESAFLOW_KERNEL_PRAGMA(GCC target(MESAFLOW_KERNEL_TARGET))
#define MESAFLOW_KERNEL_END _Pragma("GCC pop_options")
#else
#define MESAFLOW_KERNEL_BEGIN
#define MESAFLOW_KERNEL_END
#endif
