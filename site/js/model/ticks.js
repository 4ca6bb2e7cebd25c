// Any thread, no DOM. Number formats and log-axis ticks.
// Numbers for axes and legends: the format, the range of a log axis and its tick values, so that
// a log axis always carries numbers (a loss from 41 to 20 gets 20, 30, 40, not one bare decade).

// 5 significant digits, tiny or huge ones in exponent form, '–' if not finite.
export function fmt(v) {
  if (v == null || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return Number(v.toPrecision(4)).toExponential();
  return Number(v.toPrecision(5)).toString();
}

// A tick label: short (3 significant digits), powers of ten as 1e-4.
export function tick(v) {
  if (v == null || !Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) {
    const [m, e] = v.toExponential(2).split('e');
    return `${Number(m)}e${Number(e)}`;
  }
  return Number(v.toPrecision(3)).toString();
}

// Step sizes of linear ticks: 1, 2, 2.5, 5 times a power of ten.
function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

// About n evenly spaced round values in [lo, hi], three at least.
export function linearSplits(lo, hi, n = 5) {
  if (!(hi > lo)) return [lo];
  let step = niceStep((hi - lo) / Math.max(1, n - 1));
  for (;;) {
    const out = [];
    for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
    if (out.length >= 3) return out;
    step = niceStep(step / 2.01);
  }
}

// The range of a log axis around [min, max]: a little margin, at least a factor of 1.5.
export function logRange(min, max) {
  if (!(min > 0) || !(max > 0)) return [1, 10];
  let lo = Math.log10(min);
  let hi = Math.log10(max);
  const mid = (lo + hi) / 2;
  const half = Math.max((hi - lo) / 2, Math.log10(1.5) / 2) * 1.06;
  lo = mid - half;
  hi = mid + half;
  return [10 ** lo, 10 ** hi];
}

// Tick values of a log axis on [lo, hi]: powers of ten over many decades (every k-th if there
// are too many), 1-2-5 over a few, 1..9 within one; plain round numbers if fewer than three fit.
export function logSplits(lo, hi) {
  if (!(lo > 0) || !(hi > lo)) return [];
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const span = b - a;
  const mant = span >= 3 ? [1] : span >= 1.2 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const every = span >= 3 ? Math.ceil(span / 6) : 1;
  const out = [];
  for (let k = Math.floor(a); k <= Math.ceil(b); k++) {
    if (k % every) continue;
    for (const m of mant) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  }
  if (out.length < 3) return linearSplits(lo, hi, 5).filter((v) => v > 0);
  if (out.length > 9) return out.filter((v, i) => i % 2 === 0);
  return out;
}

// Whole-number tick increments (positions t, context lengths).
export const INT_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7];
