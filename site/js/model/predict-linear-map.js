// Any thread, no DOM. The linear-map model's forward pass for one sequence (the one-sequence view).
// y_t = A x_t for t = 2..T-1 (core/THEORY.md §9), A (d x d) row-major in w.a_re, w.a_im; the
// samples s as predict.js takes them. Returns {re, im}: Float64Arrays of (T - 2) d values, row t - 2.
export function predictLinearMap(s, w, i) {
  const { T, d } = s;
  const re = new Float64Array(Math.max(0, T - 2) * d);
  const im = new Float64Array(Math.max(0, T - 2) * d);
  const at = (t, j) => (i * T + t - 1) * d + j; // x_t, t 1-based
  for (let t = 2; t <= T - 1; t++) {
    for (let a = 0; a < d; a++) {
      let r = 0;
      let q = 0;
      for (let b = 0; b < d; b++) {
        const k = a * d + b;
        const xr = s.re[at(t, b)];
        const xi = s.im[at(t, b)];
        r += w.a_re[k] * xr - w.a_im[k] * xi;
        q += w.a_re[k] * xi + w.a_im[k] * xr;
      }
      re[(t - 2) * d + a] = r;
      im[(t - 2) * d + a] = q;
    }
  }
  return { re, im };
}

// The formula in words, for the view's note.
export const LINEAR_MAP_FORMULA = 'ŷ(t) = A x(t)';
