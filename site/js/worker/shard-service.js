// Pool worker. The shard service: data sets of parallel runs, shard sums on request.
// The shard side of the parallel path, in every worker of the page's pool (pool/page-pool.js): holds
// the data sets of the runs that take their sums from this worker and answers each request with
// the sums of a range of shards at the weights it is sent. A request comes from a training
// worker's ShardPool (worker/shard-pool.js), through a MessagePort between two workers of the pool or, for
// the range this worker serves itself, by a direct call. Training state lives in worker/trainer.js.
import { fromShard, shardKey } from '../model/protocol.js';

export class ShardService {
  /** @param {import('../../lib/mesaflow.js').Mesaflow} mf */
  constructor(mf) {
    this.mf = mf;
    this.holders = new Map(); // `${owner} ${run id}` -> mf.createShardWorker(cfg), shared by runs of the same data and model
  }

  // Every data set of owner (a tenant of the pool: one element's runs) is freed.
  drop(owner) {
    const prefix = `${owner} `;
    const gone = new Set();
    for (const [key, w] of this.holders) {
      if (!key.startsWith(prefix)) continue;
      gone.add(w);
      this.holders.delete(key);
    }
    for (const w of gone) w.delete();
  }

  // data: a toShard request; returns [answer (fromShard), transfer list].
  handle(data) {
    try {
      const [train, test, transfer] = this.#run(data);
      return [fromShard.done(data.seq, train, test), transfer];
    } catch (e) {
      return [fromShard.failed(data.seq, String(e?.message ?? e)), []];
    }
  }

  #run(data) {
    if (data.type === 'create') return this.#create(data);
    if (data.type === 'sums') return this.#sums(data);
    if (data.type === 'drop') {
      this.drop(data.owner);
      return [undefined, undefined, []];
    }
    throw new Error(`unknown shard request ${data.type}`);
  }

  // w: process fixed's W file (Uint8Array), the same for every run of the request, or null.
  #create({ owner, runs, w }) {
    this.drop(owner);
    // Runs that differ only in how they train (compare mode's three initialisations) draw the
    // same data sets: one copy serves them all (per model: a shard worker is one model's).
    const byData = new Map();
    for (const { id, cfg } of runs) {
      const key = shardKey(cfg);
      if (!byData.has(key)) byData.set(key, this.mf.createShardWorker(cfg, w ? { w } : {}));
      this.holders.set(`${owner} ${id}`, byData.get(key));
    }
    return [undefined, undefined, []];
  }

  #sums({ owner, id, weights, first, last, grad, test }) {
    const w = this.holders.get(`${owner} ${id}`);
    if (!w) throw new Error(`no data for run ${id}`);
    const train = w.trainSums(weights, first, last, grad);
    const testSums = test ? w.testSums(weights, first, last) : null;
    return [train, testSums, testSums ? [train.buffer, testSums.buffer] : [train.buffer]];
  }
}
