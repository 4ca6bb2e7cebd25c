// Main thread. Every view of the demo and how run data maps onto them.
// The views of the demo and how run data maps onto them. Knows nothing of the worker.
// The epoch charts (ab, the last position, the loss), the weights and the error by position are
// built at once; the views further down (one sequence, capability, beyond the assumption) are
// loaded when their card comes near the screen (views/lazy.js).
import { LineChart, OKABE_ITO, DASH, DOTS } from './charts.js';
import { WeightsView } from './weights.js';
import { notesAb, notesRatio, showNotes } from './captions.js';
import { measuredModel, MODEL_CLAIMS } from '../model/claims.js';
import { fillHints } from './hints.js';
import { Lazy } from './lazy.js';
import { runSeries, refSeries, fill } from './series.js';

const MAX_POINTS = 4000; // evaluation epochs drawn per series at most
const MESA_AXES = { xLabel: 'context position t', yLabel: 'squared error', log: true, xInt: true, xName: 't =' };

// Evaluation epochs 0, e, 2e, ..., epochs (thinned to MAX_POINTS): the shared x axis.
// With live changes (eval-every, epochs) the epochs already recorded stay on the grid, and the
// schedule goes on from the last of them; extra: more epochs (a CLI run drawn beside).
function evalGrid(cfg, runs = [], extra = []) {
  const every = cfg.eval_every;
  const recorded = [...new Set(runs.flatMap((r) => r.hist.epoch))].sort((a, b) => a - b);
  const from = recorded.length ? recorded.at(-1) : 0;
  const ahead = [];
  for (let e = Math.ceil((from + 1) / every) * every; e <= cfg.epochs; e += every) ahead.push(e);
  const all = [...recorded.filter((e) => e <= cfg.epochs || e === from), ...ahead];
  if (!all.length || all.at(-1) < cfg.epochs) all.push(cfg.epochs);
  if (!recorded.length) all.unshift(0);
  const x = [...new Set([...all, ...extra])].sort((a, b) => a - b);
  const stride = Math.max(1, Math.ceil(x.length / MAX_POINTS));
  return x.filter((e, i) => i % stride === 0 || i === x.length - 1);
}

// Keep the theory lines readable: a start far above them (a0 = b0 = 2 gives ab = 4) is cut off.
const near = (ref) => (ref > 0 ? (min, max) => [Math.max(min, Math.min(0, -ref)), Math.min(max, 3 * ref)] : null);

// A CLI run drawn beside the runs (element/data-source.js, readRun): a series for each kind it has a column of,
// dotted on top of the runs' lines (where the numbers are the same, both stay visible).
function overlaySeries(o, kinds, offset) {
  const keys = o ? kinds.filter((k) => k.key && o.hist[k.key]).map((k) => k.key) : [];
  const label = (k, i) => (i ? `${o.label}: ${kinds.find((x) => x.key === k).label}` : o.label);
  const series = keys.map((k, i) => ({ label: label(k, i), colour: o.colour, dash: i ? DASH : DOTS, width: 3, legend: false }));
  return { keys, series, legend: series.map((s, i) => ({ ...s, series: offset + i })) };
}

// A chart definition: runs x kinds, the theory lines, then a CLI run; data() gives every series' values.
function define(v, kinds, refs, extra = {}) {
  const a = runSeries(v.runs, kinds);
  const b = refSeries(refs, a.series.length);
  const c = overlaySeries(v.overlay, kinds, a.series.length + b.series.length);
  const n = v.x.length;
  return {
    opts: { xLabel: 'epoch', sync: v.syncKey, series: [...a.series, ...b.series, ...c.series], legend: [...a.legend, ...b.legend, ...c.legend], bands: [], ...extra },
    data: () => [...kinds.flatMap((k) => (k.key ? v.column(k.key) : k.values())), ...refs.map((r) => fill(n, r.value)),
      ...c.keys.map((k) => v.column(k, [v.overlay])[0])],
  };
}

function abChart(v) {
  const th = v.th;
  const gauss = v.cfg.init === 'gaussian'; // no ODE: it starts from the diagonal family
  const L = v.runs.length === 1 && !gauss ? v.runs[0].layers ?? 1 : 1;
  // A stack of layers (one run): each layer's ab (the history's ab_layers), the last one's the ab column.
  const perLayer = Array.from({ length: L - 1 }, (_, l) => ({ label: `layer ${l + 1}: ab`, dash: [DASH, DOTS, [1, 2]][l], values: () => v.abLayer(l) }));
  /** @type {import('./series.js').Kind[]} */
  const kinds = [{ label: L > 1 ? `layer ${L}: ab` : 'model: ab', key: 'ab' }, ...perLayer];
  if (v.hasOde && !gauss) kinds.push({ label: 'gradient-flow ODE', dash: DASH, width: 1.5, ref: true, values: () => v.odeY });
  if (gauss) {
    // From a gaussian initialisation: the phase-invariant mean and its spread over j as a band.
    const plus = (s) => () => [v.column('ab_complex')[0].map((c, i) => (c == null ? null : c + s * v.column('ab_spread')[0][i]))];
    kinds.push({ label: 'phase-invariant ab ± spread over j', key: 'ab_complex', dash: DASH }, { label: 'upper', values: plus(1) }, { label: 'lower', values: plus(-1) });
  }
  // The training set's optimum within the diagonal family is measured for every run (issue 22),
  // drawn also where no theory applies (labelled with its family there: the model's weights may
  // leave it); c*(T) and c*(∞) only where the theory applies.
  const setTag = th.applies ? 'training-set optimum' : 'training-set optimum (diagonal family)';
  // Not for a model the theory is not about (its ab is not the one layer's of that family).
  const set = th.c_star_empirical != null && !measuredModel(v.runs[0].cfg ?? v.cfg) ? [{ tag: setTag, colour: OKABE_ITO.orange, dash: DASH, value: th.c_star_empirical }] : [];
  const refs = !th.applies ? set : [
    ...set,
    { tag: 'c*(T)', colour: OKABE_ITO.grey, width: 2, value: th.c_star_T },
    { tag: 'c*(∞)', colour: OKABE_ITO.black, dash: DOTS, value: th.c_star_inf },
  ];
  const def = define(v, kinds, refs, { yLabel: 'ab', clip: th.applies ? near(Math.max(th.c_star_T, th.c_star_inf, th.c_star_empirical ?? 0)) : set.length ? near(th.c_star_empirical) : null });
  if (gauss) {
    const [ab, cplx, up, lo] = def.opts.series;
    Object.assign(cplx, { colour: OKABE_ITO.purple });
    Object.assign(up, { colour: 'rgba(204,121,167,0.5)', width: 1 });
    Object.assign(lo, { colour: 'rgba(204,121,167,0.5)', width: 1 });
    def.opts.bands = [[2, 3, 'rgba(204,121,167,0.18)']];
    def.opts.legend = [{ ...def.opts.legend[0], colour: ab.colour }, { label: 'phase-invariant ab ± spread over j', colour: OKABE_ITO.purple, dash: DASH, band: 'rgba(204,121,167,0.3)', series: 1 },
      ...def.opts.legend.slice(4)];
  }
  return def;
}

function ratioChart(v) {
  const th = v.th;
  if (v.sparse) {
    const kinds = [{ label: 'last-position MSE (t = T−1)', key: 'last_mse' }, { label: 'test loss: the authors’ curve “MSE loss at T_te”', key: 'test_loss', dash: DASH }];
    const refs = th.applies && th.last_mse_pred > 0 ? [{ tag: 'predicted MSE', colour: OKABE_ITO.grey, dash: DASH, value: th.last_mse_pred }] : [];
    // Noisy processes: the error of the true W, sigma^2 per coordinate (core/THEORY.md §10).
    if (v.cfg.noise > 0) refs.push({ tag: 'noise floor σ² (true W)', colour: OKABE_ITO.grey, dash: DASH, value: v.cfg.noise ** 2 });
    return define(v, kinds, refs, { yLabel: 'squared error', log: true });
  }
  const refs = th.applies ? [{ tag: 'predicted ratio', colour: OKABE_ITO.grey, dash: DASH, value: th.ratio_pred }] : [];
  return define(v, [{ label: 'ratio ŷ/x at t = T−1', key: 'ratio' }], refs, { yLabel: 'ratio ŷ/x', clip: th.applies ? near(th.ratio_pred) : null });
}

const lossChart = (v) => define(v, [{ label: 'train loss', key: 'train_loss' }, { label: 'test loss', key: 'test_loss', dash: DASH }], [], { yLabel: 'loss', log: true });

export class Views {
  constructor(root) {
    this.root = root;
    this.charts = {};
    this.defs = {};
    this.weightsView = new WeightsView(root);
    this.samples = null;
    this.measured = []; // capability points measured elsewhere (addCapabilityPoint)
    this.file = null; // the data file the runs train on (element/data-source.js), or null: generated data
    this.overlay = null; // a CLI run drawn beside the runs (element/data-source.js, readRun), or null
    this.syncKey = undefined; // the cursor sync of the epoch charts, one per element (setup)
    this.explainer = undefined; // views/explain.js, once loaded
    this.comparingModule = undefined; // views/comparators.js, once asked for (the mesa view has comparators)
    this.comparing = undefined; // ... and once loaded
    this.mesaKey = ''; // the comparators' lines drawn (views/comparators.js)
    this.measure = null; // measure(cfg): trainings at other T for the capability view (onMeasure)
    const $ = (id) => root.getElementById(id);
    // The explanations (views/explain.js and its formulas) once one is opened ('toggle' does not bubble).
    root.addEventListener('toggle', (e) => e.target.open && e.target.classList?.contains('why') && this.explain(), true);
    this.lazy = {
      sequence: new Lazy($('card-sequence'), () => import('./sequence.js'), this),
      capability: new Lazy($('card-capability'), () => import('./capability.js'), this),
      structure: new Lazy($('card-structure'), () => import('./structure.js'), this),
    };
  }

  // The data file the runs train on (element/data-source.js), or null.
  setFile(info) {
    this.file = info;
  }

  // measure(cfg): what the capability view calls for its measured points (element/capability-client.js).
  onMeasure(measure) {
    this.measure = measure;
  }

  // The views' own controls and the PNG buttons (name(): the file name's stem).
  bindControls(name) {
    this.weightsView.bind();
    this.root.addEventListener('click', (e) => {
      const id = e.target.closest?.('[data-png]')?.dataset.png;
      if (id && this.cfg) this.png(id, name());
    });
  }

  // runs: [{label, colour, ode, theory, hist, vanilla}]; capability: mf.capability(cfg) or null.
  // Rebuilds the charts for a new configuration.
  setup(cfg, runs, capability = null) {
    for (const c of Object.values(this.charts)) c.destroy();
    this.charts = {};
    this.cfg = cfg;
    this.runs = runs;
    this.th = runs[0].theory;
    if (capability !== this.capability) this.measured = []; // a live change keeps the measured points
    this.capability = capability;
    // The last position's error where it tends to 0: sparse first tokens, or a file the theory says
    // is recovered; and where it has a floor (a noisy process).
    this.sparse = this.file ? Boolean(this.th.applies && this.th.recovery) : cfg.x1 === 'sparse' || cfg.noise > 0;
    this.syncKey ??= `mesaflow-${Math.random().toString(36).slice(2)}`;
    this.hasOde = this.th.applies && runs[0].ode.epoch.length > 0; // the ODE is the diagonal family's
    const $ = (id) => this.root.getElementById(id);
    $('h-ratio').textContent = this.sparse ? 'Error at the last position' : 'Prediction at the last position (ratio ŷ/x)';
    // ab is one GD step's size for the paper's model only.
    $('h-ab').textContent = !measuredModel(cfg) ? 'Step size the model learned (ab)' : cfg.layers > 1 ? 'ab of each layer (measured only)' : 'ab of the attention blocks (measured only)';
    this.epochCharts();
    // The error by position: its lines come with the first mesa view (views/comparators.js).
    this.charts.mesa = new LineChart($('plot-mesa'), { ...MESA_AXES, series: [] });
    this.mesaKey = '';
    this.mesas = [];
    // Beyond the assumption: where the diagonal theory does not apply, or from a gaussian start.
    $('card-structure').hidden = this.th.applies && cfg.init !== 'gaussian';
    // ab, the red blocks' structure and the mesa view are the attention
    // model's (core/THEORY.md §9): their cards are hidden for any other model, not drawn empty.
    const attention = (cfg.model ?? 'attention') === 'attention';
    $('card-ab').hidden = !attention;
    $('card-mesa').hidden = !attention;
    if (!attention) $('card-structure').hidden = true;
    this.mesa = null;
    // The claims about a model the theory is not about: loaded with the first such run, then said.
    if (runs.some((r) => measuredModel(r.cfg ?? cfg)) && !MODEL_CLAIMS.ab) import('../model/claims-models.js').then(() => this.runs && this.draw());
    this.weightsView.setup(runs);
    this.notesText = {};
    for (const l of Object.values(this.lazy)) l.setup();
    this.explain(false);
  }

  // The charts over epochs (ab, the last position, the loss) on the grid of the runs' epochs and
  // the CLI run's, built again.
  epochCharts() {
    this.x = evalGrid(this.cfg, this.runs, this.overlay?.hist.epoch);
    this.index = new Map(this.x.map((e, i) => [e, i]));
    const odeAt = (o, e) => o.ab_empirical[Math.round(e / o.stride)] ?? null; // o: every stride-th epoch
    this.odeY = this.hasOde ? this.runs.map((r) => this.x.map((e) => odeAt(r.ode, e))) : [];
    this.defs = { ab: abChart(this), ratio: ratioChart(this), loss: lossChart(this) };
    for (const [id, def] of Object.entries(this.defs)) {
      this.charts[id]?.destroy();
      this.charts[id] = new LineChart(this.root.getElementById(`plot-${id}`), def.opts);
    }
  }

  // Fills the explanations for the current theory, loading views/explain.js the first time.
  async explain(load = true) {
    if (!this.explainer && !load) return;
    this.explainer ??= import('./explain.js');
    const { fillExplanations } = await this.explainer;
    if (this.th) fillExplanations(this.root, this.th, this.cfg ?? { model: 'attention' });
  }

  // A new configuration is on its way (its data are being drawn): nothing of the previous runs
  // stays drawn or said meanwhile; setup() builds the views again when the runs exist.
  clear() {
    for (const c of Object.values(this.charts)) c.setData([], c.series.map(() => []));
    for (const id of Object.keys(this.notesText ?? {})) this.showNotes(id, []);
    this.root.getElementById('hints').hidden = true;
    this.mesa = null;
    this.mesas = [];
  }

  // Layer l's ab (0-based) of every run on the shared grid, from its rows' ab_layers.
  abLayer(l) {
    return this.runs.map((r) => {
      const y = fill(this.x.length, null);
      r.hist.epoch.forEach((e, i) => {
        const j = this.index.get(e);
        if (j !== undefined) y[j] = r.abLayers[i]?.[l] ?? null;
      });
      return y;
    });
  }

  // Puts a history column of every run on the shared grid.
  column(key, runs = this.runs) {
    return runs.map((r) => {
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
    const last = Math.max(1, this.cfg.epochs, this.overlay?.hist.epoch.at(-1) ?? 0);
    const range = [-0.01 * last, last];
    for (const [id, def] of Object.entries(this.defs)) this.charts[id].setData(this.x, def.data(), range);
    this.showNotes('ab', notesAb(this.cfg, this.runs, this.overlay));
    this.showNotes('ratio', notesRatio(this.cfg, this.runs, this.sparse));
    this.showNotes('mesa', this.mesaNotes());
    fillHints(this.root, this.cfg, this.runs, this.sparse, this.mesa);
    for (const l of Object.values(this.lazy)) l.update();
  }

  // Notes (views/captions.js) of card id, rewritten only when their text changes.
  showNotes(id, notes) {
    const text = notes.join('\n');
    if (this.notesText[id] === text) return;
    this.notesText[id] = text;
    showNotes(this.root.getElementById(`notes-${id}`), notes);
  }

  // A CLI run to draw beside the runs (element/data-source.js, readRun), or null: the epoch charts are built again.
  setOverlay(overlay) {
    this.overlay = overlay;
    if (!this.cfg) return;
    this.epochCharts();
    this.draw();
  }

  // Run index's weights (s.weights()).
  setWeights(index, w) {
    this.weightsView.set(index, w);
    if (index === 0) this.lazy.sequence.update();
    this.lazy.structure.update();
  }

  // m: run index's mesa view (s.mesa(); the worker sends the first run's, and each run's across
  // depths), drawn with its comparators by views/comparators.js, loaded the first time.
  setMesa(m, index = 0) {
    if (!m) return; // a model without the mesa view (linear-map)
    this.mesas[index] = m;
    if (index === 0) this.mesa = m;
    return this.comparators();
  }

  // The notes under the mesa card: views/comparators.js's, once it is loaded and there is a view.
  mesaNotes() {
    return (this.mesa && this.comparing?.notes(this)) || [];
  }

  // The mesa card (its lines, data and notes), drawn by views/comparators.js, loaded the first time.
  async comparators() {
    (this.comparing = await (this.comparingModule ??= /** @type {Promise<typeof import('./comparators.js')>} */ (import('./comparators.js')))).draw(this, MESA_AXES);
  }

  // s: s.samples() of the first run (one sequence view).
  setSamples(s) {
    this.samples = s;
    this.lazy.sequence.update();
  }

  // A capability point measured elsewhere ({T, ab, c_star_T, last_mse, relative_error,
  // relative_error_pred, ratio, ratio_pred, m, epochs}): drawn as a marker in the capability view
  // until the next configuration.
  addCapabilityPoint(p) {
    this.measured.push(p);
    this.lazy.capability.update();
  }

  resize() {
    for (const c of Object.values(this.charts)) c.resize();
    this.weightsView.draw();
    for (const l of Object.values(this.lazy)) l.resize();
  }

  // Downloads view id as a PNG (views/export.js is loaded on the first download).
  async png(id, filename) {
    const { savePNG } = await import('./export.js');
    const title = this.root.getElementById(`h-${id}`).textContent;
    if (id === 'weights') return savePNG(`${filename}-${id}`, title, this.weightsView.canvases(), [], this.weightsView.captions());
    const charts = this.charts[id] ? [this.charts[id]] : this.lazy[id]?.view?.charts() ?? [];
    if (!charts.length) return null;
    return savePNG(`${filename}-${id}`, title, charts.map((c) => c.canvas()), charts.flatMap((c) => c.legendItems()));
  }
}
