// Private to the core: what the plain scalar passes (the models of models/, the mesa view's
// comparators) share so that every build forms the same bits.
//
// GCC's vectoriser at -march=native changes the last bits of such loops (seen: the linear map's
// ratio differed from WebAssembly's by 30 ulp), so functions marked MESAFLOW_SCALAR_LOOPS stay
// scalar there; the operations are then the same, in the same order, in every build (contraction
// is off in the whole core, core/CMakeLists.txt).
#pragma once
#include <complex>

#if defined(__GNUC__) && !defined(__clang__)
#define MESAFLOW_SCALAR_LOOPS __attribute__((optimize("no-tree-vectorize")))
#else
#define MESAFLOW_SCALAR_LOOPS
#endif

namespace mesaflow::scalar {

using C = std::complex<double>;

// The complex products written out in real arithmetic (not the library's complex product, which
// may check for NaN and infinities): acc += a b, acc += a conj(b), a s for real s.
inline void cmac(C& acc, C a, C b) {
  acc = {acc.real() + (a.real() * b.real() - a.imag() * b.imag()), acc.imag() + (a.real() * b.imag() + a.imag() * b.real())};
}
inline void cmac_conj(C& acc, C a, C b) {
  acc = {acc.real() + (a.real() * b.real() + a.imag() * b.imag()), acc.imag() + (a.imag() * b.real() - a.real() * b.imag())};
}
inline C scale(C a, double s) { return {a.real() * s, a.imag() * s}; }

}  // namespace mesaflow::scalar
