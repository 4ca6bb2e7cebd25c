// Pool worker. A tenant's ShardPool: the shard services of the pool's workers as one sum.
// The shard services of the parallel path (worker/shard-service.js, one in each worker of the page's pool) as
// one object for one tenant's runs: the mf.shards fixed shards are split into equal contiguous
// ranges, one per link (the first is this worker's own service, the others its peers), and the
// parts come back in shard order, so the combined sums (and the training) are the same bits for
// any number of workers. A link that does not answer in time (its worker terminated or hung)
// fails the pool: every pending and later request is refused, and the trainer reports it. A
// worker that throws is noticed by the page's pool (pool/page-pool.js), which stops its users.
import { toShard } from '../model/protocol.js';

const CREATE_MS = 120000; // drawing the data sets of a large setting
const ANSWER_MS = 10000; // a sums request: at least this, or 20 times the slowest answer yet

// One end of a link to a shard service: requests numbered per link, answers matched by seq.
// send(msg) posts a request; the link's owner hands every answer to answer(). index: the pool
// index of the worker at the other end (null: this worker's own service).
export class Link {
  constructor(send, index = null) {
    this.send = send;
    this.index = index;
    this.waiting = new Map(); // seq -> resolve
    this.seq = 0;
  }

  // message(seq): a toShard request; resolves to its fromShard answer.
  request(message) {
    const seq = ++this.seq;
    return new Promise((resolve) => {
      this.waiting.set(seq, resolve);
      this.send(message(seq));
    });
  }

  answer(data) {
    this.waiting.get(data.seq)?.(data);
    this.waiting.delete(data.seq);
  }
}

export class ShardPool {
  // links: [Link] (this worker's own service first); owner: the tenant these runs belong to.
  constructor(links, shards, owner) {
    this.links = links;
    this.owner = owner;
    this.ranges = links.map((_, i) => [Math.floor((shards * i) / links.length), Math.floor((shards * (i + 1)) / links.length)]);
    this.slowest = 0; // ms, of the sums requests answered
    this.failure = ''; // set once any link has failed: every later request is refused
    this.suspect = null; // the pool index of the worker that did not answer
    this.rejects = new Set(); // of the pending requests
  }

  #failAll(message) {
    this.failure ||= message;
    for (const reject of this.rejects) reject(new Error(message));
    this.rejects.clear();
  }

  // message(seq): the request to link i; sums: a sums request (timed by the slowest answer yet),
  // else the creation of the data sets.
  #ask(i, message, sums) {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(new Error(this.failure));
      const ms = sums ? Math.max(ANSWER_MS, 20 * this.slowest) : CREATE_MS;
      const timer = setTimeout(() => {
        this.suspect ??= this.links[i].index;
        this.#failAll(`a training sub-worker did not answer in ${Math.round(ms / 1000)} s`);
      }, ms);
      const t0 = performance.now();
      this.rejects.add(reject);
      this.links[i].request(message).then((data) => {
        clearTimeout(timer);
        if (!this.rejects.delete(reject)) return; // failed meanwhile
        if (sums) this.slowest = Math.max(this.slowest, performance.now() - t0);
        if (data.error) reject(new Error(data.error));
        else resolve(data);
      });
    });
  }

  // runs: [{id, cfg}]; every link's service draws the data sets of every run (w: process fixed's
  // W file, a Uint8Array, or null).
  create(runs, w = null) {
    return Promise.all(this.links.map((_, i) => this.#ask(i, (seq) => toShard.create(seq, this.owner, runs, w), false)));
  }

  // The records of all shards at `weights` for run `id`: {train, test (null unless wanted)}.
  async sums(id, weights, grad, test) {
    const parts = await Promise.all(this.ranges.map(([first, last], i) => this.#ask(i, (seq) => toShard.sums(seq, this.owner, id, weights, first, last, grad, test), true)));
    return { train: concat(parts.map((p) => p.train)), test: test ? concat(parts.map((p) => p.test)) : null };
  }

  // The owner's data sets are freed in every service (an answer is not awaited).
  terminate() {
    if (!this.failure) for (const link of this.links) link.request((seq) => toShard.drop(seq, this.owner));
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
