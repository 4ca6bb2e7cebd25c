// Main thread. The weights card: every parameter block of the run's model as a heatmap.
// The weights card: the blocks of one run's model (a choice in compare mode; the attention model's
// W_KQ and W_PV, each layer's for a stack of layers, the linear-map model's A, whatever blocks
// s.weights() lists) as heatmaps, real
// part, imaginary part or modulus on one colour scale per matrix (its largest modulus). A figure
// per block, made when the blocks change: canvas id = the block's name, its largest |·| in
// `<name>-max`, in the card's `.heat` box (#wfigs) before its tooltip.
import { Heatmap, layerMatrices, maxModulus, redBlocks } from './heatmap.js';

const MODES = { re: 'real part', im: 'imaginary part', mod: 'modulus' };
const short = (v) => (v < 1e-3 && v > 0 ? v.toExponential(2) : v.toFixed(3));

export class WeightsView {
  constructor(root) {
    this.root = root;
    const $ = (id) => root.getElementById(id);
    this.tip = $('tooltip');
    this.heat = {};
    this.shapes = '';
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
    this.labels = runs.map((r) => r.who);
    this.run = Math.min(this.run, runs.length - 1);
    $('wrun').replaceChildren(...runs.map((r, i) => new Option(r.who, String(i))));
    $('wrun').value = String(this.run);
    $('wrun-box').hidden = runs.length < 2;
  }

  set(index, w) {
    this.weights[index] = w;
    if (index === this.run) this.draw();
  }

  // One figure per block of m (made anew when the blocks or their shapes change), and the title.
  figures(m) {
    const shapes = Object.values(m).map((b) => `${b.name}:${b.rows}x${b.cols}`).join(' ');
    if (shapes === this.shapes) return;
    this.shapes = shapes;
    const doc = this.root.ownerDocument ?? document;
    const box = this.root.getElementById('wfigs');
    const figs = [];
    this.heat = {};
    for (const b of Object.values(m)) {
      const fig = doc.createElement('figure');
      const canvas = doc.createElement('canvas');
      canvas.id = b.name;
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `Heatmap of ${b.label}`);
      const cap = doc.createElement('figcaption');
      const max = doc.createElement('span');
      max.id = `${b.name}-max`;
      cap.append(`${b.label} (${b.rows} × ${b.cols}), largest |·| `, max);
      fig.append(canvas, cap);
      figs.push(fig);
      this.heat[b.name] = new Heatmap(canvas, this.tip, b.label);
    }
    for (const f of [...box.querySelectorAll(':scope > figure')]) f.remove();
    box.prepend(...figs); // before the tooltip
    const blocks = Object.values(m);
    const L = blocks.filter((b) => b.kind === 'wkq').length;
    const words = L > 1 ? `W_KQ and W_PV of each of the ${L} layers` : blocks.map((b) => b.label).join(' and ');
    const title = this.root.getElementById('h-weights');
    const textNode = [...title.childNodes].find((n) => n.nodeType === 3);
    if (textNode) textNode.textContent = `Weights ${words}`;
    else title.textContent = `Weights ${words}`;
  }

  draw() {
    const w = this.weights[this.run];
    if (!w) return;
    const m = layerMatrices(w);
    this.figures(m);
    // The attention model's red blocks (every layer's) are outlined; other models' blocks have none.
    const red = (m.wkq && m.wpv) || m.wkq1 ? redBlocks(w.d) : {};
    for (const k of Object.keys(m)) {
      const vmax = this.heat[k].draw(m[k], this.mode, red[m[k].kind ?? k], maxModulus(m[k]));
      this.root.getElementById(`${k}-max`).textContent = short(vmax);
    }
  }

  canvases() {
    return Object.values(this.heat).map((h) => h.canvas);
  }

  // Captions of the exported image.
  captions() {
    const max = (k) => this.root.getElementById(`${k}-max`).textContent;
    const run = this.labels.length > 1 ? `, run ${this.labels[this.run]}` : '';
    const w = this.weights[this.run];
    if (!w) return [];
    return Object.values(layerMatrices(w)).map((b, i) => `${b.label} (${b.rows} × ${b.cols}), ${MODES[this.mode]}${i === 0 ? run : ''}, largest |·| ${max(b.name)}`);
  }
}
