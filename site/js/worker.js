// Module worker: owns the wasm module and the training sessions, so the page never freezes.
// Runs epochs in chunks (about CHUNK_MS of work each) and posts only the new history rows;
// the page draws at display rate, independently.
//
// Parallel path: with several workers, the sessions take their sums from a ShardPool of
// sub-workers (gradworker.js), one round trip per epoch (weights out, shard sums back), and this
// worker only combines and steps; the numbers are the single-worker path's, bit for bit.
// Messages and chunks are handled one at a time, in order (see `enqueue`), so a chunk that
// awaits its sub-workers is never interleaved with a reset or a step.
import { loadMesaflow } from '../lib/mesaflow.js';

const CHUNK_MS = 40; // work per chunk before yielding to messages
const WEIGHTS_EVERY_MS = 100; // heatmap refresh
const MESA_EVERY_MS = 3000; // error-vs-position refresh while training (it costs a few chunks)
const MESA_NSEQ = 16; // sequences averaged in s.mesa() while training
const MESA_NSEQ_STOPPED = 64; // ... and when training stops
const SAMPLES_N = 3; // trajectories shown
const MAX_WORKERS = 8; // sub-workers by default: hardwareConcurrency, at most this
const MAX_WORKERS_SET = 32; // ... and when set (the workers attribute / URL key)
// Below this many flops per epoch (a few ms of wasm; a round trip costs a fraction of a
// millisecond) the default is the single-worker path: small settings stay as interactive.
const PARALLEL_MIN_FLOPS = 3e7;

let mf = null;
let runs = []; // [{id, s, sent, parallel}]; runs[0] feeds the heatmaps and the mesa view
let playing = false;
let speed = 0; // epochs per second; 0 = as fast as possible
let msPerEpoch = null; // running estimate for one run (null: not measured yet, so chunks of 1)
let timer = 0;
let lastWeights = 0;
let lastMesa = 0;
let pool = null; // ShardPool while the runs use the parallel path
let chain = 0; // the current play loop; an older loop's pending tick ends itself

const ODE_POINTS = 5000; // the ODE curve (one value per epoch) is thinned to this many points

const post = (msg) => postMessage(msg);

// s.odeCurve() thinned to every `stride`-th epoch, so a 10^7-epoch run does not post 10^7 values.
function thinOde(o) {
  const stride = Math.max(1, Math.ceil(o.epoch.length / ODE_POINTS));
  const pick = (a) => Array.from({ length: Math.ceil(a.length / stride) }, (_, i) => a[i * stride]);
  return { stride, epoch: pick(o.epoch), ab: pick(o.ab), ab_empirical: pick(o.ab_empirical) };
}
const plain = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v) : v]));

// Sub-workers for these runs: `workers` as set (null: one per core, capped, and only when an
// epoch is worth a round trip; this coordinating worker mostly waits for them, so it needs no core
// of its own); 1 or fewer means the single-worker path.
function workerCount(workers, cfgs, bytes, budget) {
  if (cfgs.some((c) => c.method !== 'gd')) return 1; // the flow takes many gradients per epoch
  let n;
  if (workers == null) {
    n = Math.min(MAX_WORKERS, navigator.hardwareConcurrency || 1);
    if (cfgs.reduce((f, c) => f + mf.epochFlops(c), 0) < PARALLEL_MIN_FLOPS) n = 1;
  } else n = Math.min(MAX_WORKERS_SET, Math.floor(workers));
  // Every sub-worker holds its own copy of the data sets.
  while (n > 1 && bytes * (n + 1) > budget) n--;
  return Math.max(1, n);
}

// n sub-workers (pool.js is loaded only for them); returns how many are used: 1 if none.
async function usePool(n) {
  if (pool?.size === n) return n;
  pool?.terminate();
  pool = null;
  if (n <= 1) return 1;
  const { ShardPool } = await import('./pool.js');
  pool = new ShardPool(n, mf.shards);
  return n;
}

// The sums at r's current weights from the sub-workers, fed to its session.
async function feed(r) {
  const { train, test } = await pool.sums(r.id, r.s.weights(), r.s.wantsGradient, r.s.wantsTest);
  r.s.feed(train, test);
}

// k epochs of run r, on either path.
async function runEpochs(r, k) {
  if (!r.parallel) {
    r.s.run(k);
    return;
  }
  for (let i = 0; i < k && !r.s.done; i++) {
    r.s.run(1);
    if (r.s.awaitingSums) await feed(r);
  }
}

function deleteRuns() {
  for (const r of runs) r.s.delete();
  runs = [];
}

// Posts the history rows not sent yet, with the run's checkpoint (its history left out: the
// page has the rows), so that the page can resume the run in a new worker if this one dies.
function sendRows(r) {
  const cp = r.s.checkpoint(); // null once diverged
  const h = cp ? cp.history : r.s.history();
  const n = h.epoch.length;
  // Posted even without new rows (eval-every > 1): the page learns the epoch count from here.
  const rows = {};
  for (const k of Object.keys(h)) rows[k] = Array.from(h[k].subarray(r.sent, n));
  r.sent = n;
  if (cp) delete cp.history;
  post({ type: 'rows', id: r.id, rows, epoch: r.s.epoch, done: r.s.done, diverged: r.s.diverged, message: r.s.message, state: cp });
}

function sendViews(force) {
  const now = performance.now();
  const r = runs[0];
  if (!r) return;
  if (force || now - lastWeights > WEIGHTS_EVERY_MS) {
    lastWeights = now;
    post({ type: 'weights', id: r.id, w: plain(r.s.weights()) });
  }
  if (force || now - lastMesa > MESA_EVERY_MS) {
    lastMesa = now;
    post({ type: 'mesa', id: r.id, mesa: plain(r.s.mesa(force ? MESA_NSEQ_STOPPED : MESA_NSEQ)) });
  }
}

function stop(reason) {
  playing = false;
  clearTimeout(timer);
  post({ type: 'stopped', reason });
}

// Runs k epochs of the given runs, posts rows, reports divergence / completion.
async function advance(k, which) {
  for (const r of which) {
    if (r.s.done) continue;
    const t0 = performance.now();
    await runEpochs(r, k);
    const ms = (performance.now() - t0) / k;
    msPerEpoch = msPerEpoch === null ? ms : 0.7 * msPerEpoch + 0.3 * ms;
    sendRows(r);
    if (r.s.diverged) post({ type: 'diverged', id: r.id, epoch: r.s.epoch, message: r.s.message, divergence: r.s.divergence });
  }
  sendViews(false);
  if (runs.some((r) => r.s.diverged)) return 'diverged';
  if (runs.every((r) => r.s.done)) return 'done';
  return '';
}

// One chunk of the run that is furthest behind, so that with several runs (and slow epochs)
// pause and reset still answer within about one chunk.
async function tick(loop) {
  if (!playing || loop !== chain) return;
  const live = runs.filter((r) => !r.s.done);
  const behind = live.reduce((a, b) => (b.s.epoch < a.s.epoch ? b : a), live[0]);
  let k = msPerEpoch === null ? 1 : Math.max(1, Math.round(CHUNK_MS / Math.max(msPerEpoch, 1e-3)));
  let delay = 0;
  if (speed > 0) {
    k = Math.max(1, Math.min(k, Math.round(speed * 0.05)));
    delay = Math.max(0, (1000 * k) / (speed * live.length) - (msPerEpoch ?? 0) * k);
  }
  const end = await advance(k, behind ? [behind] : []);
  if (end) {
    sendViews(true);
    stop(end);
    return;
  }
  timer = setTimeout(() => enqueue(() => tick(loop)), delay);
}

const handlers = {
  parse,
  // runs: [{id, cfg, resume?}]; every run is checked (validate + memory budget) before any is
  // created. resume: a checkpoint (s.checkpoint()) to go on from, as kept by the page.
  async create({ runs: specs, budget, workers }) {
    stop('reset');
    deleteRuns();
    for (const { cfg } of specs) {
      const err = mf.validate(cfg);
      if (err) return post({ type: 'invalid', field: err.field, message: err.message });
    }
    const bytes = specs.reduce((sum, { cfg }) => sum + mf.estimateBytes(cfg), 0);
    if (bytes > budget) {
      const mib = (b) => `${Math.round(b / 2 ** 20)} MiB`;
      return post({ type: 'invalid', field: 'm', message: `this configuration needs about ${mib(bytes)}, more than the browser budget of ${mib(budget)}: reduce m, test-m, T or d` });
    }
    let n = await usePool(workerCount(workers, specs.map((r) => r.cfg), bytes, budget));
    try {
      for (const { id, cfg, resume } of specs) runs.push({ id, s: mf.createSession(cfg, { externalSums: n > 1, resume }), sent: 0, parallel: n > 1 });
    } catch (e) {
      deleteRuns();
      await usePool(1);
      return post({ type: 'invalid', field: e.field, fields: e.fields, message: String(e.message) });
    }
    if (pool) {
      try {
        await pool.create(specs);
        for (const r of runs) if (r.s.awaitingSums) await feed(r); // epoch 0, or where a run resumes
      } catch (e) {
        // No sub-workers here (blocked or failed to load): the same training on this worker.
        console.warn(`mesaflow: training on one worker, the sub-workers failed: ${e && e.message ? e.message : e}`);
        deleteRuns();
        n = await usePool(1);
        for (const { id, cfg, resume } of specs) runs.push({ id, s: mf.createSession(cfg, { resume }), sent: 0, parallel: false });
      }
    }
    msPerEpoch = null;
    post({
      type: 'created',
      runs: runs.map((r) => ({ id: r.id, theory: r.s.theory(), ode: thinOde(r.s.odeCurve()) })),
      samples: plain(runs[0].s.samples(SAMPLES_N)),
      bytes,
      workers: n,
    });
    for (const r of runs) sendRows(r);
    sendViews(true);
  },
  play({ speed: v }) {
    speed = v;
    if (playing || !runs.length || runs.every((r) => r.s.done)) return post({ type: 'stopped', reason: 'done' });
    playing = true;
    post({ type: 'playing' });
    return tick(++chain);
  },
  pause() {
    if (playing) stop('paused');
    sendViews(true);
  },
  speed({ speed: v }) {
    speed = v;
  },
  async step() {
    if (playing || !runs.length) return;
    const end = await advance(1, runs);
    sendViews(true);
    if (end) post({ type: 'stopped', reason: end });
  },
  mesa() {
    sendViews(true);
  },
};

// fatal: this worker cannot go on (the module aborted, or a sub-worker died): the page keeps
// what it has and may start a new worker that resumes from the checkpoints it was sent.
async function guarded(job) {
  try {
    await job();
  } catch (e) {
    const fatal = Boolean(mf?.aborted || pool?.failure);
    // Fatal: no 'stopped' (which would end the page's wish to play): a resumed run plays on.
    if (fatal) {
      playing = false;
      clearTimeout(timer);
    } else stop('error');
    post({ type: 'error', fatal, message: String(e && e.message ? e.message : e) });
  }
}

// Page messages and play-loop chunks, one at a time in arrival order.
let queue = Promise.resolve();
function enqueue(job) {
  queue = queue.then(() => guarded(job));
}

// Field texts through the core's parser: {explicit: {name: value}, errors: [{field, message}]}.
function parse({ seq, pairs }) {
  const explicit = {};
  const errors = [];
  for (const [name, text] of pairs) {
    const r = mf.parseField(name, text);
    if (r.message) errors.push({ field: r.field, message: r.message });
    else explicit[r.field] = r.value;
  }
  post({ type: 'parsed', seq, explicit, errors });
}

// A ping is answered at once (between chunks), outside the queue: the page's sign of life; so
// are parse requests once the module is there (they touch no session).
self.onmessage = ({ data }) => {
  if (data.type === 'ping') return post({ type: 'pong' });
  if (data.type === 'parse' && mf) return parse(data);
  return enqueue(() => (mf ? handlers[data.type]?.(data) : post({ type: 'error', message: 'the module is not loaded yet' })));
};

loadMesaflow().then(
  (m) => {
    mf = m;
    post({ type: 'ready' }); // the page has the field rows from fields.js
  },
  (e) => post({ type: 'error', fatal: true, message: `could not load the WebAssembly module: ${e && e.message ? e.message : e}` }),
);
