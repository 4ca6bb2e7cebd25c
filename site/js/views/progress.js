// Main thread. The progress bar, epochs per second and time left.
// Progress of the runs, from the arrival of their history rows: a bar, epochs per second and
// the time left (for a run of minutes this is what says it is alive).
import { num } from './status.js';

const WINDOW_MS = 4000; // the rate is measured over the rows of the last few seconds

const duration = (s) => {
  if (!Number.isFinite(s)) return '';
  if (s < 1) return 'under a second';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
};

export class Progress {
  // bar: a <progress>; text: where the words go.
  constructor(bar, text) {
    this.bar = bar;
    this.text = text;
    this.reset(0, 0);
  }

  // A new configuration: n runs of `epochs` epochs each; busy: while the data are drawn.
  reset(epochs, n, busy = false) {
    this.total = epochs * n;
    this.n = n;
    this.samples = [];
    this.started = null;
    this.idle = 0;
    if (busy) this.bar.removeAttribute('value'); // indeterminate while the data are drawn
    else this.bar.value = 0;
    this.text.textContent = busy ? 'drawing the data…' : '';
  }

  // runs: [{epoch}] after a rows message; playing: training goes on; epochs: the configuration's
  // now (raised or lowered while training: the bar follows, never above 100%).
  update(runs, playing, epochs = null) {
    if (epochs != null) this.total = epochs * this.n;
    const done = runs.reduce((s, r) => s + Math.min(r.epoch, epochs ?? Infinity), 0);
    const now = performance.now();
    if (!playing) this.idle = done;
    else {
      // Counted from the last update before playing (the first chunk is in this one's done).
      this.started ??= { t: now, done: Math.min(done, this.idle ?? done) };
      this.samples.push({ t: now, done });
      while (this.samples.length > 2 && now - this.samples[0].t > WINDOW_MS) this.samples.shift();
    }
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    this.bar.value = frac;
    const first = this.samples[0];
    const rate = first && now > first.t ? ((done - first.done) * 1000) / (now - first.t) : 0;
    const perRun = rate / Math.max(1, this.n);
    const words = [`${Math.floor(100 * frac)}%`];
    if (frac >= 1 && this.started) {
      const s = (now - this.started.t) / 1000;
      words.push(`${done - this.started.done} epochs in ${duration(s)}`);
    } else if (playing && perRun > 0) {
      words.push(`${num(perRun, 3)} epochs/s${this.n > 1 ? ' per run' : ''}`, `about ${duration((this.total - done) / rate)} left`);
    } else if (!playing && done > 0 && frac < 1) words.push('paused');
    this.text.textContent = words.join(' · ');
  }
}
