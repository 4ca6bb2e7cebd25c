// Main thread, no DOM. The one owner of an element's state: its configuration, what the reader
// asked for (playing, paused, finished), a fault, the runs and their histories; commands applied
// in the order they are made.
//
// A reactive controller in Lit's shape: the element (the host) and its controllers read the state
// here and change it only through these methods, each of which asks the host to render
// (host.requestUpdate()); nothing else writes it. "Playing" is the reader's wish, held once, here:
// the worker's play loop follows it (it is told play and pause), the button and the status line
// show it, the page's pool reads it to decide which demos wait (element/trainer-client.js), and
// it outlives a restart (new runs start playing if it was playing), a fault (Resume goes on
// playing) and a detach from the DOM.
import { Runs } from '../model/runs.js';

export class Store {
  // host: {requestUpdate()}, the element; settings: what the demo is set to (element/settings.js:
  // the preset, the texts given explicitly, compare, workers, a data file's shape).
  constructor(host, settings) {
    this.host = host;
    this.settings = settings;
    this.cfg = null; // the configuration of the runs (mf.defaults() keys), once there is one
    this.shown = null; // {compare, workers} of the runs set up with cfg
    this.phase = 'paused'; // 'playing' | 'paused' | 'finished' (done or diverged)
    this.fault = null; // {message, resumable, blocked} after the worker died or could not start
    this.held = false; // a demo in view on this page trains on this one's workers (pool/page-pool.js)
    this.workers = 0; // Web Workers computing the current runs' sums (1: the single-worker path)
    this.before = null; // the configuration before a live change, until the worker takes it
    this.attrsStale = false; // attributes changed while no worker was ready to train them
    this.resumeOnConnect = false; // moved in the DOM: the new worker resumes the runs
    this.runs = new Runs(); // the runs and their histories (model/runs.js)
    this.tail = Promise.resolve(); // settles when the last command made is done (see command)
    this.pending = 0; // commands under way or waiting
  }

  // --- commands in order ------------------------------------------------------------------------
  // Runs fn now if no command is under way or waiting (so a call on an idle element takes effect
  // at once), else after the ones before it; a command that awaits holds
  // the later ones until it is done. pending counts the commands under way or waiting, so one made
  // while an earlier one hands over to the next still waits its turn. Returns fn's result (a
  // promise of it when it waited).
  command(fn) {
    if (this.pending) {
      this.pending++;
      const queued = this.tail.then(fn);
      this.tail = queued.catch(() => {});
      queued.finally(() => this.pending--).catch(() => {});
      return queued;
    }
    const out = fn();
    if (out && typeof out.then === 'function') {
      this.pending++;
      const done = Promise.resolve(out);
      this.tail = done.catch(() => {});
      done.finally(() => this.pending--).catch(() => {});
    }
    return out;
  }

  // --- state changes ----------------------------------------------------------------------------
  #changed() {
    this.host.requestUpdate();
  }

  configure(cfg, shown) {
    this.cfg = cfg;
    this.shown = shown;
    this.before = null;
    this.#changed();
  }

  // A live change sent to the runs: cfg from here on, before until the worker answers.
  changeLive(cfg) {
    this.before = this.cfg;
    this.cfg = cfg;
    this.#changed();
  }

  // The worker's answer to a live change: taken (true) or refused (the configuration before).
  settleLive(taken) {
    if (!taken && this.before) this.cfg = this.before;
    this.before = null;
    this.#changed();
  }

  play() {
    this.phase = 'playing';
    this.#changed();
  }

  pause() {
    if (this.phase === 'playing') this.phase = 'paused';
    this.#changed();
  }

  // Training stopped by itself: every run done or one diverged (finished), or an error (paused).
  stopped(reason) {
    if (reason === 'done' || reason === 'diverged') this.phase = 'finished';
    else if (reason === 'error') this.phase = 'paused';
    this.#changed();
  }

  setFault(fault) {
    this.fault = fault;
    this.#changed();
  }

  setHeld(on) {
    this.held = on;
    this.#changed();
  }

  setWorkers(n) {
    this.workers = n;
    this.#changed();
  }

  setAttrsStale(on) {
    this.attrsStale = on;
  }

  setResumeOnConnect(on) {
    this.resumeOnConnect = on;
  }

  // The runs changed (created, rows, changes, cleared): the views follow.
  runsChanged() {
    this.#changed();
  }

  // --- what the state says ----------------------------------------------------------------------
  get playing() {
    return this.phase === 'playing';
  }

  // Training now, as the reader sees it: playing, with runs, no fault (the Play button says Pause).
  get training() {
    return this.playing && this.runs.first !== null && !this.fault;
  }

  // Every run has trained the configuration's epochs (and none diverged): Play has nothing to do.
  get finished() {
    const list = this.runs.list;
    return list.length > 0 && list.every((r) => r.done && !r.diverged && r.epoch >= this.cfg.epochs);
  }
}
