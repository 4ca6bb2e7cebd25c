// <mesaflow-demo>: the whole demo as one custom element (shadow root, no globals).
// Attributes: every config field by its CLI name, lower-cased (t for T; the rows of mf.fields(),
// generated into fields.js), plus preset, compare, controls="hide", text="hide",
// workers (Web Workers that train; default: one per core, up to 8, for settings where that
// pays; 1: the single-worker path; the numbers are the same bits either way).
// API: play(), pause(), step(), reset(), resume(), .history, .config, .params, .workers;
// events: mesaflow-step (after each recorded evaluation), mesaflow-diverged, mesaflow-config,
// mesaflow-fault (the training worker died: the history so far is kept; resume() goes on from
// the last checkpoint, reset() starts again).
import { TEMPLATE } from './template.js';
import { Views } from './views.js';
import { SettingsForm } from './controls.js';
import { explanation } from './explain.js';
import { PRESETS, DEFAULT_PRESET, PAPER_INITS } from './presets.js';
import { FIELDS, DEFAULTS, FIELD_ATTRS, EXTRA_KEYS, readPairs, resolveConfig, configToParams } from './state.js';
import { RUN_COLOURS } from './charts.js';

const MEMORY_BUDGET = 2 ** 30; // bytes all sessions of one demo may allocate (mf.estimateBytes)
const STATUS_EVERY_MS = 2000; // aria-live summary while running, so screen readers are not flooded
const PING_EVERY_MS = 2000; // the worker answers pings between chunks ...
const SILENT_MS = 10000; // ... so one unanswered this long means it is gone (or hung)
const SILENT_CREATING_MS = 60000; // drawing a large data set is one long call
const COLUMNS = ['epoch', 'train_loss', 'test_loss', 'ab', 'ratio', 'last_mse'];
const isOn = (v) => v != null && ['', 'true', '1', 'yes', 'on'].includes(String(v).trim().toLowerCase());
// A value from outside as the core's messages show it (config.cpp): quoted, the first 40
// characters, each outside printable ASCII as '?'.
const quoted = (v) => {
  const t = String(v);
  return `'${t.slice(0, 40).replace(/[^\x20-\x7e]/g, '?')}${t.length > 40 ? '...' : ''}'`;
};
const isOff = (v) => ['false', '0', 'no', 'off'].includes(String(v).trim().toLowerCase());
const num = (v, p = 4) => (v == null || !Number.isFinite(v) ? '–' : Math.abs(v) >= 1e-3 || v === 0 ? Number(v.toPrecision(p)).toString() : v.toExponential(2));

class MesaflowDemo extends HTMLElement {
  static get observedAttributes() {
    return [...FIELD_ATTRS, ...EXTRA_KEYS];
  }

  constructor() {
    super();
    this._root = this.attachShadow({ mode: 'open' });
    this._root.innerHTML = TEMPLATE; // constant markup, see template.js
    this._$ = (id) => this._root.getElementById(id);
    this._runs = [];
    this._gen = 0;
    this._playing = false;
    this._wantPlay = false;
    this._explicit = {};
    this._preset = DEFAULT_PRESET;
    this._compare = false;
    this._workersSet = null; // the workers attribute, null when absent (automatic)
    this._workersUsed = 0;
    this._lastStatus = 0;
    this._fault = null; // {message, wantPlay} after the worker died, until resume() or reset()
    this._resumeOnReady = false;
    this._lastStepEpoch = -1; // mesaflow-step is dispatched once per epoch, also across a resume
    this._parsing = new Map(); // seq -> resolve, for the worker's 'parsed' answers
    this._parseSeq = 0;
    this._attrSeq = 0;
    this._formSeq = {};
    this._views = new Views(this._root);
    this._bindControls();
    this._ro = new ResizeObserver(() => this._views.cfg && requestAnimationFrame(() => this._views.resize()));
  }

  connectedCallback() {
    if (!this._worker && !this._fault) this._startWorker();
    this._ro.observe(this);
  }

  // Moved in the DOM (disconnected, then connected): the new worker resumes the runs.
  disconnectedCallback() {
    this._ro.disconnect();
    this._stopWorker();
    this._resumeOnReady = this._runs.some((r) => r.state);
    this._playing = false;
  }

  attributeChangedCallback(name) {
    if (name === 'controls' || name === 'text') return; // pure CSS, see demo.css
    if (this._fields && !this._attrsQueued) {
      this._attrsQueued = true;
      queueMicrotask(() => {
        this._attrsQueued = false;
        this._applyAttributes();
      });
    }
  }

  // --- public API ---------------------------------------------------------------------------
  play() {
    if (this._fault) {
      this._fault.wantPlay = true;
      return this._restart(this._fault.resumable);
    }
    this._wantPlay = true;
    if (this._runs.length && this._worker) this._post({ type: 'play', speed: Number(this._$('speed').value) });
  }

  pause() {
    this._wantPlay = false;
    this._post({ type: 'pause' });
  }

  step() {
    this._wantPlay = false;
    this._post({ type: 'step' });
  }

  reset() {
    if (this._fault) return this._restart(false);
    if (this._cfg) this._configure(this._cfg);
  }

  // After a fault: a new worker goes on from each run's last checkpoint (at most one chunk of
  // epochs is computed again), with the numbers the uninterrupted run would have had.
  resume() {
    if (this._fault) this._restart(true);
  }

  get history() {
    const h = this._runs[0]?.hist;
    return h ? Object.fromEntries(COLUMNS.map((k) => [k, h[k].slice()])) : Object.fromEntries(COLUMNS.map((k) => [k, []]));
  }

  // Theory of the first run (s.theory()): c_star_T, c_star_inf, ratio_pred, recovery, ...
  get theory() {
    return this._runs[0] ? { ...this._runs[0].theory } : null;
  }

  // ODE curve of ab for the first run, every `stride`-th epoch (empty for init 'gaussian').
  get odeCurve() {
    return this._runs[0] ? { ...this._runs[0].ode } : null;
  }

  // Epochs trained so far by the first run (its newest history row may be one evaluation behind).
  get epoch() {
    return this._runs[0]?.epoch ?? 0;
  }

  // Web Workers computing the current runs' sums (1: the single-worker path).
  get workers() {
    return this._workersUsed;
  }

  get config() {
    return this._cfg ? { ...this._cfg } : null;
  }

  // The configuration as URL parameters (human-readable keys = attribute names).
  get params() {
    if (!this._cfg) return '';
    const extras = this._compare ? { compare: 'true' } : {};
    for (const k of ['controls', 'text']) if (this.getAttribute(k) === 'hide') extras[k] = 'hide';
    if (this._workersSet !== null) extras.workers = String(this._workersSet);
    return configToParams(this._preset, this._cfg, extras);
  }

  // --- worker -------------------------------------------------------------------------------
  _startWorker() {
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this._worker = w;
    w.onmessage = (e) => {
      if (w !== this._worker) return;
      this._pingSent = 0;
      this._onMessage(e.data);
    };
    w.onerror = (e) => {
      e.preventDefault?.();
      if (w === this._worker) this._onFault(`the training worker failed (${e.message || 'an error in the worker'})`);
    };
    w.onmessageerror = () => w === this._worker && this._onFault('the training worker sent a message that could not be read');
    this._pingSent = 0;
    this._watchdog = setInterval(() => this._checkWorker(), PING_EVERY_MS);
  }

  _stopWorker() {
    clearInterval(this._watchdog);
    this._worker?.terminate();
    this._worker = null;
  }

  // Sign of life: a ping unanswered for SILENT_MS means the worker was terminated or hangs.
  _checkWorker() {
    if (!this._worker) return;
    const now = performance.now();
    if (!this._pingSent) {
      this._pingSent = now;
      this._post({ type: 'ping' });
    } else if (now - this._pingSent > (this._pendingRuns ? SILENT_CREATING_MS : SILENT_MS)) {
      this._onFault(`the training worker stopped answering (for ${Math.round((now - this._pingSent) / 1000)} s)`);
    }
  }

  // The worker is gone: keep the history, say so, offer to resume or restart.
  _onFault(reason) {
    if (this._fault) return;
    this._stopWorker();
    const wantPlay = this._wantPlay || this._playing;
    this._playing = false;
    this._wantPlay = false;
    this._showPlaying();
    const resumable = this._runs.length > 0;
    const epoch = this._runs[0]?.epoch ?? 0;
    this._fault = { message: reason, wantPlay, resumable };
    const kept = resumable ? ` The history up to epoch ${epoch} is kept (export it below); Resume goes on from there.` : '';
    this._$('fault-text').textContent = `Training stopped: ${reason}.${kept}`;
    this._$('resume').hidden = !resumable;
    this._$('fault').hidden = false;
    this._status(`Training stopped: ${reason}.`, true);
    this.dispatchEvent(new CustomEvent('mesaflow-fault', { detail: { message: reason, epoch, resumable }, bubbles: true, composed: true }));
  }

  _restart(resume) {
    const wantPlay = this._fault?.wantPlay;
    this._fault = null;
    this._$('fault').hidden = true;
    this._resumeOnReady = resume && this._runs.some((r) => r.state);
    this._wantPlay = Boolean(wantPlay);
    if (!this._resumeOnReady) this._runs = [];
    this._status(resume ? 'Resuming…' : 'Restarting…', true);
    this._startWorker();
  }

  // New runs for the current ones, each going on from its last checkpoint (rows after it, from a
  // chunk whose checkpoint never arrived, are computed again).
  _resumeRuns() {
    this._resumeOnReady = false;
    this._create(this._runs.map((r) => {
      if (!r.state) return { a0: r.a0, b0: r.b0 };
      const keep = r.hist.epoch.filter((e) => e <= r.state.epoch).length;
      return { a0: r.a0, b0: r.b0, resume: { ...r.state, history: Object.fromEntries(COLUMNS.map((k) => [k, r.hist[k].slice(0, keep)])) } };
    }), 'Resuming…');
  }

  // Asks the worker for new runs of this._cfg, one per {a0, b0, resume?}; 'created' answers.
  _create(runs, status) {
    this._gen++;
    this._pendingRuns = runs.map(({ a0, b0, resume }, i) => ({ id: `${this._gen}:${i}`, cfg: { ...this._cfg, a0, b0 }, resume }));
    this._runs = [];
    this._post({ type: 'create', runs: this._pendingRuns, budget: MEMORY_BUDGET, workers: this._workersSet });
    this._status(status, true);
  }

  _post(msg) {
    this._worker?.postMessage(msg);
  }

  _onMessage(msg) {
    const run = msg.id !== undefined ? this._runs.find((r) => r.id === msg.id) : null;
    if (msg.id !== undefined && !run && msg.type !== 'created') return; // stale: from a previous configuration
    switch (msg.type) {
      case 'ready':
        if (!this._form) {
          this._fields = FIELDS;
          this._defaults = DEFAULTS;
          this._form = new SettingsForm(this._$('form'), this._fields, (name, text) => this._onFieldText(name, text));
          this._applyAttributes();
        } else if (this._resumeOnReady) this._resumeRuns();
        else if (this._cfg) this._configure(this._cfg);
        else this._applyAttributes();
        break;
      case 'pong':
        break;
      case 'parsed':
        this._parsing.get(msg.seq)?.(msg);
        this._parsing.delete(msg.seq);
        break;
      case 'created':
        this._onCreated(msg);
        break;
      case 'invalid':
        this._runs = [];
        this._playing = false;
        this._showPlaying();
        this._form.setError(msg.field, msg.message);
        this._alert(`Not started: ${msg.message}`);
        this._status(`Not started: ${msg.message}`, true);
        break;
      case 'rows':
        this._onRows(run, msg);
        break;
      case 'weights':
        if (run === this._runs[0]) this._views.setWeights(msg.w);
        break;
      case 'mesa':
        if (run === this._runs[0]) this._views.setMesa(msg.mesa);
        break;
      case 'diverged':
        this._onDiverged(run, msg);
        break;
      case 'playing':
        this._playing = true;
        this._showPlaying();
        break;
      case 'stopped':
        this._playing = false;
        if (msg.reason !== 'paused' && msg.reason !== 'reset') this._wantPlay = false;
        this._showPlaying();
        this._status(this._summary(), true);
        break;
      case 'error':
        if (msg.fatal) this._onFault(msg.message);
        else {
          this._alert(msg.message);
          this._status(msg.message, true);
        }
        break;
      default:
        break;
    }
  }

  // --- configuration ------------------------------------------------------------------------
  // Field values are parsed by the core (in the worker: the same set_field as the CLI's options
  // and the JS API's config objects), so every message reads the same everywhere.
  _parse(pairs) {
    const seq = ++this._parseSeq;
    return new Promise((resolve) => {
      this._parsing.set(seq, resolve);
      this._post({ type: 'parse', seq, pairs });
    });
  }

  async _applyAttributes() {
    const names = new Set(MesaflowDemo.observedAttributes);
    const pairs = this.getAttributeNames().filter((n) => names.has(n)).map((n) => [n, this.getAttribute(n)]);
    const { texts, extras } = readPairs(pairs);
    const mine = ++this._attrSeq;
    const { explicit, errors } = await this._parse(texts);
    if (mine !== this._attrSeq) return; // newer attributes are on their way
    this._form.clearErrors();
    const messages = errors.map((e) => e.message);
    for (const e of errors) this._form.setError(e.field, e.message);
    const bad = (key, text, expected) => messages.push(`${key}: ${quoted(text)} is not valid; expected ${expected}`);
    if (extras.preset !== undefined && !PRESETS[extras.preset]) bad('preset', extras.preset, `one of ${Object.keys(PRESETS).join(', ')}`);
    this._preset = PRESETS[extras.preset] ? extras.preset : DEFAULT_PRESET;
    this._compare = isOn(extras.compare);
    if (extras.compare !== undefined && !this._compare && !isOff(extras.compare)) bad('compare', extras.compare, 'true or false');
    this._workersSet = null;
    if (extras.workers !== undefined && String(extras.workers).trim() !== 'auto') {
      const n = Number(String(extras.workers).trim());
      if (/^\s*\d+\s*$/.test(extras.workers) && n >= 1 && n <= 32) this._workersSet = n;
      else bad('workers', extras.workers, 'auto or an integer in [1, 32]');
    }
    this._explicit = explicit;
    this._configure(resolveConfig(this._preset, explicit), messages);
  }

  // A settings-form edit: text as typed, parsed by the core.
  async _onFieldText(name, text) {
    const mine = (this._formSeq[name] = (this._formSeq[name] ?? 0) + 1);
    const { explicit, errors } = await this._parse([[name, text]]);
    if (mine !== this._formSeq[name]) return;
    if (errors.length) return this._form.setError(name, errors[0].message);
    this._form.setError(name, '');
    this._explicit[name] = explicit[name];
    this._configure(resolveConfig(this._preset, this._explicit));
  }

  _configure(cfg, messages = []) {
    this._cfg = cfg;
    this._form.show(cfg);
    this._$('preset').value = this._preset;
    this._$('compare').checked = this._compare;
    this._alert(messages.join(' '));
    const inits = [[cfg.a0, cfg.b0]];
    if (this._compare && cfg.init === 'diagonal') {
      for (const p of PAPER_INITS) if (inits.length < 3 && !inits.some((q) => q[0] === p[0] && q[1] === p[1])) inits.push(p);
    }
    this._lastStepEpoch = -1;
    this._create(inits.map(([a0, b0]) => ({ a0, b0 })), 'Preparing the data…');
  }

  _onCreated(msg) {
    if (!this._pendingRuns || msg.runs[0].id !== this._pendingRuns[0].id) return;
    this._runs = msg.runs.map((r, i) => {
      const { a0, b0 } = this._pendingRuns[i].cfg;
      return { id: r.id, a0, b0, label: `(${a0}, ${b0})`, colour: RUN_COLOURS[i], theory: r.theory, ode: r.ode,
        hist: Object.fromEntries(COLUMNS.map((k) => [k, []])), diverged: false };
    });
    this._pendingRuns = null;
    this._workersUsed = msg.workers;
    this._views.setup(this._cfg, this._runs);
    this._views.setSamples(msg.samples);
    this._fillCoordSelect(msg.samples.d);
    this._fillTexts(this._runs[0].theory);
    this._dirty();
    this.dispatchEvent(new CustomEvent('mesaflow-config', { detail: { params: this.params, config: this.config }, bubbles: true, composed: true }));
    if (this._wantPlay) this.play();
    else this._status(this._summary(), true);
  }

  _onRows(run, msg) {
    run.epoch = msg.epoch;
    if (msg.state) run.state = msg.state;
    const first = run === this._runs[0];
    const n = msg.rows.epoch.length;
    for (let i = 0; i < n; i++) {
      for (const k of COLUMNS) run.hist[k].push(msg.rows[k][i]);
      if (first && msg.rows.epoch[i] > this._lastStepEpoch) {
        this._lastStepEpoch = msg.rows.epoch[i];
        const r = msg.rows;
        this.dispatchEvent(new CustomEvent('mesaflow-step', { detail: { epoch: r.epoch[i], ab: r.ab[i], trainLoss: r.train_loss[i],
          testLoss: r.test_loss[i], ratio: r.ratio[i], lastMse: r.last_mse[i] }, bubbles: true, composed: true }));
      }
    }
    this._dirty();
    this._status(this._summary(), !this._playing);
  }

  _onDiverged(run, msg) {
    run.diverged = true;
    this._wantPlay = false;
    const d = msg.divergence;
    const why = d ? `: ${d.why}; the step size lr = ${num(d.lr, 3)} is too large for this setting` : '';
    const text = `Training paused: the run with (a0, b0) = ${run.label} diverged at epoch ${msg.epoch}${why}. Try a smaller step size, e.g. lr = ${num(d ? d.suggested_lr : this._cfg.lr / 10, 2)}.`;
    this._alert(text);
    this._status(text, true);
    this.dispatchEvent(new CustomEvent('mesaflow-diverged', { detail: { epoch: msg.epoch, message: msg.message, a0: run.a0, b0: run.b0 }, bubbles: true, composed: true }));
  }

  // --- drawing and text ---------------------------------------------------------------------
  _dirty() {
    if (this._frame) return;
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      if (this._runs.length) this._views.draw();
    });
  }

  _summary() {
    const r = this._runs[0];
    if (!r) return '';
    const h = r.hist;
    const i = h.epoch.length - 1;
    const th = r.theory;
    if (i < 0) return `ready: ${this._cfg.epochs} epochs to train; c*(T) = ${num(th.c_star_T)}; recovery predicted: ${th.recovery ? 'yes' : 'no'}. Press Play.`;
    const ab = h.ab[i];
    const state = this._runs.some((x) => x.diverged) ? 'diverged' : this._playing ? 'training' : h.epoch[i] >= this._cfg.epochs ? 'finished' : 'paused';
    const emp = th.c_star_empirical;
    const off = ` (theory: c*(T) = ${num(th.c_star_T)}${Number.isFinite(emp) ? `, optimum for this training set ${num(emp)}` : ''})`;
    const last = this._cfg.x1 === 'sparse' ? `last-position MSE ${num(h.last_mse[i])}` : `ratio ${num(h.ratio[i])}`;
    const at = r.epoch > h.epoch[i] ? ` (last evaluated at epoch ${h.epoch[i]})` : '';
    return `${state}: epoch ${r.epoch ?? h.epoch[i]} of ${this._cfg.epochs}${at}; ab = ${num(ab)}${off}; test loss ${num(h.test_loss[i])}; ${last}; recovery predicted: ${th.recovery ? 'yes' : 'no'}.`;
  }

  _status(text, force) {
    if (!force && performance.now() - this._lastStatus < STATUS_EVERY_MS) return;
    this._lastStatus = performance.now();
    this._$('status').textContent = text;
  }

  _alert(text) {
    const a = this._$('alert');
    a.textContent = text;
    a.hidden = !text;
  }

  _showPlaying() {
    const b = this._$('play');
    b.textContent = this._playing ? 'Pause' : 'Play';
    b.setAttribute('aria-pressed', String(this._playing));
  }

  _fillTexts(th) {
    for (const view of ['ab', 'ratio', 'loss', 'weights', 'mesa', 'samples']) {
      const { node, slots } = explanation(view);
      const set = (k, v) => slots[k] && (slots[k].textContent = v);
      set('cstarT', num(th.c_star_T));
      set('cstarInf', num(th.c_star_inf));
      set('recovery', th.recovery ? 'yes' : 'no');
      set('momentRatio', num(th.moment_ratio));
      set('ratioPred', this._cfg.x1 === 'sparse' ? (th.recovery ? 'MSE → 0' : 'MSE > 0') : `ratio → ${num(th.ratio_pred)}`);
      this._$(`text-${view}`).replaceChildren(node);
    }
  }

  _fillCoordSelect(d) {
    const sel = this._$('coord');
    const keep = Math.min(Number(sel.value) || 0, d - 1);
    sel.replaceChildren(...Array.from({ length: d }, (_, j) => new Option(`j = ${j + 1}`, String(j))));
    sel.value = String(keep);
    this._views.coord = keep;
  }

  _bindControls() {
    const $ = this._$;
    const presetSel = $('preset');
    for (const [name, p] of Object.entries(PRESETS)) presetSel.append(new Option(p.label, name));
    $('play').addEventListener('click', () => (this._playing ? this.pause() : this.play()));
    $('step').addEventListener('click', () => this.step());
    $('reset').addEventListener('click', () => this.reset());
    $('resume').addEventListener('click', () => this.resume());
    $('restart').addEventListener('click', () => this._restart(false));
    $('speed').addEventListener('change', () => this._post({ type: 'speed', speed: Number($('speed').value) }));
    presetSel.addEventListener('change', () => {
      this._preset = presetSel.value;
      this._explicit = {};
      this._form.clearErrors();
      this._configure(resolveConfig(this._preset, {}));
    });
    $('compare').addEventListener('change', () => {
      this._compare = $('compare').checked;
      this._configure(this._cfg);
    });
    $('wmode').addEventListener('change', () => {
      this._views.wmode = $('wmode').value;
      this._views.drawWeights();
    });
    $('coord').addEventListener('change', () => {
      this._views.coord = Number($('coord').value);
      this._views.drawSamples();
    });
    const runsOut = () => this._runs.map((r) => ({ a0: r.a0, b0: r.b0, theory: r.theory, history: r.hist }));
    // export.js is loaded on the first download.
    $('csv').addEventListener('click', async () => (await import('./export.js')).saveCSV(`mesaflow-${this._preset}`, runsOut()));
    $('json').addEventListener('click', async () => (await import('./export.js')).saveJSON(`mesaflow-${this._preset}`, this.config, runsOut()));
    this._root.addEventListener('click', (e) => {
      const id = e.target.closest?.('[data-png]')?.dataset.png;
      if (id && this._runs.length) this._views.png(id, `mesaflow-${this._preset}`);
    });
  }
}

if (!customElements.get('mesaflow-demo')) customElements.define('mesaflow-demo', MesaflowDemo);
