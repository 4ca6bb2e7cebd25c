// The page's side of the training worker (worker.js): starts it, pings it, notices when it fails
// (it throws, the module aborts, a sub-worker fails, or it stops answering), starts a new one
// that resumes the runs from their checkpoints, and hands every message of the current worker and
// its current runs to the handler of the same name (protocol.js, toPage). The worker is started
// through host.js, so the element's files may be on another origin than the page; a worker that
// cannot start there (the page's CSP, no CORS headers) is `blocked`, with what to do.
import { toWorker } from './protocol.js';
import { startWorker, hostProblem } from './host.js';

const PING_EVERY_MS = 2000; // the worker answers pings between chunks ...
const SILENT_MS = 10000; // ... so one unanswered this long means it is gone (or hung)
const SILENT_CREATING_MS = 60000; // drawing a large data set is one long call
const MEMORY_BUDGET = 2 ** 30; // bytes all runs of one demo may allocate (mf.estimateBytes)
const WORKER = new URL('./worker.js', import.meta.url);
// What the worker's module loads first: checked when it fails before saying anything.
const WORKER_FILES = [WORKER, new URL('./files.js', import.meta.url), new URL('../lib/mesaflow.js', import.meta.url), new URL('../lib/mesaflow_core.js', import.meta.url)];

export class WorkerClient {
  // handlers: ready(), created(msg, specs), invalid(msg), rows(msg), weights(msg), mesa(msg),
  // diverged(msg), playing(), stopped(msg), error(msg) (not fatal), fault(reason): the worker is
  // gone (stopped; the page keeps what it has), and blocked(message): no worker can train on this
  // page (message: why, and what to do).
  constructor(handlers) {
    this.handlers = handlers;
    this.worker = null;
    this.ready = false; // the current worker has loaded the module
    this.gen = 0; // numbers the runs of each create: ids `${gen}:${i}`
    this.ids = new Set(); // ids of the current runs: messages of other runs are stale
    this.pending = null; // the specs of a create not answered yet
    this.deferred = null; // the arguments of a create() made before the worker was ready
    this.answers = new Map(); // seq -> resolve, for `parsed` and `opened`
    this.seq = 0;
    this.version = ''; // mf.version of the current worker's module, once ready
    this.watchdog = 0;
    this.pingSent = 0; // when the unanswered ping was sent (0: none)
  }

  get running() {
    return this.worker !== null;
  }

  // A new worker (the current one, if any, is stopped). Once it is ready, handlers.ready() is
  // called, unless create() was called in the meantime: to resume, start() then create() runs
  // with checkpoints.
  start() {
    this.stop();
    let heard = false; // from this worker
    const w = startWorker(WORKER);
    this.worker = w;
    w.onmessage = (e) => {
      if (w !== this.worker) return;
      heard = true;
      this.pingSent = 0;
      this.#receive(e.data);
    };
    w.onerror = (e) => {
      e.preventDefault?.();
      if (w !== this.worker) return;
      const failed = `the training worker failed (${e.message || 'an error in the worker'})`;
      if (heard) return this.#fault(failed);
      // It never started: the page's CSP, or its files do not load from here.
      clearInterval(this.watchdog);
      hostProblem(WORKER_FILES).then((problem) => w === this.worker && (problem ? this.#block(problem) : this.#fault(failed)));
    };
    w.onmessageerror = () => w === this.worker && this.#fault('the training worker sent a message that could not be read');
    this.pingSent = 0;
    this.watchdog = setInterval(() => this.#check(), PING_EVERY_MS);
  }

  stop() {
    clearInterval(this.watchdog);
    this.worker?.terminate();
    this.worker = null;
    this.ready = false;
    this.ids.clear();
    this.pending = null;
    this.deferred = null;
    for (const resolve of this.answers.values()) resolve(null);
    this.answers.clear();
  }

  post(msg) {
    this.worker?.postMessage(msg);
  }

  // The worker's answer (same seq) to message(seq), or null if the worker is gone first.
  #ask(message) {
    if (!this.ready) return Promise.resolve(null);
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.answers.set(seq, resolve);
      this.post(message(seq));
    });
  }

  // Field texts and the page's own keys through the core's parser: the worker's `parsed`.
  parse(pairs, extras) {
    return this.#ask((seq) => toWorker.parse(seq, pairs, extras));
  }

  // A data file read and checked by the worker (protocol.js, open): its `opened`.
  open(cfg, data) {
    return this.#ask((seq) => toWorker.open(seq, cfg, data));
  }

  // New runs of cfg, one per spec {a0, b0, resume?} (resume: a checkpoint with its history),
  // replacing the current ones, on data (null: generated); sent once the worker is ready.
  create(cfg, specs, workers, data = null) {
    if (!this.ready) {
      this.deferred = [cfg, specs, workers, data];
      return;
    }
    this.gen++;
    this.ids.clear();
    this.pending = specs.map(({ a0, b0, resume }, i) => ({ id: `${this.gen}:${i}`, cfg: { ...cfg, a0, b0 }, resume }));
    this.post(toWorker.create(this.pending, MEMORY_BUDGET, workers, data));
  }

  // Sign of life: a ping unanswered for SILENT_MS means the worker was terminated or hangs.
  #check() {
    if (!this.worker) return;
    const now = performance.now();
    if (!this.pingSent) {
      this.pingSent = now;
      this.post(toWorker.ping());
    } else if (now - this.pingSent > (this.pending ? SILENT_CREATING_MS : SILENT_MS)) {
      this.#fault(`the training worker stopped answering (for ${Math.round((now - this.pingSent) / 1000)} s)`);
    }
  }

  #fault(reason) {
    this.stop();
    this.handlers.fault(reason);
  }

  #block(message) {
    this.stop();
    this.handlers.blocked(message);
  }

  #receive(msg) {
    if (msg.id !== undefined && !this.ids.has(msg.id)) return; // stale: from runs replaced since
    switch (msg.type) {
      case 'pong':
        return;
      case 'ready':
        this.ready = true;
        this.version = msg.version;
        if (this.deferred) return this.create(...this.deferred);
        return this.handlers.ready();
      case 'blocked':
        return this.#block(msg.message);
      case 'parsed':
      case 'opened':
        this.answers.get(msg.seq)?.(msg);
        this.answers.delete(msg.seq);
        return;
      case 'created': {
        const specs = this.pending;
        if (!specs || msg.runs[0].id !== specs[0].id) return; // answers an older create
        this.pending = null;
        this.ids = new Set(specs.map((s) => s.id));
        return this.handlers.created(msg, specs);
      }
      case 'invalid':
        if (!this.pending || msg.request !== this.pending[0].id) return; // answers an older create
        this.pending = null;
        return this.handlers.invalid(msg);
      case 'error':
        if (msg.fatal) return this.#fault(msg.message);
        return this.handlers.error(msg);
      default:
        return this.handlers[msg.type]?.(msg);
    }
  }
}
