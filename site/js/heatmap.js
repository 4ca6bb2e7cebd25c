// Heatmap of a complex matrix on a canvas: real part, imaginary part or modulus, with the
// paper's "red block" outlined and a tooltip giving the exact entry under the pointer.

// Diverging map (blue - white - red, ColorBrewer RdBu ends): sign is read from hue, size from depth.
const NEG = [33, 102, 172];
const POS = [178, 24, 43];
const MID = [247, 247, 247];
// Sequential map for the modulus (white -> dark blue).
const SEQ_END = [8, 48, 107];

const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

function colourFor(v, vmax, mode) {
  if (!Number.isFinite(v)) return [200, 200, 200];
  const t = vmax > 0 ? Math.min(1, Math.abs(v) / vmax) : 0;
  if (mode === 'mod') return mix([255, 255, 255], SEQ_END, t);
  return mix(MID, v < 0 ? NEG : POS, t);
}

// name: 'W_KQ' | 'W_PV'; block: {r0, c0, size} outlined in black (0-based).
export class Heatmap {
  constructor(canvas, tooltip, name) {
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.name = name;
    this.m = null;
    canvas.addEventListener('mousemove', (e) => this.hover(e));
    canvas.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
  }

  // m: {rows, cols, re, im} (row-major Float64 arrays); mode: 're' | 'im' | 'mod'.
  draw(m, mode, block) {
    this.m = m;
    this.mode = mode;
    const { rows, cols } = m;
    const vals = new Float64Array(rows * cols);
    let vmax = 0;
    for (let i = 0; i < rows * cols; i++) {
      const v = mode === 're' ? m.re[i] : mode === 'im' ? m.im[i] : Math.hypot(m.re[i], m.im[i]);
      vals[i] = v;
      if (Number.isFinite(v)) vmax = Math.max(vmax, Math.abs(v));
    }
    this.vmax = vmax;
    const cssW = Math.min(this.canvas.parentElement.clientWidth || 240, 260);
    const cell = Math.max(4, Math.floor(cssW / cols));
    const dpr = globalThis.devicePixelRatio || 1;
    const w = cell * cols;
    const h = cell * rows;
    this.cell = cell;
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const [R, G, B] = colourFor(vals[r * cols + c], vmax, mode);
        ctx.fillStyle = `rgb(${R},${G},${B})`;
        ctx.fillRect(c * cell, r * cell, cell, cell);
      }
    }
    if (block) {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.setLineDash([5, 3]);
      ctx.strokeRect(block.c0 * cell + 1, block.r0 * cell + 1, block.size * cell - 2, block.size * cell - 2);
      ctx.setLineDash([]);
    }
    return vmax;
  }

  hover(e) {
    if (!this.m) return;
    const rect = this.canvas.getBoundingClientRect();
    const c = Math.floor((e.clientX - rect.left) / this.cell);
    const r = Math.floor((e.clientY - rect.top) / this.cell);
    if (r < 0 || c < 0 || r >= this.m.rows || c >= this.m.cols) {
      this.tooltip.hidden = true;
      return;
    }
    const i = r * this.m.cols + c;
    const re = this.m.re[i];
    const im = this.m.im[i];
    const f = (v) => (Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(3) : v.toFixed(4));
    this.tooltip.textContent = `${this.name}[${r + 1}, ${c + 1}] = ${f(re)} ${im < 0 ? '−' : '+'} ${f(Math.abs(im))}i  (|·| = ${f(Math.hypot(re, im))})`;
    this.tooltip.hidden = false;
    const host = this.tooltip.offsetParent || this.canvas.parentElement;
    const hr = host.getBoundingClientRect();
    const x = Math.min(e.clientX - hr.left + 12, hr.width - this.tooltip.offsetWidth - 4);
    this.tooltip.style.left = `${Math.max(0, x)}px`;
    this.tooltip.style.top = `${e.clientY - hr.top + 14}px`;
  }
}

// Splits the flat arrays of s.weights() into the two matrices.
export function matrices(w) {
  const d = w.d;
  return {
    wkq: { rows: 2 * d, cols: 2 * d, re: w.wkq_re, im: w.wkq_im },
    wpv: { rows: d, cols: 2 * d, re: w.wpv_re, im: w.wpv_im },
  };
}
