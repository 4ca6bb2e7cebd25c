// Main thread. The status line and the texts about runs.
// The demo's status line: short facts about the runs. The visible line follows the runs (at most
// every SHOW_EVERY_MS, so it says what the charts beside it say); a visually hidden live region
// (aria-live) repeats it at most every SAY_EVERY_MS while training, so screen readers are not
// flooded. Both always get the latest state once their interval is over (a trailing update) or
// training stops.
const SHOW_EVERY_MS = 200;
const SAY_EVERY_MS = 2000;
const SEP = ' · ';

// A number for reading: 4 significant digits, tiny ones in exponent form, '–' if not finite.
export const num = (v, p = 4) =>
  v == null || !Number.isFinite(v) ? '–' : Math.abs(v) >= 1e-3 || v === 0 ? Number(v.toPrecision(p)).toString() : v.toExponential(2);

// Why there is no theory: the file's dynamics are not diagonal, Assumption 4.1 fails, or the run's
// model is not the one the theory is about (the reason then names it: core/THEORY.md §9).
const recovery = (th, cfg) =>
  th.applies
    ? `recovery predicted: ${th.recovery ? 'yes' : 'no'}`
    : cfg.model === 'attention' && (cfg.attention === 'softmax' || cfg.layers > 1)
      ? `no theory for this model, measured only (core/THEORY.md ${cfg.attention === 'softmax' ? '§11' : '§12'})`
    : th.withheld
      ? 'no theory: the file’s dynamics are not diagonal'
      : th.byProcess
        ? 'no theory for this process (chart 1 says why)'
      : th.assumption_4_1 && !th.assumption_4_1.holds
        ? 'no theory: Assumption 4.1 fails'
        : 'no theory for this model (core/THEORY.md §9)';

// What the runs have done, as short facts joined by ' · ' (runs as model/runs.js records them, the
// first one summarised); it starts with the state: 'ready', 'training', 'paused', 'finished' or
// 'diverged' ('waiting' while held), then 'epoch E of N'. sparse: the last position's error is
// shown, not the ratio; held: a demo in view trains on this one's workers (pool/page-pool.js).
export function summary(runs, cfg, playing, sparse = cfg.x1 === 'sparse', held = false) {
  const r = runs[0];
  if (!r) return '';
  const h = r.hist;
  const i = h.epoch.length - 1;
  const th = r.theory;
  const cstar = th.applies ? `c*(T) ${num(th.c_star_T)}` : null;
  // Diverged before its first row (data that overflow: the loss is not finite at epoch 0).
  if (i < 0 && runs.some((x) => x.diverged)) return [`diverged: epoch ${r.epoch} of ${cfg.epochs}`, 'the loss was not finite before the first evaluation', recovery(th, cfg)].join(SEP);
  // Not started yet (only the evaluation at epoch 0, or none): what Play will do.
  if (i < 0 || (r.epoch === 0 && !playing && !runs.some((x) => x.diverged))) return [`ready: ${cfg.epochs} epochs to train`, cstar, recovery(th, cfg), 'press Play'].filter(Boolean).join(SEP);
  const state = runs.some((x) => x.diverged) ? 'diverged' : runs.every((x) => x.done) ? 'finished' : playing ? (held ? 'waiting' : 'training') : 'paused';
  const wait = state === 'waiting' ? 'a demo in view on this page is training on the same cores; this one goes on when it is done or when you scroll here' : null;
  const at = r.epoch > h.epoch[i] ? ` (evaluated at ${h.epoch[i]})` : '';
  const last = sparse ? `last-position MSE ${num(h.last_mse[i])}` : `ratio ${num(h.ratio[i])}`;
  return [`${state}: epoch ${r.epoch} of ${cfg.epochs}${at}`, wait, Number.isFinite(h.ab[i]) ? `ab ${num(h.ab[i])}` : null, cstar, `test loss ${num(h.test_loss[i])}`, last, recovery(th, cfg)]
    .filter(Boolean).join(SEP);
}

// While a configuration's data sets are drawn (n runs), or read from a file.
export function preparing(cfg, n, file) {
  const runs = n > 1 ? ` for ${n} runs` : '';
  if (file) return `Reading ${file}${runs}: ${cfg.m.toLocaleString('en')} training and ${cfg.test_m.toLocaleString('en')} test sequences of length ${cfg.T}…`;
  return `Drawing the data${runs}: ${cfg.m.toLocaleString('en')} training and ${cfg.test_m.toLocaleString('en')} test sequences of length ${cfg.T}…`;
}

// The words for a run that diverged (msg: the worker's `diverged`).
export function divergedText(run, msg, cfg) {
  const d = msg.divergence;
  // The data overflow (a non-finite loss at epoch 0): the core's words; no step size helps.
  if (d && d.data_max > 0) return `Training stopped: the run with ${run.who} ${msg.message}.`;
  const why = d ? `: ${d.why}; the step size lr = ${num(d.lr, 3)} is too large for this setting` : '';
  const lr = num(d ? d.suggested_lr : cfg.lr / 10, 2);
  return `Training paused: the run with ${run.who} diverged at epoch ${msg.epoch}${why}. Try a smaller step size, e.g. lr = ${lr}.`;
}

export class StatusLine {
  // node: the visible status element; live: the hidden aria-live region; summarise(): the summary
  // text of the moment.
  constructor(node, live, summarise) {
    this.node = node;
    this.live = live;
    this.summarise = summarise;
    this.shown = 0;
    this.said = 0;
    this.timer = 0;
    this.transient = false;
  }

  // Says text now (a message, not the summary), dropping a pending summary. transient: a text
  // true only until the next summary (the data being drawn), which then comes at once.
  say(text, transient = false) {
    this.#show(text, transient);
    this.#announce(text);
  }

  // The summary: shown now if forced or its interval is over, and announced if forced or its
  // (longer) interval is over; else each once its interval is.
  refresh(force) {
    const now = performance.now();
    const show = this.shown + SHOW_EVERY_MS - now;
    const say = this.said + SAY_EVERY_MS - now;
    if (force || this.transient || (show <= 0 && say <= 0)) return this.say(this.summarise());
    if (show <= 0) this.#show(this.summarise(), false);
    if (this.timer) return;
    const wait = Math.max(0, Math.min(show <= 0 ? Infinity : show, say <= 0 ? Infinity : say));
    this.timer = setTimeout(() => {
      this.timer = 0;
      this.refresh(false);
    }, Number.isFinite(wait) ? wait : SHOW_EVERY_MS);
  }

  #show(text, transient) {
    clearTimeout(this.timer);
    this.timer = 0;
    this.shown = performance.now();
    this.transient = transient;
    // One span per fact (the first, the state, in bold), the separators kept as text.
    const facts = text.split(SEP);
    this.node.replaceChildren(...facts.flatMap((f, i) => [...(i ? [SEP] : []), Object.assign(document.createElement('span'), { className: 'fact', textContent: f })]));
  }

  #announce(text) {
    this.said = performance.now();
    if (this.live.textContent !== text) this.live.textContent = text;
  }
}
