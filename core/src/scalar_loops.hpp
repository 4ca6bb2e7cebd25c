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

// The same for several sequences at once, one per lane (vectorised across sequences): V is
// double (one sequence) or a GCC vector of doubles (models/layer_scan.hpp SeqLanes), a complex
// number's parts apart.
// Each operation is elementwise and the expression trees are those above, so every lane forms the
// bits that the functions above form for its sequence, at any width, natively and in wasm.
template <class V>
struct CV {
  V re, im;
};
template <class V>
constexpr int kWidth = sizeof(V) / sizeof(double);  // sequences per V
template <class V>
inline double lane(const V& v, int k) {
  if constexpr (kWidth<V> == 1) return (void)k, v;
  else return v[k];
}
template <class V>
inline void set_lane(V& v, int k, double x) {
  if constexpr (kWidth<V> == 1) (void)k, v = x;
  else v[k] = x;
}
// acc += a b, acc += a conj(b) (a or b may be one number for all lanes: V = double), a s.
template <class V, class A, class B>
inline void cmac(CV<V>& acc, const CV<A>& a, const CV<B>& b) {
  acc = {acc.re + (a.re * b.re - a.im * b.im), acc.im + (a.re * b.im + a.im * b.re)};
}
template <class V, class A, class B>
inline void cmac_conj(CV<V>& acc, const CV<A>& a, const CV<B>& b) {
  acc = {acc.re + (a.re * b.re + a.im * b.im), acc.im + (a.im * b.re - a.re * b.im)};
}
template <class V>
inline CV<V> scale(const CV<V>& a, double s) { return {a.re * s, a.im * s}; }
template <class V>
inline CV<V> operator+(const CV<V>& a, const CV<V>& b) { return {a.re + b.re, a.im + b.im}; }
template <class V>
inline CV<V> operator-(const CV<V>& a, const CV<V>& b) { return {a.re - b.re, a.im - b.im}; }

}  // namespace mesaflow::scalar
