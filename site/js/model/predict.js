// Any thread, no DOM. The model's forward pass for one sequence (the one-sequence view).
// The model's forward pass for one sequence, in JS, written from the formulas (core/THEORY.md §1,
// §11, §12): what the one-sequence view draws, from s.samples() and s.weights(). Pure: no DOM
// (the node tests import it and check it against the core's training loss).

import { LINEAR_MAP_FORMULA, predictLinearMap } from './predict-linear-map.js';

// The forward pass of each model other than attention (w.model, from s.weights()): one row per model.
const FORWARD = {
  'linear-map': { predict: predictLinearMap, formula: LINEAR_MAP_FORMULA },
};

// The formula the one-sequence view's note names, for the weights' model (attention: the run's
// cfg.attention, linear or softmax; layers: w.layers.length).
export function formulaOf(w, attention = 'linear') {
  if (FORWARD[w.model]) return FORWARD[w.model].formula;
  if (attention === 'softmax') return 'ŷ(t) = W_PV Σ_{i≤t} softmax_i(Re(e(i)ᴴ W_KQ e(t))) e(i)';
  const L = w.layers?.length ?? 1;
  return L > 1 ? `z(t) ← z(t) + W_PV S(t) W_KQ z(t) / (t − 1) in ${L > 2 ? `layers 1 to ${L - 1}` : 'layer 1'} and ŷ(t) = W_PV S(t) W_KQ z(t) / (t − 1) in layer ${L}, from z(t) = e(t)` : 'ŷ(t) = W_PV S(t) W_KQ e(t) / (t − 1)';
}

// out = M x for a row-major complex matrix M (rows x D) and a vector x (D).
function mul(mRe, mIm, rows, D, xRe, xIm, oRe, oIm) {
  for (let a = 0; a < rows; a++) {
    let r = 0;
    let q = 0;
    for (let b = 0; b < D; b++) {
      const k = a * D + b;
      r += mRe[k] * xRe[b] - mIm[k] * xIm[b];
      q += mRe[k] * xIm[b] + mIm[k] * xRe[b];
    }
    oRe[a] = r;
    oIm[a] = q;
  }
}

// The embeddings e_t = (x_t; x_{t-1}), x_0 = 0, of sequence i, t = 1..T-1: {re, im}, row t - 1 (D = 2d).
function embed(s, i) {
  const { T, d } = s;
  const D = 2 * d;
  const re = new Float64Array((T - 1) * D);
  const im = new Float64Array((T - 1) * D);
  const at = (t, j) => (i * T + t - 1) * d + j; // x_t, t 1-based
  for (let t = 1; t <= T - 1; t++) {
    for (let j = 0; j < d; j++) {
      re[(t - 1) * D + j] = s.re[at(t, j)];
      im[(t - 1) * D + j] = s.im[at(t, j)];
      re[(t - 1) * D + d + j] = t > 1 ? s.re[at(t - 1, j)] : 0;
      im[(t - 1) * D + d + j] = t > 1 ? s.im[at(t - 1, j)] : 0;
    }
  }
  return { re, im };
}

// L layers of linear attention with a residual stream (L = w.layers.length, 1 for the paper's
// model): z^0 = e; for l < L, z^l_t = z^{l-1}_t + W_PV^l S^l_t W_KQ^l z^{l-1}_t / (t - 1) (nothing
// added at t = 1); y_t = W_PV^L S^L_t W_KQ^L z^{L-1}_t / (t - 1), S^l_t = sum_{k<=t} z^{l-1}_k (z^{l-1}_k)^H.
function predictLinear(s, w, i) {
  const { T, d } = s;
  const D = 2 * d;
  const layers = w.layers?.length ? w.layers : [w];
  let z = embed(s, i);
  const sRe = new Float64Array(D * D);
  const sIm = new Float64Array(D * D);
  const [uRe, uIm, vRe, vIm, aRe, aIm] = Array.from({ length: 6 }, () => new Float64Array(D));
  const re = new Float64Array(Math.max(0, T - 2) * d);
  const im = new Float64Array(Math.max(0, T - 2) * d);
  layers.forEach((layer, l) => {
    const last = l === layers.length - 1;
    const next = { re: z.re.slice(), im: z.im.slice() };
    sRe.fill(0);
    sIm.fill(0);
    for (let t = 1; t <= T - 1; t++) {
      const o = (t - 1) * D;
      const zr = z.re.subarray(o, o + D);
      const zi = z.im.subarray(o, o + D);
      for (let a = 0; a < D; a++) {
        for (let b = 0; b < D; b++) {
          sRe[a * D + b] += zr[a] * zr[b] + zi[a] * zi[b];
          sIm[a * D + b] += zi[a] * zr[b] - zr[a] * zi[b];
        }
      }
      if (t < 2) continue;
      mul(layer.wkq_re, layer.wkq_im, D, D, zr, zi, uRe, uIm);
      mul(sRe, sIm, D, D, uRe, uIm, vRe, vIm);
      mul(layer.wpv_re, layer.wpv_im, last ? d : D, D, vRe, vIm, aRe, aIm);
      if (last) {
        for (let j = 0; j < d; j++) {
          re[(t - 2) * d + j] = aRe[j] / (t - 1);
          im[(t - 2) * d + j] = aIm[j] / (t - 1);
        }
      } else {
        for (let j = 0; j < D; j++) {
          next.re[o + j] += aRe[j] / (t - 1);
          next.im[o + j] += aIm[j] / (t - 1);
        }
      }
    }
    z = next;
  });
  return { re, im };
}

// One layer of softmax attention (core/THEORY.md §11): scores s_{t,k} = Re(e_k^H W_KQ e_t), k <= t,
// alpha_t = softmax(s_t) (the largest score subtracted), y_t = W_PV sum_k alpha_{t,k} e_k.
function predictSoftmax(s, w, i) {
  const { T, d } = s;
  const D = 2 * d;
  const e = embed(s, i);
  const [qRe, qIm, cRe, cIm, yRe, yIm] = Array.from({ length: 6 }, () => new Float64Array(D));
  const score = new Float64Array(T);
  const re = new Float64Array(Math.max(0, T - 2) * d);
  const im = new Float64Array(Math.max(0, T - 2) * d);
  for (let t = 2; t <= T - 1; t++) {
    const o = (t - 1) * D;
    mul(w.wkq_re, w.wkq_im, D, D, e.re.subarray(o, o + D), e.im.subarray(o, o + D), qRe, qIm);
    let top = -Infinity;
    for (let k = 1; k <= t; k++) {
      let v = 0;
      for (let b = 0; b < D; b++) v += e.re[(k - 1) * D + b] * qRe[b] + e.im[(k - 1) * D + b] * qIm[b]; // Re(e_k^H q)
      score[k] = v;
      top = Math.max(top, v);
    }
    let sum = 0;
    for (let k = 1; k <= t; k++) sum += (score[k] = Math.exp(score[k] - top));
    cRe.fill(0);
    cIm.fill(0);
    for (let k = 1; k <= t; k++) {
      const a = score[k] / sum;
      for (let b = 0; b < D; b++) {
        cRe[b] += a * e.re[(k - 1) * D + b];
        cIm[b] += a * e.im[(k - 1) * D + b];
      }
    }
    mul(w.wpv_re, w.wpv_im, d, D, cRe, cIm, yRe, yIm);
    re.set(yRe.subarray(0, d), (t - 2) * d);
    im.set(yIm.subarray(0, d), (t - 2) * d);
  }
  return { re, im };
}

// The predictions of sequence i of the samples s (s.samples()) at the weights w (s.weights()) for
// t = 2..T-1; attention: the run's cfg.attention. Returns {re, im}: Float64Arrays of (T - 2) d
// values, row t - 2.
export function predict(s, w, i, attention = 'linear') {
  const other = FORWARD[w.model];
  if (other) return other.predict(s, w, i);
  return attention === 'softmax' ? predictSoftmax(s, w, i) : predictLinear(s, w, i);
}

// Multiply-adds of predict() for one sequence: T (2d)^2 per layer, and T^2 2d for softmax's scores.
export const predictWork = (T, d, layers = 1, attention = 'linear') => layers * T * (2 * d) ** 2 + (attention === 'softmax' ? T * T * 2 * d : 0);
