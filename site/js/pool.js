// The sub-workers of the parallel path (gradworker.js) as one object: the mf.shards fixed shards
// are split into equal contiguous ranges, one per sub-worker, and the parts come back in shard
// order, so the combined sums (and the training) are the same bits for any number of workers.
// A sub-worker that throws, or does not answer in time (terminated, hung), fails the pool: every
// pending and later request is refused, and the coordinator reports it (worker.js).
import { toShard } from './protocol.js';
import { startWorker } from './host.js';

const CREATE_MS = 120000; // drawing the data sets of a large setting
const ANSWER_MS = 10000; // a sums request: at least this, or 20 times the slowest answer yet
export class ShardPool {
  constructor(n, shards) {
    this.size = n;
    this.ranges = Array.from({ length: n }, (_, i) => [Math.floor((shards * i) / n), Math.floor((shards * (i + 1)) / n)]);
    this.pending = new Map(); // seq -> {resolve, reject, timer, t0}
    this.slowest = 0; // ms, of the sums requests answered
    this.seq = 0;
    this.failure = ''; // set once any sub-worker has failed: every later request is refused
    this.workers = this.ranges.map(() => {
      const w = startWorker(new URL('./gradworker.js', import.meta.url));
      w.onmessage = ({ data }) => this.#answer(data);
      w.onerror = (e) => {
        e.preventDefault(); // handled here: not also an uncaught error of the coordinating worker
        this.#failAll(`a training sub-worker failed (${e.message || 'an error in the sub-worker'})`);
      };
      return w;
    });
  }

  #answer(data) {
    const p = this.pending.get(data.seq);
    if (!p) return;
    this.pending.delete(data.seq);
    clearTimeout(p.timer);
    if (p.sums) this.slowest = Math.max(this.slowest, performance.now() - p.t0);
    if (data.error) p.reject(new Error(data.error));
    else p.resolve(data);
  }

  #failAll(message) {
    this.failure ||= message;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(message));
    }
    this.pending.clear();
  }

  // message(seq): the request (toShard) to sub-worker i; sums: a sums request (timed by the
  // slowest answer yet), else the creation of the data sets.
  #ask(i, message, sums) {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(new Error(this.failure));
      const ms = sums ? Math.max(ANSWER_MS, 20 * this.slowest) : CREATE_MS;
      const timer = setTimeout(() => this.#failAll(`a training sub-worker did not answer in ${Math.round(ms / 1000)} s`), ms);
      this.pending.set(seq, { resolve, reject, timer, sums, t0: performance.now() });
      this.workers[i].postMessage(message(seq));
    });
  }

  // runs: [{id, cfg}]; every sub-worker draws the data sets of every run.
  create(runs) {
    return Promise.all(this.workers.map((_, i) => this.#ask(i, (seq) => toShard.create(seq, runs), false)));
  }

  // The records of all shards at `weights` for run `id`: {train, test (null unless wanted)}.
  async sums(id, weights, grad, test) {
    const parts = await Promise.all(this.ranges.map(([first, last], i) => this.#ask(i, (seq) => toShard.sums(seq, id, weights, first, last, grad, test), true)));
    return { train: concat(parts.map((p) => p.train)), test: test ? concat(parts.map((p) => p.test)) : null };
  }

  terminate() {
    for (const w of this.workers) w.terminate();
    this.#failAll('the sub-workers were stopped');
  }
}

function concat(parts) {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
