// Main thread. The custom element <mesaflow-demo>: public API, attributes, rendering of its store.
// <mesaflow-demo>: the whole demo as one custom element (shadow root, no globals).
// Attributes: every config field by its CLI name, lower-cased (t for T; the rows of mf.fields(),
// generated into fields.js), plus preset, compare, controls="hide", text="hide", workers (Web
// Workers that compute the sums; default: every worker of the page's pool, one per core up to 8,
// for settings where that pays; at most the pool's; 1: the single-worker path; the numbers are
// the same bits either way). Every demo of a page shares that pool (pool/page-pool.js).
// Methods, properties and events (mesaflow-step, -diverged, -config, -fault, -data, -file-error,
// -comparison) are declared and described in site/package/mesaflow-demo.d.ts (the package's types).
// Its state is its store's (element/store.js); the controllers (live edits, faults, data, the
// toolbar, the capability points) get the narrow API of #controllerApi, not the element's fields.
// Attribute changes and method calls are commands applied in the order they are made.
import { TEMPLATE } from './template.js';
import { Views } from '../views/views.js';
import { SettingsForm, showPreset, linkNote } from './settings-form.js';
import { bindToolbar } from './toolbar.js';
import { fillHints } from '../views/hints.js';
import { Progress } from '../views/progress.js';
import { FIELDS, FIELD_ATTRS, EXTRA_KEYS } from '../model/config-text.js';
import { Settings } from './settings.js';
import { toWorker } from '../model/protocol.js';
import { WorkerClient } from './trainer-client.js';
import { pagePool } from '../pool/page-pool.js';
import { StatusLine, summary, divergedText, preparing } from '../views/status.js';
import { copyHistory, emptyHistory, copyOf } from '../model/runs.js';
import { Store } from './store.js';
import { takeLinkMark, takeLinkNotes } from './url-sync.js';
import { Edits } from './live-edits.js';
import { Faults } from './faults.js';
import { Measure } from './capability-client.js';
import { DataSource } from './data-source.js';
import { VERSION } from '../version.js';
import { withheld } from '../model/claims.js';

// Attributes of presentation only (not the configuration): which cards to show (views="ab,mesa"),
// a compact layout for a course page, and autoplay (starts when first in view, unless the reader
// asks for reduced motion). controls="hide" and text="hide" are CSS too (demo.css).
const PRESENTATION = ['views', 'compact', 'autoplay'];
export const VIEW_NAMES = ['ab', 'ratio', 'loss', 'weights', 'mesa', 'sequence', 'capability', 'structure'];

// Checked against the package's declarations (site/typecheck.mjs stages them at this path).
/** @typedef {import('../../mesaflow-demo.js').MesaflowDemoElement} MesaflowDemoElement */
/** @typedef {import('../../mesaflow-demo.js').RunHistory} RunHistory */
/** @typedef {import('../../mesaflow-demo.js').Run} Run */
/** @typedef {import('../../mesaflow-demo.js').OdeCurve} OdeCurve */
/** @typedef {import('../../mesaflow-demo.js').Comparison} Comparison */
/** @typedef {import('../../lib/mesaflow.js').Theory} Theory */
/** @implements {MesaflowDemoElement} */
class MesaflowDemo extends HTMLElement {
  static get observedAttributes() {
    return [...FIELD_ATTRS, ...EXTRA_KEYS, ...PRESENTATION];
  }

  #root;
  #store;
  #views;
  #form;
  #progress;
  #status;
  #client;
  #edits;
  #faults;
  #measure;
  #source;
  #ro;
  #frame = 0;
  #updateQueued = false;
  #applyQueued = false;
  #autoplay = null;
  #autoplayed = false;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    this.#root.innerHTML = TEMPLATE; // constant markup, see element/template.js
    const $ = (id) => this.#root.getElementById(id);
    this.#views = new Views(this.#root);
    this.#form = new SettingsForm($('form'), FIELDS, (name, text) => this.#store.command(() => this.#edits.edit(name, text)),
      { play: $('play'), why: $('play-why'), mirrors: { precision: $('precision-pick') } });
    // What the demo is set to, checked on the page by the core's rules (element/settings.js): the store's.
    const store = (this.#store = new Store(this, new Settings(this.#form)));
    this.#progress = new Progress($('progress'), $('progress-text'));
    this.#status = new StatusLine($('status'), $('status-live'), () => summary(store.runs.list, store.cfg, store.playing, this.#views.sparse, store.held));
    this.#client = new WorkerClient(this.#handlers(), this, () => store.training);
    const api = this.#controllerApi($);
    this.#edits = new Edits(api);
    this.#faults = new Faults(api);
    this.#measure = new Measure(this.#views, this);
    this.#source = new DataSource(api);
    bindToolbar(api);
    this.#ro = new ResizeObserver(() => this.#views.cfg && requestAnimationFrame(() => this.#views.resize()));
  }

  // What the controllers may use: the store (state, and its methods to change it), the parts of
  // the element they drive, and what they ask of it; no field of the element.
  #controllerApi($) {
    return {
      root: this.#root,
      $,
      store: this.#store,
      client: this.#client,
      form: this.#form,
      views: this.#views,
      events: this, // drag and drop on the element
      element: this, // its public API (play, pause, ..., params, config, epoch)
      edits: () => this.#edits,
      faults: () => this.#faults,
      emit: (name, detail) => this.#emit(name, detail),
      alert: (text) => this.#alert(text),
      say: (text) => this.#status.say(text),
      refresh: (now) => this.#status.refresh(now),
      configure: (cfg, messages) => this.#configure(cfg, messages),
      resumeRuns: () => this.#resumeRuns(),
      dirty: () => this.#dirty(),
      speed: () => this.#speed(),
      dataFile: () => this.#source.payload,
    };
  }

  // Test hook (read only): the views, for the browser tests that look at what is drawn.
  get _views() {
    return this.#views;
  }

  // Lit's ReactiveControllerHost shape: the store asks for a render after each change; the parts
  // that show the state are rendered once per task.
  requestUpdate() {
    if (this.#updateQueued) return;
    this.#updateQueued = true;
    queueMicrotask(() => {
      this.#updateQueued = false;
      this.#update();
    });
  }

  #update() {
    const training = this.#store.training;
    const b = this.#root.getElementById('play');
    b.textContent = training ? 'Pause' : 'Play';
    b.setAttribute('aria-pressed', String(training));
    this.#client.changed(); // the page's pool holds demos out of view for this one, or lets them go
  }

  connectedCallback() {
    if (!this.#client.running && !this.#store.fault) {
      this.#client.start();
      if (this.#store.resumeOnConnect) this.#resumeRuns();
    }
    this.#ro.observe(this);
    this.#presentation();
    this.#watchAutoplay();
  }

  // views: the cards shown (a comma- or space-separated list of VIEW_NAMES; an unknown name is
  // said in the element's alert, naming the attribute and the allowed names).
  #presentation() {
    const demo = /** @type {HTMLElement} */ (this.#root.querySelector('.demo'));
    const raw = this.getAttribute('views');
    const names = raw == null ? [] : raw.split(/[\s,]+/).filter(Boolean);
    const bad = names.filter((n) => !VIEW_NAMES.includes(n));
    if (bad.length) this.#alert(`views: '${bad.join(', ')}' is not a view; allowed: ${VIEW_NAMES.join(', ')}.`);
    else if (this.#root.getElementById('alert').textContent.startsWith('views: ')) this.#alert(''); // fixed
    const ok = names.filter((n) => VIEW_NAMES.includes(n));
    if (ok.length) demo.dataset.views = ok.join(' ');
    else delete demo.dataset.views;
    requestAnimationFrame(() => this.#views.cfg && this.#views.resize());
  }

  // autoplay: Play once the element is a quarter in view, unless prefers-reduced-motion (then the
  // status asks for Play as without autoplay).
  #watchAutoplay() {
    this.#autoplay?.disconnect();
    this.#autoplay = null;
    if (!this.hasAttribute('autoplay') || this.#autoplayed) return;
    if (matchMedia('(prefers-reduced-motion: reduce)').matches) return;
    this.#autoplay = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      this.#autoplay?.disconnect();
      this.#autoplay = null;
      this.#autoplayed = true;
      if (!this.#store.training && !this.#store.finished) this.play();
    }, { threshold: 0.25 });
    this.#autoplay.observe(this);
  }

  // Moved in the DOM (disconnected, then connected): the new worker resumes the runs.
  disconnectedCallback() {
    this.#ro.disconnect();
    this.#autoplay?.disconnect();
    this.#client.stop();
    this.#measure.stop();
    this.#store.setHeld(false);
    this.#store.setResumeOnConnect(this.#store.runs.resumable);
  }

  // The attributes changed in one task are read together, as one command, after the commands
  // made before (a play() right after a setAttribute comes after it: see Store.command).
  attributeChangedCallback(name) {
    if (name === 'controls' || name === 'text') return; // pure CSS, see demo.css
    if (name === 'views' || name === 'compact') return this.isConnected && this.#presentation();
    if (name === 'autoplay') return this.isConnected && this.#watchAutoplay();
    if (!this.#client.ready) return this.#store.setAttrsStale(true);
    if (this.#applyQueued) return;
    this.#applyQueued = true;
    this.#store.command(async () => {
      await null; // the other attributes set in this task
      this.#applyQueued = false;
      await this.#applyAttributes();
    });
  }

  // --- public API ---------------------------------------------------------------------------
  play() {
    this.#store.command(() => this.#play());
  }

  pause() {
    this.#store.command(() => {
      this.#store.pause();
      this.#client.post(toWorker.pause());
    });
  }

  // One epoch of every run; while training, nothing (the worker steps only paused runs).
  step() {
    this.#store.command(() => {
      if (this.#store.training) return;
      this.#store.pause();
      this.#client.post(toWorker.step());
    });
  }

  reset() {
    this.#store.command(() => {
      if (this.#store.fault) return this.#faults.restart(false);
      if (this.#store.cfg) this.#configure(this.#store.cfg);
    });
  }

  // After a fault: a new worker goes on from each run's last checkpoint (at most one chunk of
  // epochs is computed again), with the numbers the uninterrupted run would have had.
  resume() {
    this.#store.command(() => this.#store.fault && this.#faults.restart(true));
  }

  // Train on a .npy file (File, Blob, ArrayBuffer or typed array; test: a test set, else a tenth is
  // held out): resolves to the data description, or rejects with the command line's message
  // (e.field 'data' or 'test-data'); a refused file changes nothing.
  async useData(npy, options) {
    const { info, problem } = await this.#store.command(() => this.#source.open(npy, options));
    if (problem) throw Object.assign(new Error(problem.message), { field: problem.field, fields: problem.fields });
    return info;
  }

  useGeneratedData() {
    this.#store.command(() => this.#source.useGenerated());
  }

  // Draws a run document of the command line (a File, its text or the parsed object) beside the
  // runs in the charts; null removes it. Resolves to the comparison, or rejects saying what is wrong.
  compareWith(run, name) {
    return this.#store.command(() => this.#source.compare(run, name));
  }

  get data() {
    return this.#source.describe();
  }

  /** @returns {Comparison | null} */
  get comparison() {
    return /** @type {Comparison | null} */ (this.#source.comparison);
  }

  // mesaflow's version (package.json's, written at build time; the module's mf.version is the same).
  get version() {
    return VERSION;
  }

  // The first run's history (the CLI's arrays, and the changes made while it trained).
  /** @returns {RunHistory} */
  get history() {
    const r = this.#store.runs.first;
    // Built from model/runs.js's COLUMNS: the declared RunHistory's columns.
    return /** @type {RunHistory} */ (r ? { ...copyHistory(r.hist), changes: r.changes.map((c) => ({ ...c })) } : { ...emptyHistory(), changes: [] });
  }

  // Every run: [{a0, b0, label, history, theory, ode}].
  /** @returns {Run[]} */
  get runs() {
    return /** @type {Run[]} */ (this.#store.runs.copies());
  }

  // Theory of the first run (s.theory()): c_star_T, c_star_inf, ratio_pred, recovery, ...
  /** @returns {Theory | null} */
  get theory() {
    return this.#store.runs.first ? /** @type {Theory} */ (copyOf(this.#store.runs.first.theory)) : null;
  }

  // ODE curve of ab for the first run, every `stride`-th epoch (empty for init 'gaussian').
  /** @returns {OdeCurve | null} */
  get odeCurve() {
    return this.#store.runs.first ? /** @type {OdeCurve} */ (copyOf(this.#store.runs.first.ode)) : null;
  }

  // Epochs trained so far by the first run (its newest history row may be one evaluation behind).
  get epoch() {
    return this.#store.runs.first?.epoch ?? 0;
  }

  // Web Workers computing the current runs' sums (1: the single-worker path).
  get workers() {
    return this.#store.workers;
  }

  // What the demos of this page cost together (they share one pool of workers, pool/page-pool.js):
  // {workers (live), size (the pool's: one per core, at most 8), bytes (allocated by all runs),
  // budget (the page's), tenants, playing (training now), held (waiting for a demo in view)}.
  get pageCost() {
    return pagePool().stats;
  }

  get config() {
    return this.#store.cfg ? { ...this.#store.cfg } : null;
  }

  // The configuration as URL parameters (human-readable keys = attribute names).
  get params() {
    const hidden = ['controls', 'text'].filter((k) => this.getAttribute(k) === 'hide');
    return this.#store.cfg ? this.#store.settings.params(this.#store.cfg, hidden) : '';
  }

  // Play: the runs train (new ones start playing once created); on runs that trained every epoch
  // it says what to do instead. After a fault, a new worker first.
  #play() {
    const store = this.#store;
    if (store.fault) {
      store.play();
      return this.#faults.restart(store.fault.resumable);
    }
    if (store.finished) {
      // Said once, in the status line (not in the alert as well).
      return this.#status.say(`Finished: all ${store.cfg.epochs} epochs are trained. Raise epochs in the settings to train further from here, or Reset to train again from epoch 0.`);
    }
    store.play();
    if (store.runs.first) this.#client.post(toWorker.play(this.#speed()));
  }

  // --- the training worker ------------------------------------------------------------------
  #handlers() {
    const store = this.#store;
    return {
      ready: () => {
        if (this.#client.version !== VERSION) this.#alert(`This element is mesaflow ${VERSION} but its WebAssembly module says ${this.#client.version}: serve the files of one version together.`);
        return store.cfg && !store.attrsStale ? this.#configure(store.cfg) : this.#applyAttributes();
      },
      created: (msg, specs) => this.#onCreated(msg, specs),
      invalid: ({ problem }) => {
        store.runs.clear();
        store.runsChanged();
        this.#progress.reset(0, 0); // no data are being drawn
        this.#form.setConfigProblem(problem);
        this.#alert(`Not started: ${problem.message}`);
        this.#status.say(`Not started: ${problem.message}`);
      },
      rows: (msg) => this.#onRows(msg),
      changed: (msg) => this.#edits.changed(msg),
      refused: ({ problem }) => this.#edits.refused(problem),
      weights: (msg) => {
        const run = store.runs.weights(msg);
        if (run) this.#views.setWeights(run.index, msg.weights);
      },
      mesa: (msg) => {
        const run = store.runs.byId(msg.id);
        if (run) this.#views.setMesa(msg.mesa, run.index); // the first run's; across depths each run's
      },
      diverged: (msg) => this.#onDiverged(msg),
      playing: () => {
        if (store.held) this.#status.refresh(true); // says it waits, before any epoch
      },
      stopped: ({ reason }) => {
        store.stopped(reason);
        if (reason !== 'reset') this.#status.refresh(true); // reset: new runs are on their way
        if (reason !== 'reset') this.#progress.update(store.runs.list, false, store.cfg?.epochs);
      },
      error: ({ message }) => {
        this.#alert(message);
        this.#status.say(message);
      },
      held: (on) => {
        store.setHeld(on);
        this.#status.refresh(true);
      },
      fault: (reason) => this.#faults.fault(reason),
      blocked: (message) => this.#faults.blocked(message),
    };
  }

  // New runs for the current ones, each going on from its last checkpoint.
  #resumeRuns() {
    this.#store.setResumeOnConnect(false);
    this.#create(this.#store.runs.resumeSpecs(), 'Resuming…');
  }

  // New runs of the store's cfg, one per {a0, b0, resume?}; the worker answers 'created' or 'invalid'
  // (or the page itself, 'invalid', for runs that would not fit).
  #create(specs, status) {
    this.#store.runs.clear();
    this.#store.runsChanged();
    this.#status.say(status, true); // first: a create the page refuses itself says so at once (element/trainer-client.js); transient: the first rows' summary replaces it at once
    this.#source.showSource(); // whether a W file is used (process fixed) or kept
    this.#client.create(this.#store.cfg, specs, this.#store.settings.workers, this.#source.payload);
  }

  // --- configuration ------------------------------------------------------------------------
  async #applyAttributes() {
    const store = this.#store;
    store.setAttrsStale(false);
    const names = new Set([...FIELD_ATTRS, ...EXTRA_KEYS]);
    const read = this.#store.settings.read(this.getAttributeNames().filter((n) => names.has(n)).map((n) => [n, this.getAttribute(n)]));
    const link = takeLinkMark(this);
    const said = link ? takeLinkNotes(this) : []; // a repeated URL key (element/url-sync.js)
    this.#alert([...read.messages, ...said].join('\n')); // one line each
    // A script's setAttribute('lr', ...) while training goes on, other fields restart with a note;
    // a link (element/url-sync.js), or another compare or workers, sets up new runs.
    const same = this.#store.settings.compare === store.shown?.compare && this.#store.settings.workers === store.shown?.workers;
    if (store.runs.first && !store.fault && !link && !read.messages.length && same) this.#edits.apply(read.cfg, null, false);
    else this.#configure(read.cfg, [...read.messages, ...said]);
  }

  #configure(cfg, messages = []) {
    const store = this.#store;
    store.configure(cfg, { compare: this.#store.settings.compare, workers: this.#store.settings.workers });
    this.#form.show(cfg);
    showPreset(this.#root.getElementById('preset'), this.#store.settings.preset, cfg);
    /** @type {HTMLInputElement} */ (this.#root.getElementById('compare')).checked = this.#store.settings.compare === true;
    /** @type {HTMLInputElement} */ (this.#root.getElementById('compare-depths')).checked = this.#store.settings.compare === 'depths';
    this.#alert(messages.join('\n'));
    store.runs.clear(true);
    this.#views.clear(); // the previous runs' charts, notes and hints go at once
    const inits = this.#store.settings.inits(cfg);
    this.#progress.reset(cfg.epochs, inits.length, true);
    this.#create(inits, preparing(cfg, inits.length, this.#source.info?.name));
  }

  #onCreated(msg, specs) {
    const store = this.#store;
    store.runs.created(msg, specs);
    // A file whose sequences do not follow a diagonal unitary W: no theory line, the core's reason (model/claims.js).
    for (const r of store.runs.list) r.theory = withheld(r.theory);
    store.setWorkers(msg.workers);
    this.#form.setConfigProblem(null);
    this.#views.setup(store.cfg, store.runs.list, msg.capability);
    this.#views.setSamples(msg.samples);
    fillHints(this.#root, store.cfg, store.runs.list, this.#views.sparse);
    this.#progress.reset(store.cfg.epochs, store.runs.list.length);
    this.#dirty();
    this.#emit('mesaflow-config', { params: this.params, config: this.config });
    const copy = this.#root.getElementById('copy-link');
    copy.hidden = location.hash !== `#${this.params}`; // a page that keeps the hash in step
    const note = this.#root.getElementById('link-note');
    note.textContent = linkNote(this.#source.describe()); // a data file, or a W file used: not in the link
    note.hidden = copy.hidden || !note.textContent;
    if (store.playing) this.#play();
    else this.#status.refresh(true);
  }

  #onRows(msg) {
    const store = this.#store;
    for (const detail of store.runs.append(msg)) this.#emit('mesaflow-step', detail);
    store.runsChanged();
    this.#progress.update(store.runs.list, store.training, store.cfg.epochs);
    this.#dirty();
    // While training, at most every 200 ms (announced every 2 s); the moment every run is done, at once.
    this.#status.refresh(!store.training || store.runs.allDone);
  }

  #onDiverged(msg) {
    const store = this.#store;
    const run = store.runs.diverged(msg);
    if (!run) return;
    store.stopped('diverged');
    const text = divergedText(run, msg, store.cfg);
    this.#alert(text);
    this.#status.say(text);
    this.#emit('mesaflow-diverged', { run: run.index, a0: run.a0, b0: run.b0, epoch: msg.epoch, message: msg.message });
  }

  // --- drawing and text ---------------------------------------------------------------------
  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }

  #speed() {
    return Number(/** @type {HTMLSelectElement} */ (this.#root.getElementById('speed')).value);
  }

  #dirty() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      if (this.#store.runs.first) this.#views.draw();
    });
  }

  #alert(text) {
    const a = this.#root.getElementById('alert');
    a.textContent = text;
    a.hidden = !text;
  }
}

if (!customElements.get('mesaflow-demo')) customElements.define('mesaflow-demo', MesaflowDemo);
