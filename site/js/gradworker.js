// Module worker of the parallel path (one of several, spawned by worker.js): holds the data
// sets of the current runs and answers each request with the sums of its range of shards at the
// weights it is sent. Training state lives in worker.js; this worker only computes.
import { loadMesaflow } from '../lib/mesaflow.js';
import { fromShard, why, dataKey } from './protocol.js';

const loaded = loadMesaflow();
const holders = new Map(); // run id -> mf.createShardWorker(cfg), shared by runs of the same data

const handlers = {
  create(mf, { runs }) {
    for (const w of new Set(holders.values())) w.delete();
    holders.clear();
    // Runs that differ only in how they train (compare mode's three initialisations) draw the
    // same data sets: one copy serves them all.
    const byData = new Map();
    for (const { id, cfg } of runs) {
      const key = dataKey(cfg);
      if (!byData.has(key)) byData.set(key, mf.createShardWorker(cfg));
      holders.set(id, byData.get(key));
    }
    return [undefined, undefined, []];
  },
  sums(mf, { id, weights, first, last, grad, test }) {
    const w = holders.get(id);
    if (!w) throw new Error(`no data for run ${id}`);
    const train = w.trainSums(weights, first, last, grad);
    const testSums = test ? w.testSums(weights, first, last) : null;
    return [train, testSums, testSums ? [train.buffer, testSums.buffer] : [train.buffer]];
  },
};

// Requests are answered in order: each waits for the same module promise, then runs at once.
self.onmessage = async ({ data }) => {
  try {
    const mf = await loaded;
    const [train, test, transfer] = handlers[data.type](mf, data);
    postMessage(fromShard.done(data.seq, train, test), transfer);
  } catch (e) {
    postMessage(fromShard.failed(data.seq, why(e)));
  }
};
