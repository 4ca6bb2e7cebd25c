// Main thread. A complex matrix drawn on a canvas (real, imaginary or modulus).
// Heatmap of a complex matrix on a canvas: real part, imaginary part or modulus on one colour
// scale (the largest modulus, so the three views compare), with row and column indices, a colour
// bar, the paper's "red block" outlined and a tooltip giving the exact entry under the pointer.

// Diverging map (blue - white - red, ColorBrewer RdBu ends): sign is read from hue, size from depth.
const NEG = [33, 102, 172];
const POS = [178, 24, 43];
const MID = [247, 247, 247];

const mix = (a, b, t) => a.map((v, i) => Math.round(v + (b[i] - v) * t));

// The modulus uses the positive half of the same map (white -> red), so one bar reads all three.
function colourFor(v, vmax) {
  if (!Number.isFinite(v)) return [200, 200, 200];
  const t = vmax > 0 ? Math.min(1, Math.abs(v) / vmax) : 0;
  return mix(MID, v < 0 ? NEG : POS, t);
}

const rgb = ([r, g, b]) => `rgb(${r},${g},${b})`;
const short = (v) => (v !== 0 && Math.abs(v) < 1e-2 ? v.toExponential(1) : Number(v.toPrecision(2)).toString());
const LEFT = 22; // row indices
const TOP = 16; // column indices
const BAR = 52; // colour bar and its labels

// The value of entry i in mode 're' | 'im' | 'mod'.
export const part = (m, mode, i) => (mode === 're' ? m.re[i] : mode === 'im' ? m.im[i] : Math.hypot(m.re[i], m.im[i]));

// The largest modulus of m (the shared scale of its three views).
export function maxModulus(m) {
  let vmax = 0;
  for (let i = 0; i < m.rows * m.cols; i++) {
    const v = Math.hypot(m.re[i], m.im[i]);
    if (Number.isFinite(v)) vmax = Math.max(vmax, v);
  }
  return vmax;
}

// name: 'W_KQ' | 'W_PV'; block: {r0, c0, size} outlined in black (0-based).
export class Heatmap {
  constructor(canvas, tooltip, name, maxWidth = 300) {
    this.canvas = canvas;
    this.tooltip = tooltip;
    this.name = name;
    this.maxWidth = maxWidth;
    this.m = null;
    canvas.addEventListener('mousemove', (e) => this.hover(e));
    canvas.addEventListener('mouseleave', () => tooltip && (tooltip.hidden = true));
  }

  // m: {rows, cols, re, im} (row-major Float64 arrays); mode: 're' | 'im' | 'mod'; vmax: the
  // scale (default: m's largest modulus). Returns the scale.
  draw(m, mode, block, vmax = maxModulus(m)) {
    this.m = m;
    const { rows, cols } = m;
    const avail = Math.min(this.canvas.parentElement.clientWidth || 240, this.maxWidth) - LEFT - BAR;
    const cell = Math.max(4, Math.floor(avail / cols));
    const dpr = globalThis.devicePixelRatio || 1;
    const w = LEFT + cell * cols + BAR;
    const h = TOP + cell * rows + 2;
    this.cell = cell;
    this.canvas.style.width = `${w}px`;
    this.canvas.style.height = `${h}px`;
    this.canvas.width = Math.round(w * dpr);
    this.canvas.height = Math.round(h * dpr);
    const ctx = this.canvas.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, w, h);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        ctx.fillStyle = rgb(colourFor(part(m, mode, r * cols + c), vmax));
        ctx.fillRect(LEFT + c * cell, TOP + r * cell, cell, cell);
      }
    }
    // Indices, 1-based as in the paper's W[d+j, j]; every k-th where the cells are small.
    ctx.fillStyle = '#333';
    ctx.font = '10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    const every = Math.ceil(14 / cell);
    for (let c = 0; c < cols; c += every) ctx.fillText(String(c + 1), LEFT + (c + 0.5) * cell, TOP - 2);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let r = 0; r < rows; r += every) ctx.fillText(String(r + 1), LEFT - 4, TOP + (r + 0.5) * cell);
    if (block) {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.setLineDash([5, 3]);
      ctx.strokeRect(LEFT + block.c0 * cell + 1, TOP + block.r0 * cell + 1, block.size * cell - 2, block.size * cell - 2);
      ctx.setLineDash([]);
    }
    this.drawBar(ctx, LEFT + cell * cols + 8, TOP, cell * rows, vmax, mode);
    return vmax;
  }

  // The colour bar from -vmax to vmax (0 to vmax for the modulus) with its end and middle values.
  drawBar(ctx, x, y, h, vmax, mode) {
    const lo = mode === 'mod' ? 0 : -vmax;
    for (let i = 0; i < h; i++) {
      const v = vmax - ((vmax - lo) * i) / Math.max(1, h - 1);
      ctx.fillStyle = rgb(colourFor(v, vmax));
      ctx.fillRect(x, y + i, 8, 1);
    }
    ctx.strokeStyle = '#999';
    ctx.lineWidth = 1;
    ctx.strokeRect(x + 0.5, y + 0.5, 7, h - 1);
    ctx.fillStyle = '#333';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(short(vmax), x + 11, y + 5);
    ctx.fillText(short((vmax + lo) / 2), x + 11, y + h / 2);
    ctx.fillText(short(lo), x + 11, y + h - 5);
  }

  hover(e) {
    if (!this.m || !this.tooltip) return;
    const rect = this.canvas.getBoundingClientRect();
    const c = Math.floor((e.clientX - rect.left - LEFT) / this.cell);
    const r = Math.floor((e.clientY - rect.top - TOP) / this.cell);
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

// The blocks of s.weights() as matrices, in the model's order: {name: {name, label, rows, cols, re,
// im}}. The weights carry their model's blocks (w.blocks: [{name, label, rows, cols}], from the
// core's model seam); without them they are the attention model's W_KQ (2d x 2d) and W_PV (d x 2d).
export function matrices(w) {
  const d = w.d;
  const blocks = w.blocks ?? [
    { name: 'wkq', label: 'W_KQ', rows: 2 * d, cols: 2 * d },
    { name: 'wpv', label: 'W_PV', rows: d, cols: 2 * d },
  ];
  const out = {};
  for (const b of blocks) out[b.name] = { ...b, re: w[`${b.name}_re`], im: w[`${b.name}_im`] };
  return out;
}

// The blocks the weights card draws: for a stack of L > 1 layers each layer's W_KQ and W_PV from
// w.layers (s.weights().layers, layer 1 first), named as w.blocks names them (wkq1, wpv1, ...) and
// labelled with their layer; else matrices(w).
export function layerMatrices(w) {
  if (!(w.layers?.length > 1)) return matrices(w);
  const out = {};
  w.layers.forEach((l, i) => {
    const last = i === w.layers.length - 1;
    for (const [k, label, rows] of [['wkq', 'W_KQ', 2 * w.d], ['wpv', 'W_PV', last ? w.d : 2 * w.d]])
      out[`${k}${i + 1}`] = { name: `${k}${i + 1}`, label: `${label}, layer ${i + 1}`, kind: k, rows, cols: 2 * w.d, re: l[`${k}_re`], im: l[`${k}_im`] };
  });
  return out;
}

// The red blocks of d: W_KQ's bottom-left d x d, W_PV's left d x d (the attention model's; other
// models' blocks have none).
export const redBlocks = (d) => ({ wkq: { r0: d, c0: 0, size: d }, wpv: { r0: 0, c0: 0, size: d } });
