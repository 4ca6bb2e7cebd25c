// Main thread. The capability view: theory over T, and the measured points.
// Capability versus context length: the theory's curve over T (mf.capability(cfg), derived for
// this project from c*(T), core/THEORY.md §6) for the current first-token law, this run's measured point at
// its own T, and points measured elsewhere (Views.addCapabilityPoint) as markers.
import { LineChart, OKABE_ITO } from './charts.js';
import { num } from './status.js';
import { words } from '../model/claims.js';

// What the chart shows: the curve's key, a measured point's key, the axis, whether log.
const MODES = {
  relative_error: { curve: 'relative_error_pred', point: 'relative_error', y: 'relative error at t = T−1', log: true },
  ratio: { curve: 'ratio_pred', point: 'ratio', y: 'ratio ŷ/x at t = T−1' },
  c_star_T: { curve: 'c_star_T', point: 'ab', y: 'c*(T) (markers: learned ab)' },
};

// The verdict over T in words, from the curve and Assumption 4.2.
export function capabilityVerdict(cap, th) {
  const rel = cap.relative_error_pred;
  if (th.assumption_4_2.holds && Math.max(...rel) < 1e-9) {
    return 'Recovers at every T: the predicted last-position error is 0 at every context length (no cross-coordinate terms, M₂₄ = 0).';
  }
  const first = cap.T.find((T, i) => rel[i] <= 0.01);
  const from = `${num(rel[0], 2)} at T = ${cap.T[0]}, ${num(rel.at(-1), 2)} at T = ${cap.T.at(-1)}`;
  if (th.assumption_4_2.holds) {
    return `Recovers only as T grows: the predicted relative error at the last position is ${from}${first ? `; below 1% from T ≈ ${first}` : ''}.`;
  }
  const limit = 1 - th.assumption_4_2.moment_ratio;
  return `Never recovers: the predicted relative error is ${from}, and tends to 1 − M₄²/(M₂M₆) = ${num(limit, 3)} as T grows (Assumption 4.2 fails).`;
}

export default class CapabilityView {
  constructor(card, views) {
    this.views = views;
    this.chart = null;
    const $ = (id) => views.root.getElementById(id);
    this.mode = $('capmode');
    this.notes = $('notes-capability');
    this.mode.addEventListener('change', () => {
      this.setup();
      this.update();
    });
  }

  setup() {
    this.chart?.destroy();
    this.chart = null;
    this.key = '';
    const v = this.views;
    const cap = v.capability;
    const mode = MODES[this.mode.value] ?? MODES.relative_error;
    const th = v.th;
    const none = v.file ? `No capability curve for a data file: the curve is a first-token law’s over every T, and ${v.file.name} has one T` : `No capability curve${th.byProcess ? ' for this process' : ''}: ${th.reason ? words(th.reason) : 'the theory does not apply'}`;
    this.notes.replaceChildren(Object.assign(document.createElement('li'), { textContent: cap ? capabilityVerdict(cap, th) : `${none}.` }));
    const plot = v.root.getElementById('plot-capability');
    if (!cap) {
      plot.replaceChildren();
      return;
    }
    this.curve = cap[mode.curve];
    const log = mode.log && this.curve.some((y) => y > 0) && this.curve.every((y) => y > 0);
    this.current = mode;
    this.chart = new LineChart(plot, {
      xLabel: 'context length T',
      yLabel: mode.y,
      xLog: true,
      log,
      xName: 'T =',
      // The curve spans every T: its legend entry has no single value to show.
      legend: [
        { label: 'theory (derived, core/THEORY.md §6)', colour: OKABE_ITO.grey, width: 2 },
        { label: `this run (T = ${v.cfg.T})`, colour: v.runs[0].colour, markers: true, series: 1 },
        { label: 'measured at other T (a training each)', colour: OKABE_ITO.black, markers: true, series: 2 },
      ],
      series: [
        { label: 'theory (derived, core/THEORY.md §6)', colour: OKABE_ITO.grey, width: 2 },
        { label: `this run (T = ${v.cfg.T})`, colour: v.runs[0].colour, markers: true },
        { label: 'measured at other T (a training each)', colour: OKABE_ITO.black, markers: true },
      ],
    });
    v.measure?.(v.cfg); // trainings at other T, in a worker of their own (element/capability-client.js)
  }

  // This run's point at its T, from its latest history row.
  own() {
    const v = this.views;
    const h = v.runs[0].hist;
    const i = h.epoch.length - 1;
    if (i < 0) return null;
    const M2 = v.th.M2;
    return { T: v.cfg.T, ab: h.ab[i], ratio: h.ratio[i], relative_error: M2 > 0 ? h.last_mse[i] / (M2 / v.cfg.d) : null };
  }

  update() {
    const v = this.views;
    if (!this.chart) return;
    const mode = this.current;
    const own = this.own();
    const key = `${own?.[mode.point]}|${v.measured.length}`;
    if (key === this.key) return;
    this.key = key;
    const cap = v.capability;
    const points = v.measured.filter((p) => Number.isFinite(p[mode.point]));
    const x = [...new Set([...cap.T, ...(own ? [own.T] : []), ...points.map((p) => p.T)])].sort((a, b) => a - b);
    const at = new Map(x.map((T, i) => [T, i]));
    const ys = [0, 1, 2].map(() => x.map(() => null));
    cap.T.forEach((T, i) => (ys[0][at.get(T)] = this.curve[i]));
    if (own) ys[1][at.get(own.T)] = own[mode.point];
    for (const p of points) ys[2][at.get(p.T)] = p[mode.point];
    this.chart.setData(x, ys, [x[0], x.at(-1)]);
  }

  resize() {
    this.chart?.resize();
  }

  charts() {
    return this.chart ? [this.chart] : [];
  }
}
