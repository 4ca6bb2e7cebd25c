// Module worker: owns the wasm module and the training sessions, so the page never freezes.
// Runs epochs in chunks (about CHUNK_MS of work each) and posts only the new history rows;
// the page draws at display rate, independently.
import { loadMesaflow } from '../lib/mesaflow.js';

const CHUNK_MS = 40; // work per chunk before yielding to messages
const WEIGHTS_EVERY_MS = 100; // heatmap refresh
const MESA_EVERY_MS = 3000; // error-vs-position refresh while training (it costs a few chunks)
const MESA_NSEQ = 16; // sequences averaged in s.mesa() while training
const MESA_NSEQ_STOPPED = 64; // ... and when training stops
const SAMPLES_N = 3; // trajectories shown

let mf = null;
let runs = []; // [{id, s, sent}]; runs[0] feeds the heatmaps and the mesa view
let playing = false;
let speed = 0; // epochs per second; 0 = as fast as possible
let msPerEpoch = null; // running estimate for one run (null: not measured yet, so chunks of 1)
let timer = 0;
let lastWeights = 0;
let lastMesa = 0;

const ODE_POINTS = 5000; // the ODE curve (one value per epoch) is thinned to this many points

const post = (msg) => postMessage(msg);

// s.odeCurve() thinned to every `stride`-th epoch, so a 10^7-epoch run does not post 10^7 values.
function thinOde(o) {
  const stride = Math.max(1, Math.ceil(o.epoch.length / ODE_POINTS));
  const pick = (a) => Array.from({ length: Math.ceil(a.length / stride) }, (_, i) => a[i * stride]);
  return { stride, epoch: pick(o.epoch), ab: pick(o.ab), ab_empirical: pick(o.ab_empirical) };
}
const plain = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v) : v]));

function deleteRuns() {
  for (const r of runs) r.s.delete();
  runs = [];
}

function sendRows(r) {
  const h = r.s.history();
  const n = h.epoch.length;
  // Posted even without new rows (eval-every > 1): the page learns the epoch count from here.
  {
    const rows = {};
    for (const k of Object.keys(h)) rows[k] = Array.from(h[k].subarray(r.sent, n));
    r.sent = n;
    post({ type: 'rows', id: r.id, rows, epoch: r.s.epoch, done: r.s.done, diverged: r.s.diverged, message: r.s.message });
  }
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
function advance(k, which) {
  for (const r of which) {
    if (r.s.done) continue;
    const t0 = performance.now();
    r.s.run(k);
    const ms = (performance.now() - t0) / k;
    msPerEpoch = msPerEpoch === null ? ms : 0.7 * msPerEpoch + 0.3 * ms;
    sendRows(r);
    if (r.s.diverged) post({ type: 'diverged', id: r.id, epoch: r.s.epoch, message: r.s.message });
  }
  sendViews(false);
  if (runs.some((r) => r.s.diverged)) return 'diverged';
  if (runs.every((r) => r.s.done)) return 'done';
  return '';
}

// One chunk of the run that is furthest behind, so that with several runs (and slow epochs)
// pause and reset still answer within about one chunk.
function tick() {
  if (!playing) return;
  const live = runs.filter((r) => !r.s.done);
  const behind = live.reduce((a, b) => (b.s.epoch < a.s.epoch ? b : a), live[0]);
  let k = msPerEpoch === null ? 1 : Math.max(1, Math.round(CHUNK_MS / Math.max(msPerEpoch, 1e-3)));
  let delay = 0;
  if (speed > 0) {
    k = Math.max(1, Math.min(k, Math.round(speed * 0.05)));
    delay = Math.max(0, (1000 * k) / (speed * live.length) - (msPerEpoch ?? 0) * k);
  }
  const end = advance(k, behind ? [behind] : []);
  if (end) {
    sendViews(true);
    stop(end);
    return;
  }
  timer = setTimeout(tick, delay);
}

const handlers = {
  // runs: [{id, cfg}]; every run is checked (validate + memory budget) before any is created.
  create({ runs: specs, budget }) {
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
    try {
      for (const { id, cfg } of specs) runs.push({ id, s: mf.createSession(cfg), sent: 0 });
    } catch (e) {
      deleteRuns();
      return post({ type: 'invalid', field: String(e.message).split(':')[0], message: String(e.message) });
    }
    msPerEpoch = null;
    post({
      type: 'created',
      runs: runs.map((r) => ({ id: r.id, theory: r.s.theory(), ode: thinOde(r.s.odeCurve()) })),
      samples: plain(runs[0].s.samples(SAMPLES_N)),
      bytes,
    });
    for (const r of runs) sendRows(r);
    sendViews(true);
  },
  play({ speed: v }) {
    speed = v;
    if (playing || !runs.length || runs.every((r) => r.s.done)) return post({ type: 'stopped', reason: 'done' });
    playing = true;
    post({ type: 'playing' });
    tick();
  },
  pause() {
    if (playing) stop('paused');
    sendViews(true);
  },
  speed({ speed: v }) {
    speed = v;
  },
  step() {
    if (playing || !runs.length) return;
    const end = advance(1, runs);
    sendViews(true);
    if (end) post({ type: 'stopped', reason: end });
  },
  mesa() {
    sendViews(true);
  },
};

self.onmessage = ({ data }) => {
  try {
    if (!mf) return post({ type: 'error', message: 'the module is not loaded yet' });
    handlers[data.type]?.(data);
  } catch (e) {
    stop('error');
    post({ type: 'error', message: String(e && e.message ? e.message : e) });
  }
};

loadMesaflow().then(
  (m) => {
    mf = m;
    post({ type: 'ready', fields: mf.fields(), defaults: mf.defaults() });
  },
  (e) => post({ type: 'error', message: `could not load the WebAssembly module: ${e && e.message ? e.message : e}` }),
);
