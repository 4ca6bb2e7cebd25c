// The sub-workers of the parallel path (gradworker.js) as one object: the mf.shards fixed shards
// are split into equal contiguous ranges, one per sub-worker, and the parts come back in shard
// order, so the combined sums (and the training) are the same bits for any number of workers.
export class ShardPool {
  constructor(n, shards) {
    this.size = n;
    this.ranges = Array.from({ length: n }, (_, i) => [Math.floor((shards * i) / n), Math.floor((shards * (i + 1)) / n)]);
    this.pending = new Map(); // seq -> {resolve, reject}
    this.seq = 0;
    this.failure = ''; // set once any sub-worker has failed: every later request is refused
    this.workers = this.ranges.map(() => {
      const w = new Worker(new URL('./gradworker.js', import.meta.url), { type: 'module' });
      w.onmessage = ({ data }) => this.#answer(data);
      w.onerror = (e) => this.#failAll(`a training sub-worker failed: ${e.message || 'unknown error'}`);
      return w;
    });
  }

  #answer(data) {
    const p = this.pending.get(data.seq);
    if (!p) return;
    this.pending.delete(data.seq);
    if (data.error) p.reject(new Error(data.error));
    else p.resolve(data);
  }

  #failAll(message) {
    this.failure ||= message;
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  #ask(i, msg) {
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(new Error(this.failure));
      this.pending.set(seq, { resolve, reject });
      this.workers[i].postMessage({ ...msg, seq });
    });
  }

  // runs: [{id, cfg}]; every sub-worker draws the data sets of every run.
  create(runs) {
    return Promise.all(this.workers.map((_, i) => this.#ask(i, { type: 'create', runs })));
  }

  // The records of all shards at `weights` for run `id`: {train, test (null unless wanted)}.
  async sums(id, weights, grad, test) {
    const parts = await Promise.all(this.ranges.map(([first, last], i) => this.#ask(i, { type: 'sums', id, weights, first, last, grad, test })));
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
