// Any thread, no DOM. The model's forward pass for one sequence (the one-sequence view).
// The model's forward pass for one sequence, in JS (core/THEORY.md §1): what the one-sequence
// view draws, from s.samples() and s.weights(). Pure: no DOM (the node tests import it).

import { LINEAR_MAP_FORMULA, predictLinearMap } from './predict-linear-map.js';

// The forward pass of each model other than attention (w.model, from s.weights()): one row per model.
const FORWARD = {
  'linear-map': { predict: predictLinearMap, formula: LINEAR_MAP_FORMULA },
};

// The formula the one-sequence view's note names, for the weights' model.
export const formulaOf = (w) => FORWARD[w.model]?.formula ?? 'ŷ(t) = W_PV S(t) W_KQ e(t) / (t − 1)';

// The predictions of sequence i of the samples s (s.samples()) at the weights w (s.weights()):
// y_t = W_PV S_t W_KQ e_t / (t - 1) for t = 2..T-1, with S_t = sum_{k<=t} e_k e_k^H and
// e_t = (x_t; x_{t-1}), x_0 = 0. Returns {re, im}: Float64Arrays of (T - 2) d values, row t - 2.
export function predict(s, w, i) {
  const other = FORWARD[w.model];
  if (other) return other.predict(s, w, i);
  const { T, d } = s;
  const D = 2 * d;
  const sRe = new Float64Array(D * D);
  const sIm = new Float64Array(D * D);
  const eRe = new Float64Array(D);
  const eIm = new Float64Array(D);
  const vRe = new Float64Array(D);
  const vIm = new Float64Array(D);
  const uRe = new Float64Array(D);
  const uIm = new Float64Array(D);
  const re = new Float64Array(Math.max(0, T - 2) * d);
  const im = new Float64Array(Math.max(0, T - 2) * d);
  const at = (t, j) => (i * T + t - 1) * d + j; // x_t, t 1-based
  // out = M v for a row-major complex matrix M (rows x D).
  const mul = (mRe, mIm, rows, xRe, xIm, oRe, oIm) => {
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
  };
  for (let t = 1; t <= T - 1; t++) {
    for (let j = 0; j < d; j++) {
      eRe[j] = s.re[at(t, j)];
      eIm[j] = s.im[at(t, j)];
      eRe[d + j] = t > 1 ? s.re[at(t - 1, j)] : 0;
      eIm[d + j] = t > 1 ? s.im[at(t - 1, j)] : 0;
    }
    for (let a = 0; a < D; a++) {
      for (let b = 0; b < D; b++) {
        sRe[a * D + b] += eRe[a] * eRe[b] + eIm[a] * eIm[b];
        sIm[a * D + b] += eIm[a] * eRe[b] - eRe[a] * eIm[b];
      }
    }
    if (t < 2) continue;
    mul(w.wkq_re, w.wkq_im, D, eRe, eIm, vRe, vIm);
    mul(sRe, sIm, D, vRe, vIm, uRe, uIm);
    mul(w.wpv_re, w.wpv_im, d, uRe, uIm, vRe, vIm);
    for (let j = 0; j < d; j++) {
      re[(t - 2) * d + j] = vRe[j] / (t - 1);
      im[(t - 2) * d + j] = vIm[j] / (t - 1);
    }
  }
  return { re, im };
}
