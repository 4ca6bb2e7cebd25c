// Module worker of the parallel path (one of several, spawned by worker.js): holds the data
// sets of the current runs and answers each request with the sums of its range of shards at the
// weights it is sent. Training state lives in worker.js; this worker only computes.
import { loadMesaflow } from '../lib/mesaflow.js';
import { fromShard, why } from './protocol.js';

const loaded = loadMesaflow();
const holders = new Map(); // run id -> mf.createShardWorker(cfg)

const handlers = {
  create(mf, { runs }) {
    for (const w of holders.values()) w.delete();
    holders.clear();
    for (const { id, cfg } of runs) holders.set(id, mf.createShardWorker(cfg));
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
