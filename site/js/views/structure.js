// Main thread. The "beyond the assumption" view: the weights' structure over epochs.
// Beyond the assumption (and from a gaussian initialisation): how far the weights leave the
// structure the diagonal theory needs, over epochs for every run; the last-position error against
// the best one-step vanilla gradient descent; the weights of the runs side by side.
import { LineChart, OKABE_ITO, DASH, DOTS } from './charts.js';
import { Heatmap, matrices, redBlocks } from './heatmap.js';
import { runSeries, refSeries, fill } from './series.js';
import { num } from './status.js';

const pct = (x) => (Number.isFinite(x) ? `${Number((100 * x).toPrecision(2))}%` : '–');
const MASSES = [
  { label: 'off-diagonal mass, W_KQ block', key: 'offdiag_kq' },
  { label: 'off-diagonal mass, W_PV block', key: 'offdiag_pv', dash: DASH },
  { label: 'mass outside the red blocks', key: 'outside', dash: DOTS },
];

// The blocks the masses are measured on: the last layer's for a stack of layers (the history's
// structure columns are its, model.hpp push_structure), else the model's W_KQ and W_PV.
function lastLayer(w) {
  const l = w.layers?.at(-1);
  if (!l) return matrices(w);
  const D = 2 * w.d;
  return { wkq: { rows: D, cols: D, re: l.wkq_re, im: l.wkq_im }, wpv: { rows: w.d, cols: D, re: l.wpv_re, im: l.wpv_im } };
}

export default class StructureView {
  constructor(card, views) {
    this.card = card;
    this.views = views;
    this.charts_ = [];
    this.heat = [];
    this.drawn = [];
  }

  setup() {
    for (const c of this.charts_) c.destroy();
    const v = this.views;
    const $ = (id) => v.root.getElementById(id);
    const L = v.cfg.layers ?? 1;
    this.of = L > 1 ? ` of layer ${L}, the last` : '';
    $('h-structure').textContent = v.cfg.init === 'gaussian' ? 'From a gaussian initialisation: the structure of the weights'
      : v.th.byProcess ? 'Beyond the theory: the structure of the weights for this process'
        : L > 1 || v.cfg.attention === 'softmax' ? 'Beyond the theory: the structure of the weights of this model' : 'Beyond the assumption: the weights leave the diagonal';
    const masses = runSeries(v.runs, MASSES);
    const mse = runSeries(v.runs, [{ label: 'model: last-position MSE', key: 'last_mse' }]);
    const vanilla = v.runs[0].vanilla;
    const refs = vanilla && Number.isFinite(vanilla.last_mse) ? [{ tag: `best one-step GD (η = ${num(vanilla.eta, 3)})`, colour: OKABE_ITO.grey, dash: DASH, value: vanilla.last_mse }] : [];
    const ref = refSeries(refs, mse.series.length);
    const common = { xLabel: 'epoch', sync: v.syncKey };
    this.charts_ = [
      new LineChart($('plot-structure'), { ...common, yLabel: 'relative mass', series: masses.series, legend: masses.legend }),
      new LineChart($('plot-vanilla'), { ...common, yLabel: 'squared error', log: true, series: [...mse.series, ...ref.series], legend: [...mse.legend, ...ref.legend] }),
    ];
    this.refs = refs;
    // One pair of heatmaps per run.
    const row = $('heat-row');
    row.replaceChildren();
    this.heat = v.runs.map((r) => {
      const fig = document.createElement('figure');
      const cap = document.createElement('figcaption');
      cap.textContent = `${v.runs.length > 1 ? `${r.who}: ` : ''}W_KQ, W_PV${r.cfg?.layers > 1 ? ` of layer ${r.cfg.layers}` : ''} (real part)`;
      const canvases = [0, 1].map(() => Object.assign(document.createElement('canvas'), { role: 'img' }));
      canvases[0].setAttribute('aria-label', `W_KQ of run ${r.label}`);
      canvases[1].setAttribute('aria-label', `W_PV of run ${r.label}`);
      const box = document.createElement('div');
      box.className = 'heat-pair';
      box.append(...canvases);
      fig.append(box, cap);
      row.append(fig);
      return { wkq: new Heatmap(canvases[0], null, 'W_KQ', 190), wpv: new Heatmap(canvases[1], null, 'W_PV', 160) };
    });
    this.drawn = [];
  }

  update() {
    const v = this.views;
    if (!this.charts_.length || this.card.hidden) return;
    const range = [-0.01 * Math.max(1, v.cfg.epochs), Math.max(1, v.cfg.epochs)];
    const masses = MASSES.flatMap((k) => v.column(k.key));
    this.charts_[0].setData(v.x, masses, range);
    this.charts_[1].setData(v.x, [...v.column('last_mse'), ...this.refs.map((r) => fill(v.x.length, r.value))], range);
    v.runs.forEach((r, i) => {
      const w = v.weightsView.weights[i];
      if (!w || this.drawn[i] === w) return;
      this.drawn[i] = w;
      const m = lastLayer(w);
      const b = redBlocks(w.d);
      this.heat[i].wkq.draw(m.wkq, 're', b.wkq);
      this.heat[i].wpv.draw(m.wpv, 're', b.wpv);
    });
    this.note();
  }

  note() {
    const v = this.views;
    const out = [`Off-diagonal mass: the norm of a red block’s off-diagonal part over its diagonal part; outside: the norm of every entry outside the red blocks over theirs (both measured${this.of}; the diagonal theory needs them at 0).`];
    for (const r of v.runs) {
      const h = r.hist;
      const i = h.epoch.length - 1;
      if (i < 0) continue;
      const who = v.runs.length > 1 ? r.who : 'This run';
      const vs = this.refs.length ? `; last-position MSE ${num(h.last_mse[i])} against ${num(r.vanilla.last_mse)} for the best one-step GD` : '';
      out.push(`${who} at epoch ${h.epoch[i]}: off-diagonal ${pct(h.offdiag_kq[i])} (W_KQ), ${pct(h.offdiag_pv[i])} (W_PV), outside ${pct(h.outside[i])}${vs}.`);
    }
    const text = out.join('\n');
    if (text === this.text) return;
    this.text = text;
    v.root.getElementById('notes-structure').replaceChildren(...out.map((t) => Object.assign(document.createElement('li'), { textContent: t })));
  }

  resize() {
    for (const c of this.charts_) c.resize();
  }

  charts() {
    return this.charts_;
  }
}
