// Main thread. The weights card: W_KQ and W_PV as heatmaps.
// The weights card: W_KQ and W_PV of one run (a choice in compare mode) as heatmaps, real part,
// imaginary part or modulus on one colour scale per matrix (its largest modulus).
import { Heatmap, matrices, maxModulus, redBlocks } from './heatmap.js';

const MODES = { re: 'real part', im: 'imaginary part', mod: 'modulus' };
const short = (v) => (v < 1e-3 && v > 0 ? v.toExponential(2) : v.toFixed(3));

export class WeightsView {
  constructor(root) {
    this.root = root;
    const $ = (id) => root.getElementById(id);
    const tip = $('tooltip');
    this.heat = { wkq: new Heatmap($('wkq'), tip, 'W_KQ'), wpv: new Heatmap($('wpv'), tip, 'W_PV') };
    this.mode = 're';
    this.run = 0;
    this.weights = [];
    this.labels = [];
  }

  bind() {
    const $ = (id) => this.root.getElementById(id);
    $('wmode').addEventListener('change', () => {
      this.mode = $('wmode').value;
      this.draw();
    });
    $('wrun').addEventListener('change', () => {
      this.run = Number($('wrun').value);
      this.draw();
    });
  }

  // runs: [{label}]: the run choice, shown with two runs or more.
  setup(runs) {
    const $ = (id) => this.root.getElementById(id);
    this.weights = [];
    this.labels = runs.map((r) => r.label);
    this.run = Math.min(this.run, runs.length - 1);
    $('wrun').replaceChildren(...runs.map((r, i) => new Option(`(a0, b0) = ${r.label}`, String(i))));
    $('wrun').value = String(this.run);
    $('wrun-box').hidden = runs.length < 2;
  }

  set(index, w) {
    this.weights[index] = w;
    if (index === this.run) this.draw();
  }

  draw() {
    const w = this.weights[this.run];
    if (!w) return;
    const m = matrices(w);
    const blocks = redBlocks(w.d);
    for (const k of ['wkq', 'wpv']) {
      const vmax = this.heat[k].draw(m[k], this.mode, blocks[k], maxModulus(m[k]));
      this.root.getElementById(`${k}-max`).textContent = short(vmax);
    }
  }

  canvases() {
    return [this.heat.wkq.canvas, this.heat.wpv.canvas];
  }

  // Captions of the exported image.
  captions() {
    const max = (k) => this.root.getElementById(`${k}-max`).textContent;
    const run = this.labels.length > 1 ? `, run (a0, b0) = ${this.labels[this.run]}` : '';
    return [`W_KQ (2d × 2d), ${MODES[this.mode]}${run}, largest |·| ${max('wkq')}`, `W_PV (d × 2d), ${MODES[this.mode]}, largest |·| ${max('wpv')}`];
  }
}
