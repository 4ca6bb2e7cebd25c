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

namespace mesaflow {

MESAFLOW_KERNEL_BEGIN

namespace {

constexpr int kMaxD = 64;  // D = 2d for d <= 32

// One 64-byte vector, a lane per sequence of a pack: 8 doubles or 16 floats. GCC and clang
// vector extensions: element-wise IEEE arithmetic (AVX-512/AVX2/SSE natively, wasm SIMD f64x2 or
// f32x4 in the browser) with no reordering, so every lane computes exactly what a scalar loop
// would. S is the arithmetic of the scan; the sums over sequences are doubles (Partial).
// kBytes < 64: a scan over part of a pack (WebAssembly, see kScanBytes); the pack's layout is
// always that of the 64-byte vector (lanes_of()).
template <class S, int kBytes = 64>
struct Lanes {
  static constexpr int L = kBytes / sizeof(S);
  typedef S V __attribute__((vector_size(kBytes)));
  typedef double Wide __attribute__((vector_size(sizeof(double) * L)));  // L doubles, as stored
};

// L stored numbers (doubles, unaligned) as a vector of S: a float vector holds the stored floats
// exactly (Dataset keeps single-precision numbers as doubles).
template <class S, int kBytes = 64>
inline typename Lanes<S, kBytes>::V ld(const double* p) {
  typename Lanes<S, kBytes>::Wide w;
  std::memcpy(&w, p, sizeof w);
  if constexpr (std::is_same_v<S, double>) return w;
  else return __builtin_convertvector(w, typename Lanes<S, kBytes>::V);
}
template <class S, int kBytes = 64>
inline typename Lanes<S, kBytes>::V zero() { return typename Lanes<S, kBytes>::V{} * S(0); }

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

// A loop left rolled in WebAssembly (clang): unrolled, its loads are hoisted ahead of the
// arithmetic and V8 spills what does not fit in its 16 registers.
#ifdef __clang__
#define MESAFLOW_ROLLED _Pragma("nounroll")
#else
#define MESAFLOW_ROLLED
#endif

// The width of the vector a scan works in, per instruction set (kernel_isa.hpp: AVX-512 64 bytes,
// the whole pack in one register; AVX2 32; SSE2, NEON and WebAssembly 16), the pack being
// scanned in parts one after the other where it is narrower than 64 bytes: a 64-byte vector is
// four 16-byte registers, and V8 (16 of them) or SSE2 spilled the sums of the products. The lanes
// are independent and their sums are added in lane order (shard_sums_in), so the bits are the same.
constexpr int kScanBytes = MESAFLOW_SCAN_BYTES;
template <class S>
using ScanLanes = Lanes<S, kScanBytes>;

// Per-thread scratch that does not fit in registers.
template <class S>
struct Scratch {
  using V = typename ScanLanes<S>::V;
  using Vs = std::vector<V, KernelAlloc<V>>;  // aligned (kernel_isa.hpp)
  Vs s_re, s_im;    // (D, D) running state S_t, upper triangle used
  Vs gk_re, gk_im;  // (D, D) per-lane dW_KQ
  Vs gp_re, gp_im;  // (d, D) per-lane dW_PV
  explicit Scratch(int d) {
    const int D = 2 * d;
    for (auto* b : {&s_re, &s_im, &gk_re, &gk_im}) b->assign(D * D, zero<S, kScanBytes>());
    for (auto* b : {&gp_re, &gp_im}) b->assign(d * D, zero<S, kScanBytes>());
  }
};

// Parameters as separate real and imaginary arrays, row-major, in the scan's arithmetic (in
// single each entry rounded to the nearest float).
template <class S>
struct ParamArrays {
  std::vector<S> kr, ki;  // (D, D) W_KQ
  std::vector<S> pr, pi;  // (d, D) W_PV
  explicit ParamArrays(const Params& p) {
    const int d = p.d(), D = 2 * d;
    kr.resize(D * D), ki.resize(D * D), pr.resize(d * D), pi.resize(d * D);
    for (int a = 0; a < D; ++a)
      for (int b = 0; b < D; ++b) {
        kr[a * D + b] = static_cast<S>(p.wkq(a, b).real());
        ki[a * D + b] = static_cast<S>(p.wkq(a, b).imag());
      }
    for (int a = 0; a < d; ++a)
      for (int b = 0; b < D; ++b) {
        pr[a * D + b] = static_cast<S>(p.wpv(a, b).real());
        pi[a * D + b] = static_cast<S>(p.wpv(a, b).imag());
      }
  }
};

// y = S x for Hermitian S stored in its upper triangle. Row by row with the sums in
// registers: S_ab for b >= a as stored, for b < a as conj(S_ba).
template <int DC, class S, class V = typename ScanLanes<S>::V>
inline void hermitian_matvec(int D, const V* __restrict sr, const V* __restrict si, const V* xr, const V* xi, V* yr,
                             V* yi) {
  if (DC) D = DC;
  for (int a = 0; a < D; ++a) {
    V accr = zero<S, sizeof(V)>(), acci = zero<S, sizeof(V)>();
    for (int b = 0; b < a; ++b) {
      const V pr = sr[b * D + a], pi = si[b * D + a];
      accr += pr * xr[b] + pi * xi[b];
      acci += pr * xi[b] - pi * xr[b];
    }
    for (int b = a; b < D; ++b) {
      const V pr = sr[a * D + b], pi = si[a * D + b];
      accr += pr * xr[b] - pi * xi[b];
      acci += pr * xi[b] + pi * xr[b];
    }
    yr[a] = accr;
    yi[a] = acci;
  }
}

// Rows c0 and c0 + D of a complex matrix (re, im) times the vector x (D entries), into (r0, i0)
// and (r1, i1): sum over b of c[b] x_b, the row-at-a-time loop's operations in its order, with
// each x_b loaded once for both rows (kPaired scans, through rows_times).
template <class S, class V>
inline void rows2_times(int D, const S* c0r, const S* c0i, const V* xr, const V* xi, V& r0, V& i0, V& r1, V& i1) {
  MESAFLOW_ROLLED
  for (int b = 0; b < D; ++b) {
    const V xbr = xr[b], xbi = xi[b];
    S cr = c0r[b], ci = c0i[b];
    r0 += cr * xbr - ci * xbi;
    i0 += cr * xbi + ci * xbr;
    cr = c0r[D + b], ci = c0i[D + b];
    r1 += cr * xbr - ci * xbi;
    i1 += cr * xbi + ci * xbr;
  }
}

// y = C x for C of rows x D scalars (W_KQ e_t, W_PV v, W_PV e_t): for kPaired two rows at a
// time and the last alone when rows is odd, otherwise a row at a time; each row's sum over b in
// the same order and operations either way.
template <bool kPaired, class S, class V>
inline void rows_times(int rows, int D, const S* mr, const S* mi, const V* xr, const V* xi, V* yr, V* yi, V z0) {
  MESAFLOW_ROLLED
  for (int i = 0; i < rows; i += kPaired ? 2 : 1) {
    const S* c0r = mr + i * D;
    const S* c0i = mi + i * D;
    V r0 = z0, i0 = z0, r1 = z0, i1 = z0;
    if (kPaired && i + 1 < rows) {
      rows2_times<S>(D, c0r, c0i, xr, xi, r0, i0, r1, i1);
      yr[i + 1] = r1, yi[i + 1] = i1;
    } else {
      MESAFLOW_ROLLED
      for (int b = 0; b < D; ++b) {
        const S cr = c0r[b], ci = c0i[b];
        r0 += cr * xr[b] - ci * xi[b];
        i0 += cr * xi[b] + ci * xr[b];
      }
    }
    yr[i] = r0, yi[i] = i0;
  }
}

// g += a x^H on rows x D entries of vectors: g[i, b] += a_i conj(x_b) (dW_KQ += z e_t^H, dW_PV +=
// r v^H, and a held-out pass's W_PV S_t += (W_PV e_t) e_t^H). kTwoRows (rows even; kPaired
// scans): rows i, i+1 together, each x_b loaded once for both; the same operations per entry.
template <bool kTwoRows, class V>
inline void add_outer(int rows, int D, const V* ar, const V* ai, const V* xr, const V* xi, V* __restrict gr,
                      V* __restrict gi) {
  constexpr int kRows = kTwoRows ? 2 : 1;
  MESAFLOW_ROLLED
  for (int i = 0; i < rows; i += kRows) {
    const V a0r = ar[i], a0i = ai[i];
    const V a1r = ar[i + kRows - 1], a1i = ai[i + kRows - 1];  // row i + 1 (kTwoRows)
    V* g0r = gr + i * D;
    V* g0i = gi + i * D;
    MESAFLOW_ROLLED
    for (int b = 0; b < D; ++b) {
      const V xbr = xr[b], xbi = xi[b];
      g0r[b] += a0r * xbr + a0i * xbi;
      g0i[b] += a0i * xbr - a0r * xbi;
      if constexpr (kTwoRows) {
        g0r[D + b] += a1r * xbr + a1i * xbi;
        g0i[D + b] += a1i * xbr - a1r * xbi;
      }
    }
  }
}

// y = A u for A of rows x D entries of vectors (the forward pass's W_PV S_t times W_KQ e_t).
template <class V>
inline void vrows_times(int rows, int D, const V* ar, const V* ai, const V* ur, const V* ui, V* yr, V* yi, V z0) {
  MESAFLOW_ROLLED
  for (int i = 0; i < rows; ++i) {
    V accr = z0, acci = z0;
    const V* a0r = ar + i * D;
    const V* a0i = ai + i * D;
    MESAFLOW_ROLLED
    for (int b = 0; b < D; ++b) {
      accr += a0r[b] * ur[b] - a0i[b] * ui[b];
      acci += a0r[b] * ui[b] + a0i[b] * ur[b];
    }
    yr[i] = accr, yi[i] = acci;
  }
}

// The same product two rows at a time (D even), for narrow scans (kScanBytes < 64): each x_b
// is loaded once for both rows, the inner loops are kept rolled (MESAFLOW_ROLLED) so V8 keeps
// the four sums in registers. Each row's sum runs over b in the same order as above, with the
// same operations: the same bits.
template <int DC, class S, class V = typename ScanLanes<S>::V>
inline void hermitian_matvec2(int D, const V* __restrict sr, const V* __restrict si, const V* xr, const V* xi, V* yr,
                              V* yi) {
  if (DC) D = DC;
  MESAFLOW_ROLLED
  for (int a = 0; a < D; a += 2) {
    V r0 = zero<S, sizeof(V)>(), i0 = r0, r1 = r0, i1 = r0;
    MESAFLOW_ROLLED
    for (int b = 0; b < a; ++b) {  // conj(S_ba), conj(S_b,a+1)
      const V xbr = xr[b], xbi = xi[b];
      const V pr = sr[b * D + a], pi = si[b * D + a], qr = sr[b * D + a + 1], qi = si[b * D + a + 1];
      r0 += pr * xbr + pi * xbi;
      i0 += pr * xbi - pi * xbr;
      r1 += qr * xbr + qi * xbi;
      i1 += qr * xbi - qi * xbr;
    }
    {
      const V* s0r = sr + a * D;
      const V* s0i = si + a * D;
      const V pr = s0r[a], pi = s0i[a], qr = s0r[a + 1], qi = s0i[a + 1], ur = s0r[D + a + 1], ui = s0i[D + a + 1];
      V xbr = xr[a], xbi = xi[a];  // b = a: S_aa ; conj(S_a,a+1)
      r0 += pr * xbr - pi * xbi;
      i0 += pr * xbi + pi * xbr;
      r1 += qr * xbr + qi * xbi;
      i1 += qr * xbi - qi * xbr;
      xbr = xr[a + 1], xbi = xi[a + 1];  // b = a + 1: S_a,a+1 ; S_a+1,a+1
      r0 += qr * xbr - qi * xbi;
      i0 += qr * xbi + qi * xbr;
      r1 += ur * xbr - ui * xbi;
      i1 += ur * xbi + ui * xbr;
    }
    MESAFLOW_ROLLED
    for (int b = a + 2; b < D; ++b) {  // S_ab, S_a+1,b
      const V xbr = xr[b], xbi = xi[b];
      const V pr = sr[a * D + b], pi = si[a * D + b], qr = sr[(a + 1) * D + b], qi = si[(a + 1) * D + b];
      r0 += pr * xbr - pi * xbi;
      i0 += pr * xbi + pi * xbr;
      r1 += qr * xbr - qi * xbi;
      i1 += qr * xbi + qi * xbr;
    }
    yr[a] = r0, yi[a] = i0, yr[a + 1] = r1, yi[a + 1] = i1;
  }
}

// The tokens of one pack: stored, xr/xi (T, d, L); or regenerated, xr/xi = x_1 (d, L) and
// lr/li = lambda (d, L).
struct PackTokens {
  const double* xr;
  const double* xi;
  const double* lr;
  const double* li;
};

// One pack of L sequences. Adds into out. DC = D known at compile time (loops unrolled, vectors
// in registers), or 0 for any D <= kMaxD. kRegen: tokens recomputed as x_{t+1} = lambda x_t with
// the operations of generate_dataset() (dataset.cpp), so both representations give the same bits.
// kCarry (a held-out set's pass, Pass::Test): W_PV S_t is carried instead of S_t, see below.
template <class S, int DC, bool kGrad, bool kRegen, bool kCarry>
void pack_scan(const ParamArrays<S>& P, const PackTokens& X, int T, int d_any, Scratch<S>& sc, const Partial& out) {
  using V = typename ScanLanes<S>::V;
  constexpr int L = ScanLanes<S>::L;  // lanes of this scan
  constexpr int PL = Lanes<S>::L;     // lanes of a pack: the stride of the tokens
  constexpr int DM = DC ? DC : kMaxD;
  constexpr bool kPaired = L < PL;  // narrow scan (WebAssembly): products two rows at a time
  const int D = DC ? DC : 2 * d_any, d = D / 2;
  const S* kr = P.kr.data();
  const S* ki = P.ki.data();
  const S* pr = P.pr.data();
  const S* pi = P.pi.data();
  V* __restrict s_re = sc.s_re.data();
  V* __restrict s_im = sc.s_im.data();
  V* __restrict gk_re = sc.gk_re.data();
  V* __restrict gk_im = sc.gk_im.data();
  V* __restrict gp_re = sc.gp_re.data();
  V* __restrict gp_im = sc.gp_im.data();
  const V z0 = zero<S, kScanBytes>();
  std::fill(sc.s_re.begin(), sc.s_re.end(), z0);
  std::fill(sc.s_im.begin(), sc.s_im.end(), z0);
  if (kGrad) {
    std::fill(sc.gk_re.begin(), sc.gk_re.end(), z0);
    std::fill(sc.gk_im.begin(), sc.gk_im.end(), z0);
    std::fill(sc.gp_re.begin(), sc.gp_re.end(), z0);
    std::fill(sc.gp_im.begin(), sc.gp_im.end(), z0);
  }
  V loss = z0, last = z0;
  double ratio[L] = {}, count[L] = {};
  V er[DM], ei[DM];  // (D) embedding e_t = (x_t ; x_{t-1})
  V ur[DM], ui[DM];  // (D) W_KQ e_t
  V vr[DM], vi[DM];  // (D) S_t u
  V rr[DM], ri[DM];  // (d) (y_hat - x_{t+1}) / rho
  V wr[DM], wi[DM];  // (D) W_PV^H r
  V zr[DM], zi[DM];  // (D) S_t w
  V nr[DM], ni[DM];  // (d) the next token x_{t+1}: the target
  V lr[DM], li[DM];  // (d) lambda (regenerated tokens)
  const double* __restrict xr = X.xr;
  const double* __restrict xi = X.xi;
  for (int j = 0; j < d; ++j) {
    er[d + j] = ei[d + j] = z0;  // x_0 = 0
    nr[j] = ld<S, kScanBytes>(xr + j * PL);  // x_1
    ni[j] = ld<S, kScanBytes>(xi + j * PL);
    if (kRegen) {
      lr[j] = ld<S, kScanBytes>(X.lr + j * PL);
      li[j] = ld<S, kScanBytes>(X.li + j * PL);
    }
  }

  for (int t0 = 0; t0 + 1 < T; ++t0) {  // 0-based token index; the paper's t = t0 + 1
    for (int j = 0; j < d; ++j) {
      if (t0 > 0) {
        er[d + j] = er[j];
        ei[d + j] = ei[j];
      }
      er[j] = nr[j];
      ei[j] = ni[j];
      if (kRegen) {  // x_{t+1} = lambda x_t, written out as in dataset.cpp
        nr[j] = er[j] * lr[j] - ei[j] * li[j];
        ni[j] = er[j] * li[j] + ei[j] * lr[j];
      } else {
        nr[j] = ld<S, kScanBytes>(xr + ((t0 + 1) * d + j) * PL);
        ni[j] = ld<S, kScanBytes>(xi + ((t0 + 1) * d + j) * PL);
      }
    }
    static_assert(!(kGrad && kCarry), "the gradient needs S_t");
    V pvr[DM], pvi[DM];  // (d) W_PV e_t (kCarry), then W_PV S_t W_KQ e_t
    if constexpr (kCarry) {
      // A held-out set's pass: A_t = W_PV S_t (d x D, in s_re/s_im) = A_{t-1} + (W_PV e_t) e_t^H, so that
      // y = A_t (W_KQ e_t) takes D^2 + dD products per position instead of 2 D^2 + dD, and the
      // state dD + dD instead of D(D+1)/2 (18% fewer flops at d = 5). The same sums in another
      // order: equal to the S_t form up to rounding, which is why training (whose loss must equal
      // the gradient pass's, bit for bit, for resumed runs) keeps the S_t form.
      rows_times<kPaired, S>(d, D, pr, pi, er, ei, pvr, pvi, z0);
      add_outer<false>(d, D, pvr, pvi, er, ei, s_re, s_im);
    } else if constexpr (kPaired) {  // S_t = S_{t-1} + e_t e_t^H (upper triangle), rows a, a+1 together
      MESAFLOW_ROLLED
      for (int a = 0; a < D; a += 2) {
        const V ar = er[a], ai = ei[a], cr = er[a + 1], ci = ei[a + 1];
        V* s0r = s_re + a * D;
        V* s0i = s_im + a * D;
        V* s1r = s0r + D;
        V* s1i = s0i + D;
        s0r[a] += ar * ar + ai * ai;
        s0i[a] += ai * ar - ar * ai;
        s0r[a + 1] += ar * cr + ai * ci;
        s0i[a + 1] += ai * cr - ar * ci;
        s1r[a + 1] += cr * cr + ci * ci;
        s1i[a + 1] += ci * cr - cr * ci;
        MESAFLOW_ROLLED
        for (int b = a + 2; b < D; ++b) {
          const V br = er[b], bi = ei[b];
          s0r[b] += ar * br + ai * bi;
          s0i[b] += ai * br - ar * bi;
          s1r[b] += cr * br + ci * bi;
          s1i[b] += ci * br - cr * bi;
        }
      }
    } else {  // S_t = S_{t-1} + e_t e_t^H, a row at a time
      for (int a = 0; a < D; ++a)
        for (int b = a; b < D; ++b) {
          s_re[a * D + b] += er[a] * er[b] + ei[a] * ei[b];
          s_im[a * D + b] += ei[a] * er[b] - er[a] * ei[b];
        }
    }
    if (t0 < 1) continue;  // predictions start at t = 2 (rho_t = t - 1 > 0)
    const S inv_rho = S(1) / S(t0);

    rows_times<kPaired, S>(D, D, kr, ki, er, ei, ur, ui, z0);  // u = W_KQ e_t
    const bool last_pos = (t0 + 2 == T);  // t = T - 1, target x_T
    if constexpr (!kCarry) {
      // v = S_t u ; y = W_PV v
      if constexpr (kPaired) hermitian_matvec2<DC, S>(D, s_re, s_im, ur, ui, vr, vi);
      else hermitian_matvec<DC, S>(D, s_re, s_im, ur, ui, vr, vi);
      rows_times<kPaired, S>(d, D, pr, pi, vr, vi, pvr, pvi, z0);
    } else {
      vrows_times(d, D, s_re, s_im, ur, ui, pvr, pvi, z0);  // y = (W_PV S_t) u
    }
    // y_hat = y / rho ; r = y_hat - x_{t+1}
    for (int i = 0; i < d; ++i) {
      const V hr = pvr[i] * inv_rho, hi = pvi[i] * inv_rho;
      const V tr = nr[i], ti = ni[i];
      const V dr = hr - tr, di = hi - ti;
      const V se = dr * dr + di * di;
      loss += se;
      if (last_pos) {
        last += se;
        for (int l = 0; l < L; ++l) {  // in double: the four numbers are exact in it
          const double a = tr[l], b = ti[l], p = hr[l], q = hi[l];
          const double xx = a * a + b * b;
          if (xx > 0.0) {  // Re(y_hat / x) = Re(y_hat conj(x)) / |x|^2
            ratio[l] += (p * a + q * b) / xx;
            count[l] += 1.0;
          }
        }
      }
      rr[i] = dr * inv_rho;
      ri[i] = di * inv_rho;
    }
    if (!kGrad) continue;
    // dW_PV += (r / rho) v^H
    add_outer<false>(d, D, rr, ri, vr, vi, gp_re, gp_im);
    // w = W_PV^H (r / rho)
    if constexpr (kPaired) {
      MESAFLOW_ROLLED
      for (int b = 0; b < D; b += 2) {
        V r0 = z0, i0 = z0, r1 = z0, i1 = z0;
        MESAFLOW_ROLLED
        for (int i = 0; i < d; ++i) {
          const V qr = rr[i], qi = ri[i];
          S cr = pr[i * D + b], ci = -pi[i * D + b];  // conj(W_PV[i, b])
          r0 += cr * qr - ci * qi;
          i0 += cr * qi + ci * qr;
          cr = pr[i * D + b + 1], ci = -pi[i * D + b + 1];
          r1 += cr * qr - ci * qi;
          i1 += cr * qi + ci * qr;
        }
        wr[b] = r0, wi[b] = i0, wr[b + 1] = r1, wi[b + 1] = i1;
      }
    } else {
      for (int b = 0; b < D; ++b) {
        V accr = z0, acci = z0;
        for (int i = 0; i < d; ++i) {
          const S cr = pr[i * D + b], ci = -pi[i * D + b];  // conj(W_PV[i, b])
          accr += cr * rr[i] - ci * ri[i];
          acci += cr * ri[i] + ci * rr[i];
        }
        wr[b] = accr;
        wi[b] = acci;
      }
    }
    // z = S_t w ; dW_KQ += z e_t^H
    if constexpr (kPaired) hermitian_matvec2<DC, S>(D, s_re, s_im, wr, wi, zr, zi);
    else hermitian_matvec<DC, S>(D, s_re, s_im, wr, wi, zr, zi);
    add_outer<kPaired>(D, D, zr, zi, er, ei, gk_re, gk_im);
  }
  // Lanes into the shard's sums, in lane order (= sequence order), in double.
  for (int l = 0; l < L; ++l) {
    *out.loss += loss[l];
    *out.ratio += ratio[l];
    *out.ratio_count += count[l];
    *out.last += last[l];
  }
  if (kGrad) {
    for (int k = 0; k < D * D; ++k)
      for (int l = 0; l < L; ++l) {
        out.gk_re[k] += gk_re[k][l];
        out.gk_im[k] += gk_im[k][l];
      }
    for (int k = 0; k < d * D; ++k)
      for (int l = 0; l < L; ++l) {
        out.gp_re[k] += gp_re[k][l];
        out.gp_im[k] += gp_im[k][l];
      }
  }
}

template <class S>
using ScanFn = void (*)(const ParamArrays<S>&, const PackTokens&, int, int, Scratch<S>&, const Partial&);

// Unrolled kernels for d = 1..8 (the paper uses d = 5); the generic one above that. In the
// browser each instantiation costs download size: unrolled only for the d of the page's presets
// (3 and 5), and no regenerating kernel at all, since the browser holds generated sets as stored
// tokens (config.hpp, kGeneratedLayout). Unrolled or not, the operations and their order are the
// same, and so are the bits.
template <class S, bool kGrad, bool kRegen, bool kCarry = false>
ScanFn<S> pick_scan(int d) {
#ifdef __EMSCRIPTEN__
  if (kRegen) return nullptr;
  switch (d) {
    case 3: return pack_scan<S, 6, kGrad, kRegen, kCarry>;
    case 5: return pack_scan<S, 10, kGrad, kRegen, kCarry>;
    default: return pack_scan<S, 0, kGrad, kRegen, kCarry>;
  }
#else
  switch (d) {
    case 1: return pack_scan<S, 2, kGrad, kRegen, kCarry>;
    case 2: return pack_scan<S, 4, kGrad, kRegen, kCarry>;
    case 3: return pack_scan<S, 6, kGrad, kRegen, kCarry>;
    case 4: return pack_scan<S, 8, kGrad, kRegen, kCarry>;
    case 5: return pack_scan<S, 10, kGrad, kRegen, kCarry>;
    case 6: return pack_scan<S, 12, kGrad, kRegen, kCarry>;
    case 7: return pack_scan<S, 14, kGrad, kRegen, kCarry>;
    case 8: return pack_scan<S, 16, kGrad, kRegen, kCarry>;
    default: return pack_scan<S, 0, kGrad, kRegen, kCarry>;
  }
#endif
}

template <class S>
ScanFn<S> pick_scan(int d, Pass pass, bool regen) {
  switch (pass) {
    case Pass::Gradient: return regen ? pick_scan<S, true, true>(d) : pick_scan<S, true, false>(d);
    case Pass::Forward: return regen ? pick_scan<S, false, true>(d) : pick_scan<S, false, false>(d);
    case Pass::Test: break;
  }
  return regen ? pick_scan<S, false, true, true>(d) : pick_scan<S, false, false, true>(d);
}

// shard_sums() in arithmetic S (the data set's precision).
template <class S>
void shard_sums_in(const Params& p, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                   std::vector<double>& out) {
  const bool grad = pass == Pass::Gradient;
  constexpr int L = Lanes<S>::L;
  const int d = ds.d, T = ds.T;
  const ParamArrays<S> P(p);
  const ScanFn<S> scan = pick_scan<S>(d, pass, ds.regenerated);
  if (!scan) throw std::invalid_argument("shard_sums: this build has no kernel for regenerated sets");
  const int rec = shard_record_size(d, grad);
  out.assign(static_cast<std::size_t>(last_shard - first_shard) * rec, 0.0);
  constexpr int G = ScanLanes<S>::L;  // lanes per scan: the pack (L), or a part of it
  auto tokens = [&](int k, int g) -> PackTokens {  // pack k from its lane g on
    if (ds.regenerated) {
      const std::size_t o = static_cast<std::size_t>(k) * d * L + g;
      return {ds.x1_re.data() + o, ds.x1_im.data() + o, ds.lam_re.data() + o, ds.lam_im.data() + o};
    }
    const std::size_t o = static_cast<std::size_t>(k) * T * d * L + g;
    return {ds.re.data() + o, ds.im.data() + o, nullptr, nullptr};
  };
  auto run_shard = [&](int s, Scratch<S>& sc) {
    const Partial sums(out.data() + static_cast<std::size_t>(s - first_shard) * rec, d, grad);
    const int begin = static_cast<int>(static_cast<long long>(ds.packs) * s / kShards);
    const int end = static_cast<int>(static_cast<long long>(ds.packs) * (s + 1) / kShards);
    for (int k = begin; k < end; ++k)
      for (int g = 0; g < L; g += G) scan(P, tokens(k, g), T, d, sc, sums);  // lane order
  };
  int nthreads = 1;
#ifdef MESAFLOW_THREADS
  nthreads = threads > 0 ? threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  nthreads = std::min({nthreads, last_shard - first_shard, std::max(1, ds.packs)});
#else
  (void)threads;
#endif
  if (nthreads <= 1) {
    Scratch<S> sc(d);
    for (int s = first_shard; s < last_shard; ++s) run_shard(s, sc);
  }
#ifdef MESAFLOW_THREADS
  else {
    std::atomic<int> next{first_shard};
    std::vector<std::thread> pool;
    for (int t = 0; t < nthreads; ++t)
      pool.emplace_back([&] {
        Scratch<S> sc(d);
        for (int s; (s = next.fetch_add(1)) < last_shard;) run_shard(s, sc);
      });
    for (auto& th : pool) th.join();
  }
#endif
}

}  // namespace

int shard_record_size(int d, bool grad) {
  const int D = 2 * d;
  return 4 + (grad ? 2 * D * D + 2 * d * D : 0);
}

void shard_sums(const Params& p, const Dataset& ds, Pass pass, int first_shard, int last_shard, int threads,
                std::vector<double>& out) {
  if (p.d() != ds.d || first_shard < 0 || last_shard > kShards || first_shard > last_shard)
    throw std::invalid_argument("shard_sums: parameters of another d, or shards outside [0, kShards)");
  if (ds.lanes != lanes_of(ds.precision)) throw std::invalid_argument("shard_sums: a data set packed for another precision");
  if (ds.precision == Precision::Single) shard_sums_in<float>(p, ds, pass, first_shard, last_shard, threads, out);
  else shard_sums_in<double>(p, ds, pass, first_shard, last_shard, threads, out);
}

void shard_sums(const Params& p, const Dataset& ds, bool grad, int first_shard, int last_shard, int threads,
                std::vector<double>& out) {
  shard_sums(p, ds, grad ? Pass::Gradient : Pass::Forward, first_shard, last_shard, threads, out);
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
  shard_sums(p, ds, grad != nullptr, 0, kShards, threads, sums);
  return combine_shard_sums(sums, ds.m, ds.d, grad);
}

Evaluation evaluate_test(const Params& p, const Dataset& ds, int threads) {
  std::vector<double> sums;
  shard_sums(p, ds, Pass::Test, 0, kShards, threads, sums);
  return combine_shard_sums(sums, ds.m, ds.d, nullptr);
}

MESAFLOW_KERNEL_END

}  // namespace mesaflow
