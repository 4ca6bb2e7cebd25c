// Main thread. The one-sequence view: prediction against the next token.
// One training sequence: the model's prediction against the true next token over t, computed
// here from the model's formula (core/THEORY.md §1, §11, §12) with the first run's current weights.
import { LineChart, OKABE_ITO, DASH } from './charts.js';
import { num } from './status.js';
import { formulaOf, predict, predictWork } from '../model/predict.js';

const MAX_WORK = 3e7; // multiply-adds per sequence at most (one layer: T (2d)^2, T = 100000, d = 8)

export default class SequenceView {
  constructor(card, views) {
    this.card = card;
    this.views = views;
    this.chart = null;
    this.seen = null;
    const $ = (id) => views.root.getElementById(id);
    this.seq = $('seq');
    this.coord = $('coord');
    this.notes = $('notes-sequence');
    this.coord.addEventListener('change', () => this.draw());
    this.seq.addEventListener('change', () => {
      this.pickCoordinate();
      this.draw();
    });
  }

  setup() {
    this.chart?.destroy();
    this.chart = new LineChart(this.views.root.getElementById('plot-sequence'), {
      xLabel: 'position t',
      yLabel: 'real part',
      xInt: true,
      xName: 't =',
      series: [
        { label: 'next token Re x_j(t+1)', colour: OKABE_ITO.grey, width: 2.5 },
        { label: 'model’s prediction Re ŷ_j(t)', colour: OKABE_ITO.vermillion, dash: DASH, dots: true, width: 1.5 },
      ],
    });
    this.seen = null;
  }

  // Recomputed when the samples or the first run's weights change.
  update() {
    const s = this.views.samples;
    const w = this.views.weightsView.weights[0];
    if (!s || !this.chart || (this.seen && this.seen.s === s && this.seen.w === w)) return;
    if (!this.seen || this.seen.s !== s) {
      const pick = (sel, n, label) => {
        const v = Math.min(Number(sel.value) || 0, n - 1);
        sel.replaceChildren(...Array.from({ length: n }, (_, k) => new Option(label(k), String(k))));
        sel.value = String(Math.max(0, v));
      };
      pick(this.seq, s.n, (k) => String(k + 1));
      pick(this.coord, s.d, (k) => `j = ${k + 1}`);
      this.seen = { s, w };
      this.pickCoordinate();
    }
    this.seen = { s, w };
    this.draw();
  }

  // The coordinate of the chosen sequence with the largest |x_1j| (sparse: its one non-zero one).
  pickCoordinate() {
    const s = this.seen?.s;
    if (!s) return;
    const i = Number(this.seq.value) || 0;
    let best = 0;
    for (let j = 1; j < s.d; j++) if (Math.hypot(s.re[i * s.T * s.d + j], s.im[i * s.T * s.d + j]) > Math.hypot(s.re[i * s.T * s.d + best], s.im[i * s.T * s.d + best])) best = j;
    this.coord.value = String(best);
  }

  draw() {
    const { s, w } = this.seen ?? {};
    if (!s) return;
    const i = Number(this.seq.value) || 0;
    const j = Number(this.coord.value) || 0;
    const t = Array.from({ length: Math.max(0, s.T - 2) }, (_, k) => k + 2);
    const next = t.map((p) => s.re[(i * s.T + p) * s.d + j]);
    const attention = this.views.cfg?.attention ?? 'linear';
    const work = predictWork(s.T, s.d, w?.layers?.length ?? 1, attention);
    const tooLong = work > MAX_WORK;
    const y = w && !tooLong ? predict(s, w, i, attention) : null;
    this.chart.setData(t, [next, y ? t.map((p, k) => y.re[k * s.d + j]) : t.map(() => null)]);
    const notes = [];
    if (tooLong) notes.push(`Not computed here: ${num(work)} operations per sequence are too many for this view.`);
    else if (y) {
      const k = s.T - 3;
      let err = 0;
      for (let c = 0; c < s.d; c++) err += (y.re[k * s.d + c] - s.re[(i * s.T + s.T - 1) * s.d + c]) ** 2 + (y.im[k * s.d + c] - s.im[(i * s.T + s.T - 1) * s.d + c]) ** 2;
      notes.push(`Computed in your browser from ${formulaOf(w, attention)} with the first run’s current weights; at t = T − 1 this sequence’s squared error |ŷ − x(T)|² is ${num(err)}.`);
    }
    this.notes.replaceChildren(...notes.map((n) => Object.assign(document.createElement('li'), { textContent: n })));
  }

  resize() {
    this.chart?.resize();
  }

  charts() {
    return this.chart ? [this.chart] : [];
  }
}
