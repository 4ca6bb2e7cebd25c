// Main thread. The element's side of its runs' tenant in the page's pool (the worker's Trainer).
// The page's side of one element's runs: a tenant of a worker of the page's pool (pool/page-pool.js),
// which starts the workers (through pool/host.js, so the element's files may be on another origin than
// the page; a worker that cannot start there, for the page's CSP or missing CORS headers, is
// `blocked`, with what to do), watches them, and hands every message of this tenant to receive().
// Messages of the current runs go to the handler of the same name (model/protocol.js, toPage); when the
// worker fails (it throws, the module aborts, a worker it takes shard sums from fails, or it stops
// answering) the pool says so and start() attaches anew, to resume the runs from their checkpoints.
import { toWorker, toPage } from '../model/protocol.js';
import { pagePool } from '../pool/page-pool.js';
import { estimateBytes, memoryProblem } from '../model/memory.js';

export class WorkerClient {
  // handlers: ready(), created(msg, specs), invalid(msg), rows(msg), weights(msg), mesa(msg),
  // diverged(msg), playing(), stopped(msg), error(msg) (not fatal), held(bool) (a visible demo of
  // the page trains on this one's workers), fault(reason): the worker is gone (stopped; the page
  // keeps what it has), and blocked(message): no worker can train on this page (message: why, and
  // what to do). el: the element (the pool gives what is visible priority); training(): whether
  // the reader has these runs training now (the element's store: the pool holds others for them).
  constructor(handlers, el, training) {
    this.handlers = handlers;
    this.el = el;
    this.training = training;
    this.bytes = 0; // what the current runs allocated over the pool's workers (the pool's budget)
    this.workers = 1; // the pool's workers their sums come from
    this.tenant = null; // of the pool, while attached
    this.ready = false; // the tenant's worker has loaded the module
    this.gen = 0; // numbers the runs of each create: ids `${gen}:${i}`
    this.ids = new Set(); // ids of the current runs: messages of other runs are stale
    this.pending = null; // the specs of a create not answered yet
    this.deferred = null; // the arguments of a create() made before the worker was ready
    this.answers = new Map(); // seq -> resolve, for `opened`
    this.seq = 0;
    this.version = ''; // mf.version of the current worker's module, once ready
  }

  get running() {
    return this.tenant !== null;
  }

  // What the pool reads of this tenant (pool/page-pool.js, attach).
  get playing() {
    return this.training();
  }

  get busy() {
    return this.pending !== null;
  }

  // The store changed what playing says: the pool decides its holds again.
  changed() {
    this.tenant?.changed();
  }

  // A new tenant (the current one, if any, is dropped). Once it is ready, handlers.ready() is
  // called, unless create() was called in the meantime: to resume, start() then create() runs
  // with checkpoints.
  start() {
    this.stop();
    this.tenant = pagePool().attach(this, 'train', this.el);
  }

  stop() {
    this.tenant?.detach();
    this.tenant = null;
    this.ready = false;
    this.bytes = 0;
    this.workers = 1;
    this.ids.clear();
    this.pending = null;
    this.deferred = null;
    for (const resolve of this.answers.values()) resolve(null);
    this.answers.clear();
  }

  post(msg) {
    this.tenant?.post(msg);
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

  // A data file read and checked by the worker (model/protocol.js, open): its `opened`.
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
    this.pending = specs.map(({ a0, b0, layers = cfg.layers, depth = false, resume }, i) => ({ id: `${this.gen}:${i}`, cfg: { ...cfg, a0, b0, layers }, depth, resume }));
    const { budget, others } = this.tenant.budget();
    // Runs that would not fit are refused here, in the core's words and with its estimate
    // (model/memory.js), without a round trip; the worker's runs are cleared as a refused create
    // clears them there.
    const problem = memoryProblem(this.pending.reduce((sum, r) => sum + estimateBytes(r.cfg, data !== null), 0), budget, others, this.pending.map((r) => r.cfg));
    if (problem) {
      this.post(toWorker.clear());
      this.pending = null;
      [this.bytes, this.workers] = [0, 1];
      this.tenant?.changed();
      this.handlers.invalid(toPage.invalid(`${this.gen}:0`, problem));
      return;
    }
    this.post(toWorker.create(this.pending, budget, workers, data, others));
  }

  // From the pool: this tenant's worker failed (reason), or cannot start here (message).
  fail(reason) {
    this.stop();
    this.handlers.fault(reason);
  }

  block(message) {
    this.stop();
    this.handlers.blocked(message);
  }

  held(on) {
    this.handlers.held?.(on);
  }

  receive(msg) {
    if (msg.id !== undefined && !this.ids.has(msg.id)) return; // stale: from runs replaced since
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.version = msg.version;
        if (this.deferred) return this.create(...this.deferred);
        return this.handlers.ready();
      case 'blocked':
        return this.block(msg.message);
      case 'opened':
        this.answers.get(msg.seq)?.(msg);
        this.answers.delete(msg.seq);
        return;
      case 'created': {
        const specs = this.pending;
        if (!specs || msg.runs[0].id !== specs[0].id) return; // answers an older create
        this.pending = null;
        this.ids = new Set(specs.map((s) => s.id));
        [this.bytes, this.workers] = [msg.bytes, msg.workers];
        this.tenant?.changed();
        return this.handlers.created(msg, specs);
      }
      case 'invalid':
        if (!this.pending || msg.request !== this.pending[0].id) return; // answers an older create
        this.pending = null;
        // A refused create leaves no runs (the worker deleted the old ones first).
        [this.bytes, this.workers] = [0, 1];
        this.tenant?.changed();
        return this.handlers.invalid(msg);
      case 'error': {
        if (!msg.fatal) return this.handlers.error(msg);
        const tenant = this.tenant;
        this.fail(msg.message);
        // The worker named one of the pool's that did not answer its shard requests: replaced.
        if (msg.suspect != null) tenant?.suspect(msg.suspect);
        return;
      }
      default:
        return this.handlers[msg.type]?.(msg);
    }
  }
}
