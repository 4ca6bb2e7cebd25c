// Main thread. The custom element <mesaflow-demo>: public API, attributes, rendering of its store.
// <mesaflow-demo>: the whole demo as one custom element (shadow root, no globals).
// Attributes: every config field by its CLI name, lower-cased (t for T; the rows of mf.fields(),
// generated into fields.js), plus preset, compare, controls="hide", text="hide", workers (Web
// Workers that compute the sums; default: every worker of the page's pool, one per core up to 8,
// for settings where that pays; at most the pool's; 1: the single-worker path; the numbers are
// the same bits either way). Every demo of a page shares that pool (pool/page-pool.js).
// Methods, properties and events (mesaflow-step, -diverged, -config, -fault, -data, -file-error,
// -comparison) are declared and described in site/package/mesaflow-demo.d.ts (the package's types).
import { TEMPLATE } from './template.js';
import { Views } from '../views/views.js';
import { SettingsForm, showPreset, bindToolbar } from './settings-form.js';
import { fillHints } from '../views/hints.js';
import { Progress } from '../views/progress.js';
import { FIELDS, FIELD_ATTRS, EXTRA_KEYS } from '../model/config-text.js';
import { Settings } from './settings.js';
import { toWorker } from '../model/protocol.js';
import { WorkerClient } from './trainer-client.js';
import { pagePool } from '../pool/page-pool.js';
import { StatusLine, summary, divergedText, preparing } from '../views/status.js';
import { Runs, copyHistory, emptyHistory, copyOf } from '../model/runs.js';
import { Edits } from './live-edits.js';
import { Faults } from './faults.js';
import { Measure } from './capability-client.js';
import { DataSource } from './data-source.js';
import { VERSION } from '../version.js';

class MesaflowDemo extends HTMLElement {
  static get observedAttributes() {
    return [...FIELD_ATTRS, ...EXTRA_KEYS];
  }

  constructor() {
    super();
    this._root = this.attachShadow({ mode: 'open' });
    this._root.innerHTML = TEMPLATE; // constant markup, see element/template.js
    this._$ = (id) => this._root.getElementById(id);
    this._runs = new Runs();
    this._playing = false;
    this._wantPlay = false;
    this._workersUsed = 0;
    this._fault = null; // {message, wantPlay, resumable} after the worker died, until resume() or reset()
    this._resumeOnConnect = false;
    this._attrsStale = false; // attributes changed while no worker could parse them
    this._views = new Views(this._root);
    this._form = new SettingsForm(this._$('form'), FIELDS, (name, text) => this._edits.edit(name, text), { play: this._$('play'), why: this._$('play-why'), mirrors: { precision: this._$('precision-pick') } });
    this._progress = new Progress(this._$('progress'), this._$('progress-text'));
    this._held = false; // a demo in view on this page trains on this one's workers (pool/page-pool.js)
    this._status = new StatusLine(this._$('status'), () => summary(this._runs.list, this._cfg, this._playing, this._views.sparse, this._held));
    this._client = new WorkerClient(this._handlers(), this);
    this._settings = new Settings(this._client, this._form);
    this._edits = new Edits(this);
    this._faults = new Faults(this);
    this._measure = new Measure(this._views, this);
    this._source = new DataSource(this);
    bindToolbar(this);
    this._ro = new ResizeObserver(() => this._views.cfg && requestAnimationFrame(() => this._views.resize()));
  }

  connectedCallback() {
    if (!this._client.running && !this._fault) {
      this._client.start();
      if (this._resumeOnConnect) this._resumeRuns();
    }
    this._ro.observe(this);
  }

  // Moved in the DOM (disconnected, then connected): the new worker resumes the runs.
  disconnectedCallback() {
    this._ro.disconnect();
    this._client.stop();
    this._measure.stop();
    this._held = false;
    this._resumeOnConnect = this._runs.resumable;
    this._playing = false;
  }

  attributeChangedCallback(name) {
    if (name === 'controls' || name === 'text') return; // pure CSS, see demo.css
    if (!this._client.ready) this._attrsStale = true;
    else if (!this._attrsQueued) {
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
      return this._faults.restart(this._fault.resumable);
    }
    if (this._runs.first && this._runs.allDone && !this._runs.list.some((r) => r.diverged)) {
      const text = `Finished: all ${this._cfg.epochs} epochs are trained. Raise epochs in the settings to train further from here, or Reset to train again from epoch 0.`;
      this._alert(text);
      return this._status.say(text);
    }
    this._wantPlay = true;
    if (this._runs.first) this._client.post(toWorker.play(this._speed()));
  }

  pause() {
    this._wantPlay = false;
    this._client.post(toWorker.pause());
  }

  step() {
    this._wantPlay = false;
    this._client.post(toWorker.step());
  }

  reset() {
    if (this._fault) return this._faults.restart(false);
    if (this._cfg) this._configure(this._cfg);
  }

  // After a fault: a new worker goes on from each run's last checkpoint (at most one chunk of
  // epochs is computed again), with the numbers the uninterrupted run would have had.
  resume() {
    if (this._fault) this._faults.restart(true);
  }

  // Train on a .npy file (File, Blob, ArrayBuffer or typed array; test: a test set, else a tenth is
  // held out): resolves to the data description, or rejects with the command line's message
  // (e.field 'data' or 'test-data'); a refused file changes nothing.
  async useData(npy, options) {
    const { info, problem } = await this._source.open(npy, options);
    if (problem) throw Object.assign(new Error(problem.message), { field: problem.field, fields: problem.fields });
    return info;
  }

  useGeneratedData() {
    this._source.useGenerated();
  }

  // Draws a run document of the command line (a File, its text or the parsed object) beside the
  // runs in the charts; null removes it. Resolves to the comparison, or rejects saying what is wrong.
  compareWith(run, name) {
    return this._source.compare(run, name);
  }

  get data() {
    return this._source.describe();
  }

  get comparison() {
    return this._source.comparison;
  }

  // mesaflow's version (package.json's, written at build time; the module's mf.version is the same).
  get version() {
    return VERSION;
  }

  // The first run's history (the CLI's arrays, and the changes made while it trained).
  get history() {
    const r = this._runs.first;
    return r ? { ...copyHistory(r.hist), changes: r.changes.map((c) => ({ ...c })) } : { ...emptyHistory(), changes: [] };
  }

  // Every run: [{a0, b0, label, history, theory, ode}].
  get runs() {
    return this._runs.copies();
  }

  // Theory of the first run (s.theory()): c_star_T, c_star_inf, ratio_pred, recovery, ...
  get theory() {
    return this._runs.first ? copyOf(this._runs.first.theory) : null;
  }

  // ODE curve of ab for the first run, every `stride`-th epoch (empty for init 'gaussian').
  get odeCurve() {
    return this._runs.first ? copyOf(this._runs.first.ode) : null;
  }

  // Epochs trained so far by the first run (its newest history row may be one evaluation behind).
  get epoch() {
    return this._runs.first?.epoch ?? 0;
  }

  // Web Workers computing the current runs' sums (1: the single-worker path).
  get workers() {
    return this._workersUsed;
  }

  // What the demos of this page cost together (they share one pool of workers, pool/page-pool.js):
  // {workers (live), size (the pool's: one per core, at most 8), bytes (allocated by all runs),
  // budget (the page's), tenants, playing (training now), held (waiting for a demo in view)}.
  get pageCost() {
    return pagePool().stats;
  }

  get config() {
    return this._cfg ? { ...this._cfg } : null;
  }

  // The configuration as URL parameters (human-readable keys = attribute names).
  get params() {
    const hidden = ['controls', 'text'].filter((k) => this.getAttribute(k) === 'hide');
    return this._cfg ? this._settings.params(this._cfg, hidden) : '';
  }

  // --- the training worker ------------------------------------------------------------------
  _handlers() {
    const first = (msg) => msg.id === this._runs.first?.id;
    return {
      ready: () => {
        if (this._client.version !== VERSION) this._alert(`This element is mesaflow ${VERSION} but its WebAssembly module says ${this._client.version}: serve the files of one version together.`);
        return this._cfg && !this._attrsStale ? this._configure(this._cfg) : this._applyAttributes();
      },
      created: (msg, specs) => this._onCreated(msg, specs),
      invalid: ({ problem }) => {
        this._runs.clear();
        this._playing = false;
        this._showPlaying();
        this._form.setConfigProblem(problem);
        this._alert(`Not started: ${problem.message}`);
        this._status.say(`Not started: ${problem.message}`);
      },
      rows: (msg) => this._onRows(msg),
      changed: (msg) => this._edits.changed(msg),
      refused: ({ problem }) => this._edits.refused(problem),
      weights: (msg) => {
        const run = this._runs.byId(msg.id);
        if (run) run.weights = msg.weights;
        if (run) this._views.setWeights(run.index, msg.weights);
      },
      mesa: (msg) => first(msg) && this._views.setMesa(msg.mesa),
      diverged: (msg) => this._onDiverged(msg),
      playing: () => {
        this._playing = true;
        this._showPlaying();
        if (this._held) this._status.refresh(true); // says it waits, before any epoch
      },
      stopped: ({ reason }) => {
        this._playing = false;
        if (reason !== 'paused' && reason !== 'reset') this._wantPlay = false;
        this._showPlaying();
        if (reason !== 'reset') this._status.refresh(true); // reset: new runs are on their way
        if (reason !== 'reset') this._progress.update(this._runs.list, false);
      },
      error: ({ message }) => {
        this._alert(message);
        this._status.say(message);
      },
      held: (on) => {
        this._held = on;
        this._status.refresh(true);
      },
      fault: (reason) => this._faults.fault(reason),
      blocked: (message) => this._faults.blocked(message),
    };
  }

  // New runs for the current ones, each going on from its last checkpoint.
  _resumeRuns() {
    this._resumeOnConnect = false;
    this._create(this._runs.resumeSpecs(), 'Resuming…');
  }

  // New runs of this._cfg, one per {a0, b0, resume?}; the worker answers 'created' or 'invalid'.
  _create(specs, status) {
    this._runs.clear();
    this._client.create(this._cfg, specs, this._settings.workers, this._source.payload);
    this._status.say(status);
  }

  // --- configuration ------------------------------------------------------------------------
  async _applyAttributes() {
    this._attrsStale = false;
    const names = new Set(MesaflowDemo.observedAttributes);
    const read = await this._settings.read(this.getAttributeNames().filter((n) => names.has(n)).map((n) => [n, this.getAttribute(n)]));
    if (!read) {
      if (!this._client.ready) this._attrsStale = true; // read them again once a worker is ready
      return;
    }
    this._alert(read.messages.join(' '));
    // A script's setAttribute('lr', ...) while training goes on, other fields restart with a note;
    // a link (element/url-sync.js), or another compare or workers, sets up new runs.
    const link = this._nextIsLink;
    this._nextIsLink = false;
    const same = this._settings.compare === this._shown?.compare && this._settings.workers === this._shown?.workers;
    if (this._runs.first && !this._fault && !link && !read.messages.length && same) this._edits.apply(read.cfg, null, false);
    else this._configure(read.cfg, read.messages);
  }

  _configure(cfg, messages = []) {
    this._cfg = cfg;
    this._shown = { compare: this._settings.compare, workers: this._settings.workers };
    this._form.show(cfg);
    showPreset(this._$('preset'), this._settings.preset, cfg);
    this._$('compare').checked = this._settings.compare;
    this._alert(messages.join(' '));
    this._runs.clear(true);
    const inits = this._settings.inits(cfg);
    this._progress.reset(cfg.epochs, inits.length, true);
    this._create(inits, preparing(cfg, inits.length, this._source.info?.name));
  }

  _onCreated(msg, specs) {
    this._runs.created(msg, specs);
    this._form.setConfigProblem(null);
    this._workersUsed = msg.workers;
    this._views.setup(this._cfg, this._runs.list, msg.capability);
    this._views.setSamples(msg.samples);
    fillHints(this._root, this._cfg, this._runs.first.theory);
    this._progress.reset(this._cfg.epochs, this._runs.list.length);
    this._dirty();
    this._emit('mesaflow-config', { params: this.params, config: this.config });
    this._$('copy-link').hidden = location.hash !== `#${this.params}`; // a page that keeps the hash in step
    if (this._wantPlay) this.play();
    else this._status.refresh(true);
  }

  _onRows(msg) {
    for (const detail of this._runs.append(msg)) this._emit('mesaflow-step', detail);
    this._progress.update(this._runs.list, this._playing);
    this._dirty();
    // While training, at most every 2 s; the moment every run is done, at once.
    this._status.refresh(!this._playing || this._runs.allDone);
  }

  _onDiverged(msg) {
    const run = this._runs.byId(msg.id);
    if (!run) return;
    run.diverged = true;
    this._wantPlay = false;
    const text = divergedText(run, msg, this._cfg);
    this._alert(text);
    this._status.say(text);
    this._emit('mesaflow-diverged', { run: run.index, a0: run.a0, b0: run.b0, epoch: msg.epoch, message: msg.message });
  }

  // --- drawing and text ---------------------------------------------------------------------
  _emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  _speed() {
    return Number(this._$('speed').value);
  }

  _dirty() {
    if (this._frame) return;
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      if (this._runs.first) this._views.draw();
    });
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
}

if (!customElements.get('mesaflow-demo')) customElements.define('mesaflow-demo', MesaflowDemo);
