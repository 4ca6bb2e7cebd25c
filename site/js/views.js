// The six views of the demo and how run data maps onto them. Knows nothing of the worker.
import { LineChart, OKABE_ITO } from './charts.js';
import { Heatmap, matrices } from './heatmap.js';

const MAX_POINTS = 4000; // evaluation epochs drawn per series at most

// Evaluation epochs 0, e, 2e, ..., epochs (thinned to MAX_POINTS): the shared x axis.
function evalGrid(cfg) {
  const every = cfg.eval_every;
  const n = Math.floor(cfg.epochs / every);
  const stride = Math.max(1, Math.ceil((n + 1) / MAX_POINTS));
  const x = [];
  for (let i = 0; i <= n; i += stride) x.push(i * every);
  if (x[x.length - 1] !== cfg.epochs) x.push(cfg.epochs);
  return x;
}

const fill = (n, v) => new Array(n).fill(v);

export class Views {
  constructor(root) {
    this.root = root;
    this.charts = {};
    this.wmode = 're';
    const tip = root.getElementById('tooltip');
    this.heat = { wkq: new Heatmap(root.getElementById('wkq'), tip, 'W_KQ'), wpv: new Heatmap(root.getElementById('wpv'), tip, 'W_PV') };
    this.weights = null;
    this.samples = null;
    this.coord = 0;
  }

  // The views' own controls: what the heatmaps show, the coordinate of the sample trajectories,
  // and the PNG buttons (name(): the file name's stem).
  bindControls(name) {
    const $ = (id) => this.root.getElementById(id);
    $('wmode').addEventListener('change', () => {
      this.wmode = $('wmode').value;
      this.drawWeights();
    });
    $('coord').addEventListener('change', () => {
      this.coord = Number($('coord').value);
      this.drawSamples();
    });
    this.root.addEventListener('click', (e) => {
      const id = e.target.closest?.('[data-png]')?.dataset.png;
      if (id && this.cfg) this.png(id, name());
    });
  }

  // runs: [{label, colour, ode, theory}]; rebuilds the charts for a new configuration.
  setup(cfg, runs) {
    for (const c of Object.values(this.charts)) c.destroy();
    this.cfg = cfg;
    this.runs = runs;
    this.x = evalGrid(cfg);
    this.index = new Map(this.x.map((e, i) => [e, i]));
    this.sparse = cfg.x1 === 'sparse';
    const th = runs[0].theory;
    const plot = (id) => this.root.getElementById(`plot-${id}`);
    this.syncKey ??= `mesaflow-${Math.random().toString(36).slice(2)}`;
    const sync = this.syncKey;
    const hasOde = runs[0].ode.epoch.length > 0;
    // Keep the theory lines readable: a start far above them (a0 = b0 = 2 gives ab = 4) is cut off.
    const near = (ref) => (min, max) => [Math.max(min, Math.min(0, -ref)), Math.min(max, 3 * ref)];
    const ref = Math.max(th.c_star_T, th.c_star_inf, th.c_star_empirical ?? 0);
    this.charts.ab = new LineChart(plot('ab'), {
      xLabel: 'epoch',
      yLabel: 'ab',
      sync,
      clip: ref > 0 ? near(ref) : null,
      series: [
        ...runs.map((r) => ({ label: `ab ${r.label}`, colour: r.colour })),
        ...(hasOde ? runs.map((r) => ({ label: `ODE ${r.label}`, colour: r.colour, dash: [6, 4], width: 1.5 })) : []),
        { label: 'c* (training set)', colour: OKABE_ITO.orange, dash: [6, 4], width: 1.5 },
        { label: 'c*(T)', colour: OKABE_ITO.grey, width: 2 },
        { label: 'c*(∞)', colour: OKABE_ITO.black, dash: [2, 3], width: 1.5 },
      ],
    });
    const what = this.sparse ? 'last-position MSE' : 'ratio ŷ/x';
    this.root.getElementById('h-ratio').textContent = this.sparse ? 'Last-position MSE' : 'Ratio ŷ/x at the last position';
    this.charts.ratio = new LineChart(plot('ratio'), {
      xLabel: 'epoch',
      yLabel: what,
      sync,
      clip: !this.sparse && th.ratio_pred > 0 ? near(th.ratio_pred) : null,
      series: [...runs.map((r) => ({ label: `${this.sparse ? 'MSE' : 'ratio'} ${r.label}`, colour: r.colour })), { label: 'predicted', colour: OKABE_ITO.grey, dash: [6, 4] }],
    });
    this.charts.loss = new LineChart(plot('loss'), {
      xLabel: 'epoch',
      yLabel: 'loss',
      sync,
      log: true,
      series: [
        ...runs.map((r) => ({ label: `train ${r.label}`, colour: r.colour })),
        ...runs.map((r) => ({ label: `test ${r.label}`, colour: r.colour, dash: [6, 4], width: 1.5 })),
      ],
    });
    this.charts.mesa = new LineChart(plot('mesa'), {
      xLabel: 'context position t',
      yLabel: 'squared error',
      log: true,
      series: [
        { label: 'trained model', colour: OKABE_ITO.blue, width: 3 },
        { label: 'one GD step', colour: OKABE_ITO.orange, dash: [6, 4] },
        { label: 'least squares', colour: OKABE_ITO.green },
        { label: 'true W', colour: OKABE_ITO.purple, dash: [2, 3] },
      ],
    });
    this.charts.samples = new LineChart(plot('samples'), {
      xLabel: 't',
      yLabel: 'Re x_t,j',
      series: [OKABE_ITO.blue, OKABE_ITO.vermillion, OKABE_ITO.green].map((c, i) => ({ label: `sequence ${i + 1}`, colour: c, width: 1.5 })),
    });
    this.theoryLines = { cEmp: th.c_star_empirical ?? null, cT: th.c_star_T, cInf: th.c_star_inf, pred: this.sparse ? (th.recovery ? 0 : null) : th.ratio_pred };
    const odeAt = (o, e) => o.ab_empirical[Math.round(e / o.stride)] ?? null; // o: every stride-th epoch
    this.odeY = hasOde ? runs.map((r) => this.x.map((e) => odeAt(r.ode, e))) : [];
  }

  // Puts a history column of every run on the shared grid.
  column(key) {
    return this.runs.map((r) => {
      const y = fill(this.x.length, null);
      const h = r.hist;
      for (let i = 0; i < h.epoch.length; i++) {
        const j = this.index.get(h.epoch[i]);
        if (j !== undefined) y[j] = h[key][i];
      }
      return y;
    });
  }

  draw() {
    const n = this.x.length;
    const range = [0, Math.max(1, this.cfg.epochs)];
    const t = this.theoryLines;
    this.charts.ab.setData(this.x, [...this.column('ab'), ...this.odeY, fill(n, t.cEmp), fill(n, t.cT), fill(n, t.cInf)], range);
    this.charts.ratio.setData(this.x, [...this.column(this.sparse ? 'last_mse' : 'ratio'), fill(n, t.pred)], range);
    this.charts.loss.setData(this.x, [...this.column('train_loss'), ...this.column('test_loss')], range);
  }

  setWeights(w) {
    this.weights = w;
    this.drawWeights();
  }

  drawWeights() {
    if (!this.weights) return;
    const { wkq, wpv } = matrices(this.weights);
    const d = this.weights.d;
    const f = (v) => (v < 1e-3 && v > 0 ? v.toExponential(2) : v.toFixed(3));
    this.root.getElementById('wkq-max').textContent = f(this.heat.wkq.draw(wkq, this.wmode, { r0: d, c0: 0, size: d }));
    this.root.getElementById('wpv-max').textContent = f(this.heat.wpv.draw(wpv, this.wmode, { r0: 0, c0: 0, size: d }));
  }

  setMesa(m) {
    this.charts.mesa.setData(Array.from(m.t), [m.model, m.gd1, m.ls, m.true_w].map((a) => Array.from(a)));
  }

  // s: s.samples() of the first run; the coordinate select offers its d coordinates.
  setSamples(s) {
    this.samples = s;
    const sel = this.root.getElementById('coord');
    this.coord = Math.min(Number(sel.value) || 0, s.d - 1);
    sel.replaceChildren(...Array.from({ length: s.d }, (_, j) => new Option(`j = ${j + 1}`, String(j))));
    sel.value = String(this.coord);
    this.drawSamples();
  }

  drawSamples() {
    const s = this.samples;
    if (!s) return;
    const j = Math.min(this.coord, s.d - 1);
    const x = Array.from({ length: s.T }, (_, t) => t + 1);
    const ys = [];
    for (let i = 0; i < 3; i++) ys.push(i < s.n ? x.map((_, t) => s.re[(i * s.T + t) * s.d + j]) : fill(s.T, null));
    this.charts.samples.setData(x, ys);
  }

  resize() {
    for (const c of Object.values(this.charts)) c.resize();
    this.drawWeights();
  }

  // Downloads view id as a PNG (export.js is loaded on the first download).
  async png(id, filename) {
    const { savePNG } = await import('./export.js');
    const title = this.root.getElementById(`h-${id}`).textContent;
    const canvases = id === 'weights' ? [this.heat.wkq.canvas, this.heat.wpv.canvas] : [this.charts[id].canvas()];
    if (id !== 'weights') return savePNG(`${filename}-${id}`, title, canvases, this.charts[id].legend());
    const caption = (name, what) => `${name} (${what}), ${this.wmode === 'mod' ? 'modulus' : this.wmode === 'im' ? 'imaginary part' : 'real part'}, max |·| ${this.root.getElementById(`${name.toLowerCase().replace('_', '')}-max`).textContent}`;
    return savePNG(`${filename}-${id}`, 'Weights W_KQ and W_PV (outlined: the red blocks)', canvases, [], [caption('W_KQ', '2d × 2d'), caption('W_PV', 'd × 2d')]);
  }
}
