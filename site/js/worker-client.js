// The page's side of the training worker (worker.js): starts it, pings it, notices when it fails
// (it throws, the module aborts, a sub-worker fails, or it stops answering), starts a new one
// that resumes the runs from their checkpoints, and hands every message of the current worker and
// its current runs to the handler of the same name (protocol.js, toPage).
import { toWorker } from './protocol.js';

const PING_EVERY_MS = 2000; // the worker answers pings between chunks ...
const SILENT_MS = 10000; // ... so one unanswered this long means it is gone (or hung)
const SILENT_CREATING_MS = 60000; // drawing a large data set is one long call
const MEMORY_BUDGET = 2 ** 30; // bytes all runs of one demo may allocate (mf.estimateBytes)

export class WorkerClient {
  // handlers: ready(), created(msg, specs), invalid(msg), rows(msg), weights(msg), mesa(msg),
  // diverged(msg), playing(), stopped(msg), error(msg) (not fatal), and fault(reason): the
  // worker is gone (stopped; the page keeps what it has).
  constructor(handlers) {
    this.handlers = handlers;
    this.worker = null;
    this.ready = false; // the current worker has loaded the module
    this.gen = 0; // numbers the runs of each create: ids `${gen}:${i}`
    this.ids = new Set(); // ids of the current runs: messages of other runs are stale
    this.pending = null; // the specs of a create not answered yet
    this.deferred = null; // the arguments of a create() made before the worker was ready
    this.parsing = new Map(); // seq -> resolve, for `parsed`
    this.parseSeq = 0;
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
    const w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.worker = w;
    w.onmessage = (e) => {
      if (w !== this.worker) return;
      this.pingSent = 0;
      this.#receive(e.data);
    };
    w.onerror = (e) => {
      e.preventDefault?.();
      if (w === this.worker) this.#fault(`the training worker failed (${e.message || 'an error in the worker'})`);
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
    for (const resolve of this.parsing.values()) resolve(null);
    this.parsing.clear();
  }

  post(msg) {
    this.worker?.postMessage(msg);
  }

  // Field texts and the page's own keys through the core's parser: the worker's `parsed`, or
  // null if the worker is gone first.
  parse(pairs, extras) {
    if (!this.ready) return Promise.resolve(null);
    const seq = ++this.parseSeq;
    return new Promise((resolve) => {
      this.parsing.set(seq, resolve);
      this.post(toWorker.parse(seq, pairs, extras));
    });
  }

  // New runs of cfg, one per spec {a0, b0, resume?} (resume: a checkpoint with its history),
  // replacing the current ones; sent once the worker is ready.
  create(cfg, specs, workers) {
    if (!this.ready) {
      this.deferred = [cfg, specs, workers];
      return;
    }
    this.gen++;
    this.ids.clear();
    this.pending = specs.map(({ a0, b0, resume }, i) => ({ id: `${this.gen}:${i}`, cfg: { ...cfg, a0, b0 }, resume }));
    this.post(toWorker.create(this.pending, MEMORY_BUDGET, workers));
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

  #receive(msg) {
    if (msg.id !== undefined && !this.ids.has(msg.id)) return; // stale: from runs replaced since
    switch (msg.type) {
      case 'pong':
        return;
      case 'ready':
        this.ready = true;
        if (this.deferred) return this.create(...this.deferred);
        return this.handlers.ready();
      case 'parsed':
        this.parsing.get(msg.seq)?.(msg);
        this.parsing.delete(msg.seq);
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
