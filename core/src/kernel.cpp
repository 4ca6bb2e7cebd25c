#include "kernel_isa.hpp"  // first: the instruction set of this compilation
#include "mesaflow/kernel.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <vector>
#ifdef MESAFLOW_THREADS
#include <thread>
#endif

// The fused scan of core/THEORY.md §2 (the forward pass of §1 with its gradient), one pack of
// sequences at a time, each sequence in a lane of a vector. Reading order: the lane vector and
// its complex form (Cx) with the three multiply-adds every product is made of; the products
// (matvec, adjoint_matvec, hermitian_matvec, add_outer, add_upper_outer), written once for any
// number of rows per step; the steps of one position (state_step, forward_step, residual_step,
// backward_step), each with its formula and shapes; pack_scan, which runs them over t; then the
// shards and the threads.
//
// Same bits everywhere: every lane performs the operations of a scalar loop in the same order
// (GCC/clang vector extensions, IEEE element-wise, contraction off: core/CMakeLists.txt), and
// the register shape (ScanShape: vector width, rows per step) only changes which independent
// sums are formed side by side, never the order within one sum.

namespace mesaflow {

MESAFLOW_KERNEL_BEGIN

namespace {

constexpr int kMaxD = 64;  // D = 2d for d <= 32

// One vector of a pack's lanes, a lane per sequence: kBytes / sizeof(S) numbers. A pack is
// always stored as 64 bytes of lanes (8 doubles or 16 floats, lanes_of()); a scan may hold a
// part of it (kBytes < 64) and run once per part. S is the arithmetic of the scan; the sums over
// sequences are doubles (Partial).
template <class S, int kBytes>
struct Lanes {
  static constexpr int L = kBytes / sizeof(S);
  typedef S V __attribute__((vector_size(kBytes)));
  typedef double Wide __attribute__((vector_size(sizeof(double) * L)));  // L doubles, as stored
};
constexpr int kPackBytes = 64;

// The register shape of a scan: kBytes of a pack per vector and kRows rows of a product per step
// (the sums of kRows rows formed together, each x_b loaded once for all of them). The one place a
// build's shape is chosen, ScanShape below. Natively: MESAFLOW_SCAN_BYTES of the pack per vector,
// a row at a time: the width of the instruction set this compilation is for (kernel_isa.hpp:
// AVX-512 64 bytes, the whole pack in one register; AVX2 32; SSE2 and NEON 16). WebAssembly: one 16-byte register (f64x2, f32x4), a pack scanned
// in four parts, two rows per step with the loops kept rolled: a 64-byte vector is four
// registers there and V8, which has 16, spilled the sums of the products.
template <int kBytes, int kRows>
struct Shape {
  static constexpr int bytes = kBytes, rows = kRows;
  static_assert(kRows == 1 || kRows == 2, "D = 2d: a step of 1 or 2 rows divides it");
};
using NarrowShape = Shape<16, 2>;  // WebAssembly's; also compiled natively (generic d) for tests
#ifdef __EMSCRIPTEN__
using ScanShape = NarrowShape;
#else
using ScanShape = Shape<MESAFLOW_SCAN_BYTES, 1>;
#endif

// Every helper below is inlined into pack_scan: one pack_scan holds every pass, and past GCC's
// inlining limits it called hermitian_matvec, add_upper_outer, ... out of line, with the
// position's vectors in memory behind pointers. Inlining changes no operation, so no bit.
#define MESAFLOW_INLINE inline __attribute__((always_inline))
#define MESAFLOW_INLINE_LAMBDA __attribute__((always_inline))

// L stored numbers (doubles, unaligned) as a vector of S: a float vector holds the stored floats
// exactly (Dataset keeps single-precision numbers as doubles).
template <class V>
MESAFLOW_INLINE V ld(const double* p) {
  using S = std::remove_reference_t<decltype(V{}[0])>;
  constexpr int L = sizeof(V) / sizeof(S);
  typedef double Wide __attribute__((vector_size(sizeof(double) * L)));
  Wide w;
  std::memcpy(&w, p, sizeof w);
  if constexpr (std::is_same_v<S, double>) return w;
  else return __builtin_convertvector(w, V);
}
template <class V>
MESAFLOW_INLINE V zero() {
  using S = std::remove_reference_t<decltype(V{}[0])>;
  return V{} * S(0);
}

// A complex number per lane (V a lane vector), or one complex parameter (V = S, used by every
// lane alike): real and imaginary parts side by side.
template <class V>
struct Cx {
  V re, im;
};
template <class V>
MESAFLOW_INLINE Cx<V> czero() {
  return {zero<V>(), zero<V>()};
}
template <class S>
MESAFLOW_INLINE Cx<S> conj(const Cx<S>& c) {
  return {c.re, -c.im};
}

// The three multiply-adds every product of the scan is made of, each written once, with its
// operations in this order (the bits depend on it):
// acc += c x
template <class A, class C, class X>
MESAFLOW_INLINE void mul_add(Cx<A>& acc, const Cx<C>& c, const Cx<X>& x) {
  acc.re += c.re * x.re - c.im * x.im;
  acc.im += c.re * x.im + c.im * x.re;
}
// acc += conj(c) x
template <class A, class C, class X>
MESAFLOW_INLINE void conj_mul_add(Cx<A>& acc, const Cx<C>& c, const Cx<X>& x) {
  acc.re += c.re * x.re + c.im * x.im;
  acc.im += c.re * x.im - c.im * x.re;
}
// acc += a conj(x)
template <class A, class C, class X>
MESAFLOW_INLINE void mul_conj_add(Cx<A>& acc, const Cx<C>& a, const Cx<X>& x) {
  acc.re += a.re * x.re + a.im * x.im;
  acc.im += a.im * x.re - a.re * x.im;
}

// A loop left rolled in WebAssembly (clang): unrolled, its loads are hoisted ahead of the
// arithmetic and V8 spills what does not fit in its 16 registers.
#ifdef __clang__
#define MESAFLOW_ROLLED _Pragma("nounroll")
#else
#define MESAFLOW_ROLLED
#endif

// ---- Products, R rows per step (the register shape); each row's sum over b runs in the same
// order with the same operations whatever R is.

// y_i = sum_b C_ib x_b for R consecutive rows of C (row stride D). C: complex scalars (the
// parameters) or lane vectors (the carried W_PV S_t).
template <int R, class C, class V>
MESAFLOW_INLINE void rows_times(int D, const Cx<C>* c, const Cx<V>* x, Cx<V>* y) {
  Cx<V> acc[R];
  for (int r = 0; r < R; ++r) acc[r] = czero<V>();
  MESAFLOW_ROLLED
  for (int b = 0; b < D; ++b) {
    const Cx<V> xb = x[b];
    for (int r = 0; r < R; ++r) mul_add(acc[r], c[r * D + b], xb);
  }
  for (int r = 0; r < R; ++r) y[r] = acc[r];
}
// y = C x, C (rows, D): R rows per step, the last rows % R one at a time.
template <int R, class C, class V>
MESAFLOW_INLINE void matvec(int rows, int D, const Cx<C>* c, const Cx<V>* x, Cx<V>* y) {
  int i = 0;
  MESAFLOW_ROLLED
  for (; i + R <= rows; i += R) rows_times<R>(D, c + i * D, x, y + i);
  for (; i < rows; ++i) rows_times<1>(D, c + i * D, x, y + i);
}

// w = C^H r, C (rows, D) complex scalars, w (D): R entries of w per step (D % R == 0), each a
// sum over i of conj(C_ib) r_i.
template <int R, class S, class V>
MESAFLOW_INLINE void adjoint_matvec(int rows, int D, const Cx<S>* c, const Cx<V>* r, Cx<V>* w) {
  MESAFLOW_ROLLED
  for (int b = 0; b < D; b += R) {
    Cx<V> acc[R];
    for (int k = 0; k < R; ++k) acc[k] = czero<V>();
    MESAFLOW_ROLLED
    for (int i = 0; i < rows; ++i) {
      const Cx<V> ri = r[i];
      for (int k = 0; k < R; ++k) mul_add(acc[k], conj(c[i * D + b + k]), ri);
    }
    for (int k = 0; k < R; ++k) w[b + k] = acc[k];
  }
}

// y = S x for Hermitian S (D, D) stored in its upper triangle: S_ab as stored for b >= a, as
// conj(S_ba) for b < a. Rows a .. a+R-1 per step (D % R == 0). DC: D at compile time, or 0.
template <int R, int DC, class V>
MESAFLOW_INLINE void hermitian_matvec(int D, const Cx<V>* __restrict s, const Cx<V>* x, Cx<V>* y) {
  if (DC) D = DC;
  MESAFLOW_ROLLED
  for (int a = 0; a < D; a += R) {
    Cx<V> acc[R];
    for (int r = 0; r < R; ++r) acc[r] = czero<V>();
    MESAFLOW_ROLLED
    for (int b = 0; b < a; ++b) {  // left of the rows' diagonal block: conj(S_b,a+r)
      const Cx<V> xb = x[b];
      for (int r = 0; r < R; ++r) conj_mul_add(acc[r], s[b * D + a + r], xb);
    }
    for (int b = a; b < a + R; ++b) {  // the diagonal block: row a+r left of its diagonal, then on it and right
      const Cx<V> xb = x[b];
      for (int r = 0; r < R; ++r) {
        if (b < a + r) conj_mul_add(acc[r], s[b * D + a + r], xb);
        else mul_add(acc[r], s[(a + r) * D + b], xb);
      }
    }
    MESAFLOW_ROLLED
    for (int b = a + R; b < D; ++b) {  // right of it: S_a+r,b
      const Cx<V> xb = x[b];
      for (int r = 0; r < R; ++r) mul_add(acc[r], s[(a + r) * D + b], xb);
    }
    for (int r = 0; r < R; ++r) y[a + r] = acc[r];
  }
}

// g += a x^H, g (rows, D) lane vectors: g_ib += a_i conj(x_b); R rows per step, the last
// rows % R one at a time.
template <int R, class V>
MESAFLOW_INLINE void add_outer(int rows, int D, const Cx<V>* a, const Cx<V>* x, Cx<V>* __restrict g) {
  auto block = [&](auto rows_per_step, int i) MESAFLOW_INLINE_LAMBDA {
    constexpr int K = decltype(rows_per_step)::value;
    Cx<V> ai[K];
    for (int k = 0; k < K; ++k) ai[k] = a[i + k];
    Cx<V>* gi = g + i * D;
    MESAFLOW_ROLLED
    for (int b = 0; b < D; ++b) {
      const Cx<V> xb = x[b];
      for (int k = 0; k < K; ++k) mul_conj_add(gi[k * D + b], ai[k], xb);
    }
  };
  int i = 0;
  MESAFLOW_ROLLED
  for (; i + R <= rows; i += R) block(std::integral_constant<int, R>{}, i);
  for (; i < rows; ++i) block(std::integral_constant<int, 1>{}, i);
}

// S += e e^H on the upper triangle of S (D, D): S_ab += e_a conj(e_b), b >= a; rows a .. a+R-1
// per step (D % R == 0), each e_b loaded once for them.
template <int R, class V>
MESAFLOW_INLINE void add_upper_outer(int D, const Cx<V>* e, Cx<V>* __restrict s) {
  MESAFLOW_ROLLED
  for (int a = 0; a < D; a += R) {
    Cx<V> ea[R];
    for (int r = 0; r < R; ++r) ea[r] = e[a + r];
    for (int r = 0; r < R; ++r)  // the diagonal block
      for (int b = a + r; b < a + R; ++b) mul_conj_add(s[(a + r) * D + b], ea[r], e[b]);
    MESAFLOW_ROLLED
    for (int b = a + R; b < D; ++b) {
      const Cx<V> eb = e[b];
      for (int r = 0; r < R; ++r) mul_conj_add(s[(a + r) * D + b], ea[r], eb);
    }
  }
}

// y = c x, a complex product written out (dataset.cpp's x_{t+1} = lambda x_t, with its
// operations: the regenerated tokens equal the stored ones bit for bit).
template <class V>
MESAFLOW_INLINE Cx<V> mul(const Cx<V>& c, const Cx<V>& x) {
  return {c.re * x.re - c.im * x.im, c.re * x.im + c.im * x.re};
}

// The sums of one shard, a view of its record in shard_sums()' output (layout in kernel.hpp):
// gradients unscaled, as sum r v^H / rho etc.
struct Partial {
  double* loss;
  double* ratio;
  double* ratio_count;
  double* last;
  double *gk_re, *gk_im;  // (D, D)
  double *gp_re, *gp_im;  // (d, D)
  Partial(double* rec, int d, bool grad) {
    const int D = 2 * d;
    loss = rec, ratio = rec + 1, ratio_count = rec + 2, last = rec + 3;
    gk_re = gk_im = gp_re = gp_im = nullptr;
    if (grad) {
      gk_re = rec + 4, gk_im = gk_re + D * D;
      gp_re = gk_im + D * D, gp_im = gp_re + d * D;
    }
  }
};

// Parameters as complex scalars, row-major, in the scan's arithmetic (in single each part
// rounded to the nearest float).
template <class S>
struct ParamArrays {
  std::vector<Cx<S>> wkq;  // (D, D) W_KQ
  std::vector<Cx<S>> wpv;  // (d, D) W_PV
  explicit ParamArrays(const Params& p) {
    const int d = p.d(), D = 2 * d;
    for (int a = 0; a < D; ++a)
      for (int b = 0; b < D; ++b) wkq.push_back({static_cast<S>(p.wkq(a, b).real()), static_cast<S>(p.wkq(a, b).imag())});
    for (int a = 0; a < d; ++a)
      for (int b = 0; b < D; ++b) wpv.push_back({static_cast<S>(p.wpv(a, b).real()), static_cast<S>(p.wpv(a, b).imag())});
  }
};

// Per-thread scratch that does not fit in registers, lane vectors V.
template <class V>
struct Scratch {
  using Vs = std::vector<Cx<V>, KernelAlloc<Cx<V>>>;  // 64-byte aligned (kernel_isa.hpp)
  Vs s;   // (D, D) the running state S_t, upper triangle used; held-out pass: A_t (d, D)
  Vs gk;  // (D, D) per-lane dW_KQ
  Vs gp;  // (d, D) per-lane dW_PV
  explicit Scratch(int d) : s(4 * d * d), gk(4 * d * d), gp(2 * d * d) {}
};

// The tokens of one pack: stored, xr/xi (T, d, PL); or regenerated (lr != nullptr), xr/xi = x_1
// (d, PL) and lr/li = lambda (d, PL). PL = lanes of a pack, a scan reads L <= PL of them.
struct PackTokens {
  const double* xr;
  const double* xi;
  const double* lr;
  const double* li;
};

// The vectors of one position t (D = 2d, DM >= D the arrays' size).
template <class V, int DM>
struct Position {
  Cx<V> e[DM];       // (D) embedding e_t = (x_t ; x_{t-1})
  Cx<V> next[DM];    // (d) the next token x_{t+1}: the target
  Cx<V> lambda[DM];  // (d) lambda, regenerated tokens
  Cx<V> u[DM];       // (D) W_KQ e_t
  Cx<V> v[DM];       // (D) S_t u
  Cx<V> y[DM];       // (d) W_PV v (held-out pass: W_PV e_t, then A_t u)
  Cx<V> r[DM];       // (d) (y_hat - x_{t+1}) / rho
  Cx<V> w[DM];       // (D) W_PV^H r
  Cx<V> z[DM];       // (D) S_t w
};

// The lane sums of a pack's scan: per-lane loss and last-position error in S, the ratio's
// terms in double.
template <class V, int L>
struct LaneSums {
  V loss, last;
  double ratio[L] = {}, count[L] = {};
};

// ---- The steps of one position (core/THEORY.md §2, "One position of the scan"). t0: 0-based
// token index, the paper's t = t0 + 1; rho_t = t - 1 = t0.

// tokens: e_t = (x_t ; x_{t-1}) (x_0 = 0) and the target x_{t+1}, (d) each: loaded from the
// pack (stride PL), or x_{t+1} = lambda x_t for a regenerated set.
template <class V, int PL, int DM>
MESAFLOW_INLINE void token_step(int t0, int d, const PackTokens& X, Position<V, DM>& q) {
  for (int j = 0; j < d; ++j) {
    if (t0 > 0) q.e[d + j] = q.e[j];
    q.e[j] = q.next[j];
    if (X.lr) q.next[j] = mul(q.e[j], q.lambda[j]);
    else q.next[j] = {ld<V>(X.xr + ((t0 + 1) * d + j) * PL), ld<V>(X.xi + ((t0 + 1) * d + j) * PL)};
  }
}

// state: S_t = S_{t-1} + e_t e_t^H, S (D, D) upper triangle.
// Held-out pass (carry): A_t = W_PV S_t = A_{t-1} + (W_PV e_t) e_t^H, A (d, D), W_PV e_t (d) in
// q.y: y = A_t u then takes D^2 + dD products per position instead of 2 D^2 + dD, the state dD + dD
// instead of D(D+1)/2 (18% fewer flops at d = 5). The same sums in another order, equal to the
// S_t form up to rounding: training (whose loss must equal the gradient pass's bit for bit, for
// resumed runs) keeps the S_t form.
template <int R, class S, class V, int DM>
MESAFLOW_INLINE void state_step(bool carry, int d, int D, const ParamArrays<S>& P, Position<V, DM>& q, Cx<V>* s) {
  if (carry) {
    matvec<R>(d, D, P.wpv.data(), q.e, q.y);
    add_outer<1>(d, D, q.y, q.e, s);
  } else {
    add_upper_outer<R>(D, q.e, s);
  }
}

// forward: u = W_KQ e_t (D) ; v = S_t u (D) ; y = W_PV v (d). Held-out pass: y = A_t u.
template <int R, int DC, class S, class V, int DM>
MESAFLOW_INLINE void forward_step(bool carry, int d, int D, const ParamArrays<S>& P, Position<V, DM>& q, const Cx<V>* s) {
  matvec<R>(D, D, P.wkq.data(), q.e, q.u);
  if (carry) {
    matvec<1>(d, D, s, q.u, q.y);
  } else {
    hermitian_matvec<R, DC>(D, s, q.u, q.v);
    matvec<R>(d, D, P.wpv.data(), q.v, q.y);
  }
}

// residual: y_hat = y / rho ; loss += |y_hat - x_{t+1}|^2 ; r = (y_hat - x_{t+1}) / rho (d).
// At the last position (t = T-1, target x_T) also the last-position error and, per lane in
// double (the four numbers are exact in it), Re(y_hat / x) = Re(y_hat conj(x)) / |x|^2 over x != 0.
template <class S, class V, int L, int DM>
MESAFLOW_INLINE void residual_step(int d, S inv_rho, bool last_pos, Position<V, DM>& q, LaneSums<V, L>& sums) {
  for (int i = 0; i < d; ++i) {
    const V hr = q.y[i].re * inv_rho, hi = q.y[i].im * inv_rho;
    const V tr = q.next[i].re, ti = q.next[i].im;
    const V dr = hr - tr, di = hi - ti;
    const V se = dr * dr + di * di;
    sums.loss += se;
    if (last_pos) {
      sums.last += se;
      for (int l = 0; l < L; ++l) {
        const double a = tr[l], b = ti[l], p = hr[l], h = hi[l];
        const double xx = a * a + b * b;
        if (xx > 0.0) {
          sums.ratio[l] += (p * a + h * b) / xx;
          sums.count[l] += 1.0;
        }
      }
    }
    q.r[i] = {dr * inv_rho, di * inv_rho};
  }
}

// backward (core/THEORY.md §2, "The gradient"):
//   dW_PV += r v^H   (d, D)
//   w = W_PV^H r     (D)
//   z = S_t w        (D)
//   dW_KQ += z e_t^H (D, D)
// with r = (y_hat - x_{t+1}) / rho already divided by rho.
template <int R, int DC, class S, class V, int DM>
MESAFLOW_INLINE void backward_step(int d, int D, const ParamArrays<S>& P, Position<V, DM>& q, const Cx<V>* s, Cx<V>* gk,
                          Cx<V>* gp) {
  add_outer<1>(d, D, q.r, q.v, gp);
  adjoint_matvec<R>(d, D, P.wpv.data(), q.r, q.w);
  hermitian_matvec<R, DC>(D, s, q.w, q.z);
  add_outer<R>(D, D, q.z, q.e, gk);
}

// One pack's L lanes (one part of a pack when L < PL) through all positions, its sums added into
// out in lane order. DC = D at compile time (loops unrolled, vectors in registers), or 0 for any
// D <= kMaxD; Sh: the register shape. The pass (Gradient, Forward, Test) and the representation
// (stored or regenerated tokens) are decided per position by a branch that always goes the same
// way, not by more instantiations; kTrain (pack_scan below) fixes them at compile time for the
// pass every training epoch runs.
template <class S, int DC, class Sh, bool kTrain>
__attribute__((noinline)) void scan_positions(const ParamArrays<S>& P, const PackTokens& X_any, int T, int d_any, Pass pass,
                                              Scratch<typename Lanes<S, Sh::bytes>::V>& sc, const Partial& out) {
  using V = typename Lanes<S, Sh::bytes>::V;
  constexpr int R = Sh::rows;
  constexpr int L = Lanes<S, Sh::bytes>::L;     // lanes of this scan
  constexpr int PL = Lanes<S, kPackBytes>::L;   // lanes of a pack: the stride of the tokens
  constexpr int DM = DC ? DC : kMaxD;
  const int D = DC ? DC : 2 * d_any, d = D / 2;
  const bool grad = kTrain || pass == Pass::Gradient, carry = !kTrain && pass == Pass::Test;
  const PackTokens X = kTrain ? PackTokens{X_any.xr, X_any.xi, nullptr, nullptr} : X_any;  // kTrain: stored
  Cx<V>* __restrict s = sc.s.data();
  Cx<V>* __restrict gk = sc.gk.data();
  Cx<V>* __restrict gp = sc.gp.data();
  std::fill(sc.s.begin(), sc.s.end(), czero<V>());
  if (grad) {
    std::fill(sc.gk.begin(), sc.gk.end(), czero<V>());
    std::fill(sc.gp.begin(), sc.gp.end(), czero<V>());
  }
  LaneSums<V, L> sums;
  sums.loss = sums.last = zero<V>();
  Position<V, DM> q;
  for (int j = 0; j < d; ++j) {
    q.e[d + j] = czero<V>();  // x_0 = 0
    q.next[j] = {ld<V>(X.xr + j * PL), ld<V>(X.xi + j * PL)};  // x_1
    if (X.lr) q.lambda[j] = {ld<V>(X.lr + j * PL), ld<V>(X.li + j * PL)};
  }
  for (int t0 = 0; t0 + 1 < T; ++t0) {
    token_step<V, PL>(t0, d, X, q);
    state_step<R>(carry, d, D, P, q, s);
    if (t0 < 1) continue;  // predictions start at t = 2 (rho_t = t - 1 > 0)
    const S inv_rho = S(1) / S(t0);
    forward_step<R, DC>(carry, d, D, P, q, s);
    residual_step(d, inv_rho, t0 + 2 == T, q, sums);
    if (grad) backward_step<R, DC>(d, D, P, q, s, gk, gp);
  }
  // Lanes into the shard's sums, in lane order (= sequence order), in double.
  for (int l = 0; l < L; ++l) {
    *out.loss += sums.loss[l];
    *out.ratio += sums.ratio[l];
    *out.ratio_count += sums.count[l];
    *out.last += sums.last[l];
  }
  if (grad) {
    for (int k = 0; k < D * D; ++k)
      for (int l = 0; l < L; ++l) {
        out.gk_re[k] += gk[k].re[l];
        out.gk_im[k] += gk[k].im[l];
      }
    for (int k = 0; k < d * D; ++k)
      for (int l = 0; l < L; ++l) {
        out.gp_re[k] += gp[k].re[l];
        out.gp_im[k] += gp[k].im[l];
      }
  }
}

// The scan of one pack. The gradient pass over stored tokens (every epoch of training) runs in a
// copy of the scan with its branches removed at compile time (objdump of the AVX-512 d = 5 double
// scan: 2700 instructions and 109 vector stores to the stack, against 3328 and 184 for the copy
// holding every pass). The same operations in the same order, so the same bits. Each copy a function of its
// own (noinline): one call per pack, and a symbol objdump and perf can name.
template <class S, int DC, class Sh>
void pack_scan(const ParamArrays<S>& P, const PackTokens& X, int T, int d_any, Pass pass, Scratch<typename Lanes<S, Sh::bytes>::V>& sc,
               const Partial& out) {
#ifdef __EMSCRIPTEN__
  // WebAssembly: the one copy for every pass. The second copy adds about 40 KB to the module
  // (8 KiB gzipped), past the page's first-load budget (site/build.mjs); the same bits either way.
  scan_positions<S, DC, Sh, false>(P, X, T, d_any, pass, sc, out);
#else
  if (pass == Pass::Gradient && !X.lr) scan_positions<S, DC, Sh, true>(P, X, T, d_any, pass, sc, out);
  else scan_positions<S, DC, Sh, false>(P, X, T, d_any, pass, sc, out);
#endif
}

template <class S, class Sh>
using ScanFn = void (*)(const ParamArrays<S>&, const PackTokens&, int, int, Pass, Scratch<typename Lanes<S, Sh::bytes>::V>&,
                        const Partial&);

// The d with a kernel unrolled for D = 2d, this build's shape only. Natively d = 1..8 (the paper
// uses d = 5); in the browser each costs download size: only the d of the page's presets (3 and
// 5). The narrow shape compiled natively for the tests is the generic kernel alone. Unrolled or
// not, the operations and their order are the same, and so are the bits.
template <class Sh>
constexpr bool unrolled(int d) {
#ifdef __EMSCRIPTEN__
  return std::is_same_v<Sh, ScanShape> && (d == 3 || d == 5);
#else
  return std::is_same_v<Sh, ScanShape> && d >= 1 && d <= 8;
#endif
}
template <class S, class Sh, int d>
ScanFn<S, Sh> scan_for() {
  if constexpr (unrolled<Sh>(d)) return pack_scan<S, 2 * d, Sh>;
  else return pack_scan<S, 0, Sh>;
}
template <class S, class Sh>
ScanFn<S, Sh> pick_scan(int d) {
  switch (d) {
    case 1: return scan_for<S, Sh, 1>();
    case 2: return scan_for<S, Sh, 2>();
    case 3: return scan_for<S, Sh, 3>();
    case 4: return scan_for<S, Sh, 4>();
    case 5: return scan_for<S, Sh, 5>();
    case 6: return scan_for<S, Sh, 6>();
    case 7: return scan_for<S, Sh, 7>();
    case 8: return scan_for<S, Sh, 8>();
    default: return pack_scan<S, 0, Sh>;
  }
}

// shard_sums() in arithmetic S (the data set's precision) and register shape Sh.
template <class S, class Sh>
void shard_sums_in(const Params& p, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                   std::vector<double>& out) {
  using V = typename Lanes<S, Sh::bytes>::V;
  const bool grad = pass == Pass::Gradient;
  constexpr int L = Lanes<S, kPackBytes>::L;  // lanes of a pack
  constexpr int G = Lanes<S, Sh::bytes>::L;   // lanes per scan: the pack (L), or a part of it
  const int d = ds.d, T = ds.T;
  const ParamArrays<S> P(p);
  const ScanFn<S, Sh> scan = pick_scan<S, Sh>(d);
  const int rec = shard_record_size(d, grad);
  out.assign(static_cast<std::size_t>(last_shard - first_shard) * rec, 0.0);
  auto tokens = [&](int k, int g) -> PackTokens {  // pack k from its lane g on
    if (ds.regenerated) {
      const std::size_t o = static_cast<std::size_t>(k) * d * L + g;
      return {ds.x1_re.data() + o, ds.x1_im.data() + o, ds.lam_re.data() + o, ds.lam_im.data() + o};
    }
    const std::size_t o = static_cast<std::size_t>(k) * T * d * L + g;
    return {ds.re.data() + o, ds.im.data() + o, nullptr, nullptr};
  };
  auto run_shard = [&](int s, Scratch<V>& sc) {
    const Partial sums(out.data() + static_cast<std::size_t>(s - first_shard) * rec, d, grad);
    const int begin = static_cast<int>(static_cast<long long>(ds.packs) * s / kShards);
    const int end = static_cast<int>(static_cast<long long>(ds.packs) * (s + 1) / kShards);
    for (int k = begin; k < end; ++k)
      for (int g = 0; g < L; g += G) scan(P, tokens(k, g), T, d, pass, sc, sums);  // lane order
  };
  int nthreads = 1;
#ifdef MESAFLOW_THREADS
  nthreads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nthreads = std::min({nthreads, last_shard - first_shard, std::max(1, ds.packs)});
#else
  (void)threads;
#endif
  if (nthreads <= 1) {
    Scratch<V> sc(d);
    for (int s = first_shard; s < last_shard; ++s) run_shard(s, sc);
  }
#ifdef MESAFLOW_THREADS
  else {
    std::atomic<int> next{first_shard};
    std::vector<std::thread> pool;
    for (int t = 0; t < nthreads; ++t)
      pool.emplace_back([&] {
        Scratch<V> sc(d);
        for (int s; (s = next.fetch_add(1)) < last_shard;) run_shard(s, sc);
      });
    for (auto& th : pool) th.join();
  }
#endif
}

template <class Sh>
void shard_sums_shape(const Params& p, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                      std::vector<double>& out) {
  if (p.d() != ds.d || first_shard < 0 || last_shard > kShards || first_shard > last_shard)
    throw std::invalid_argument("shard_sums: parameters of another d, or shards outside [0, kShards)");
  if (ds.d < 1 || 2 * ds.d > kMaxD) throw std::invalid_argument("shard_sums: d outside [1, 32]");
  if (ds.lanes != lanes_of(ds.precision)) throw std::invalid_argument("shard_sums: a data set packed for another precision");
  if (ds.precision == Precision::Single) shard_sums_in<float, Sh>(p, ds, pass, first_shard, last_shard, threads, out);
  else shard_sums_in<double, Sh>(p, ds, pass, first_shard, last_shard, threads, out);
}

}  // namespace

int shard_record_size(int d, bool grad) {
  const int D = 2 * d;
  return 4 + (grad ? 2 * D * D + 2 * d * D : 0);
}

void shard_sums(const Params& p, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                std::vector<double>& out, Scan scan) {
  if (scan == Scan::Narrow) shard_sums_shape<NarrowShape>(p, ds, pass, first_shard, last_shard, threads, out);
  else shard_sums_shape<ScanShape>(p, ds, pass, first_shard, last_shard, threads, out);
}

Evaluation combine_shard_sums(const std::vector<double>& sums, int m, int d, Params* grad) {
  const int D = 2 * d;
  const bool want_grad = grad != nullptr;
  const std::size_t rec = static_cast<std::size_t>(shard_record_size(d, want_grad));
  if (sums.size() != rec * kShards) throw std::invalid_argument("combine_shard_sums: expected kShards records of the size of shard_record_size(d, grad)");
  std::vector<double> total(rec, 0.0);
  for (int s = 0; s < kShards; ++s)  // shard order: independent of who computed which shard
    for (std::size_t k = 0; k < rec; ++k) total[k] += sums[s * rec + k];
  const Partial t(total.data(), d, want_grad);
  Evaluation ev;
  ev.loss = *t.loss / (2.0 * m);
  ev.ratio = *t.ratio_count > 0 ? *t.ratio / *t.ratio_count : 0.0;
  ev.last_mse = *t.last / (static_cast<double>(m) * d);
  if (want_grad) {
    Params g = Params::zeros(d);
    const double inv_m = 1.0 / m;
    for (int a = 0; a < D; ++a)
      for (int b = 0; b < D; ++b) g.wkq(a, b) = {t.gk_re[a * D + b] * inv_m, t.gk_im[a * D + b] * inv_m};
    for (int a = 0; a < d; ++a)
      for (int b = 0; b < D; ++b) g.wpv(a, b) = {t.gp_re[a * D + b] * inv_m, t.gp_im[a * D + b] * inv_m};
    *grad = g;
  }
  return ev;
}

Evaluation evaluate(const Params& p, const Dataset& ds, Params* grad, int threads) {
  std::vector<double> sums;
  shard_sums(p, ds, grad != nullptr ? Pass::Gradient : Pass::Forward, 0, kShards, threads, sums);
  return combine_shard_sums(sums, ds.m, ds.d, grad);
}

Evaluation evaluate_test(const Params& p, const Dataset& ds, int threads) {
  std::vector<double> sums;
  shard_sums(p, ds, Pass::Test, 0, kShards, threads, sums);
  return combine_shard_sums(sums, ds.m, ds.d, nullptr);
}

MESAFLOW_KERNEL_END

}  // namespace mesaflow
