// Any thread, no DOM. Every message between the page, the pool's workers and their shard services.
// The messages between the page (element/trainer-client.js, pool/page-pool.js) and its training workers
// (worker/pool-worker.js, worker/trainer.js), and between a training worker's ShardPool (worker/shard-pool.js) and the shard
// service of the pool's workers (worker/shard-service.js). Each message is an
// object {type, ...payload}; it is built only by the constructor below of the same name and read
// by a handler of that name on the other side, so a message is spelled out once, here.
//
// A problem is the core's {field, fields, message} (wasm/API.md): field, the CLI name of the field
// to fix; fields, every field it involves (a memory budget: m, test-m, T, d); message, its words.

import { FIELDS } from '../fields.js';
import { DATA_FIELDS } from './core-tables.js';

// --- page's pool (pool/page-pool.js) <-> each worker of the pool, not of any one tenant -----------
export const toPoolWorker = {
  // Sign of life: answered with `pong` at once (between chunks), even while runs are created.
  ping: () => ({ type: 'ping' }),
  // A new tenant of this worker: kind 'train' (an element's runs, worker/trainer.js) or 'measure' (its
  // capability points, worker/capability-measurer.js). Answered with `ready` (or `blocked`) for that tenant.
  attach: (tenant, kind) => ({ type: 'attach', tenant, kind }),
  // The tenant is gone: its runs, and its data sets in this worker's shard service, are freed.
  drop: (tenant) => ({ type: 'drop', tenant }),
  // Held: the tenant trains no further epochs (a visible demo of the page is training) until held
  // is false again; its other messages are taken as usual meanwhile. Kept by the worker for a
  // tenant still loading, so a hold decided before it is ready holds it from its start.
  hold: (tenant, held) => ({ type: 'hold', tenant, held }),
  // port: a MessagePort to the pool's worker number index, over which each asks the other for
  // shard sums (worker/shard-service.js); this worker's ShardPools use the peers in index order.
  peer: (index, port) => ({ type: 'peer', index, port }),
};
export const fromPoolWorker = {
  pong: () => ({ type: 'pong' }),
};

// --- page -> training worker ---------------------------------------------------------------
// A worker of the page's pool (pool/page-pool.js) serves several tenants: each element's runs, and each
// element's capability measurements, are one tenant, and every message to or from a tenant
// carries its `tenant` (added by the pool on the way in, by the worker on the way out).
export const toWorker = {
  // New runs, replacing the current ones (answered with `created`, then `rows` for each run, or
  // `invalid`). runs: [{id, cfg, resume?}], cfg a config object (mf.defaults() keys), resume a
  // checkpoint (s.checkpoint() with the history kept by the page); budget: bytes all runs may
  // allocate together (what the page's pool leaves them; others: what the other demos hold);
  // workers: the workers computing the sums, as set (null: automatic); data: null (generated data)
  // or a data file, {npy: Blob, name, test_npy?: Blob, test_name?} (the runs train on it, on this
  // worker alone, with its m, d, T; cfg's are the file's, see `opened`), or process fixed's W file,
  // {w: Blob, w_name} (generated data sets from that W, on the parallel path too).
  create: (runs, budget, workers, data = null, others = 0) => ({ type: 'create', runs, budget, workers, data, others }),
  // The current runs deleted and none created (answered with `stopped`, reason 'reset'): the page
  // refused a create itself, before asking (model/memory.js: the runs would not fit).
  clear: () => ({ type: 'clear' }),
  // Reads a data file (data as in `create`) with the core's reader and checks it with cfg, without
  // touching the current runs; answered with `opened` (same seq).
  open: (seq, cfg, data) => ({ type: 'open', seq, cfg, data }),
  // Train until done, diverged or paused; speed: epochs per second (0: as fast as possible).
  play: (speed) => ({ type: 'play', speed }),
  pause: () => ({ type: 'pause' }),
  // One epoch of every run (while not playing).
  step: () => ({ type: 'step' }),
  speed: (speed) => ({ type: 'speed', speed }),
  // A field every run takes from its current epoch on, without a restart (lr, epochs, eval_every,
  // clip, method: s.change); text as the core reads it. Answered with `changed` for every run, or
  // `refused` (no run changed).
  change: (field, text) => ({ type: 'change', field, text }),
};

// --- training worker -> page ---------------------------------------------------------------
export const toPage = {
  // The module is loaded: the worker takes requests. version: mf.version.
  ready: (version) => ({ type: 'ready', version }),
  // The module cannot load here, for a reason of the page or the host (its Content-Security-Policy
  // forbids WebAssembly, the wasm comes without CORS headers, ...): message says why and what to do.
  blocked: (message) => ({ type: 'blocked', message }),
  // The answer to `open`: info {name, test_name, dtype ('complex128' or 'complex64'), file_m (its
  // sequences), m (for training), test_m, d, T, test ('held out' or 'file'), source (the theory's
  // assumption_4_1.source)}, or the problem (the core's, as the command line words it: field
  // 'data' or 'test-data', message "data: ...").
  opened: (seq, info, problem) => ({ type: 'opened', seq, info, problem }),
  // The runs of a `create` exist. runs: [{id, theory (s.theory()), ode (s.odeCurve() every
  // stride-th epoch, with stride), vanilla_gd (s.vanillaGd(): the best one-step GD at the last
  // position on the test set)}]; samples: the first run's s.samples(); bytes: what they
  // allocated over the pool's workers (the sessions, and each shard service's copy of the data);
  // workers: the workers computing their sums (1: the single-worker path);
  // capability: mf.capability(cfg) of the first run (null where the theory does not apply).
  created: (runs, samples, bytes, workers, capability) => ({ type: 'created', runs, samples, bytes, workers, capability }),
  // A `create` was refused (no run exists): the problem. request: the id of its first run.
  invalid: (request, problem) => ({ type: 'invalid', request, problem }),
  // History rows of run id not sent before (columns as s.history(), possibly none), its epoch,
  // done, and its checkpoint without the history (null once diverged): what a new worker needs to
  // resume it.
  rows: (id, rows, epoch, done, state) => ({ type: 'rows', id, rows, epoch, done, state }),
  // Run id's weights (s.weights(), every run's) and the first run's error by context position (s.mesa()).
  weights: (id, weights) => ({ type: 'weights', id, weights }),
  mesa: (id, mesa) => ({ type: 'mesa', id, mesa }),
  // Run id diverged at epoch: s.message and s.divergence ({epoch, why, lr, suggested_lr, data_max}).
  diverged: (id, epoch, message, divergence) => ({ type: 'diverged', id, epoch, message, divergence }),
  // Run id took a change: its ODE (thinned, as in `created`), theory (clip changes whether it
  // applies), the changes so far (s.history().changes: [{epoch, field, from, to}]), epoch, done.
  changed: (id, ode, theory, changes, epoch, done) => ({ type: 'changed', id, ode, theory, changes, epoch, done }),
  // A `change` no run took: the problem (a value out of range, a budget).
  refused: (problem) => ({ type: 'refused', problem }),
  playing: () => ({ type: 'playing' }),
  // Training stopped; reason: 'paused', 'reset' (new runs), 'done', 'diverged' or 'error'.
  stopped: (reason) => ({ type: 'stopped', reason }),
  // Something failed. fatal: this worker cannot go on (the module aborted, a sub-worker failed):
  // the page keeps what it has and may resume in a new worker.
  // suspect: the pool index of a worker that did not answer this one's shard requests (the pool
  // replaces it), or null.
  error: (message, fatal = false, suspect = null) => ({ type: 'error', message, fatal, suspect }),
};

// --- a training worker's ShardPool -> the shard service of a pool worker (worker/shard-service.js) --------
// Every request carries a seq (the answer, fromShard, the same) and its owner: the tenant (one
// element's runs) whose data sets it reads or replaces.
export const toShard = {
  // Draw the data sets of these runs ([{id, cfg}]; w: process fixed's W file as a Uint8Array, or
  // null), dropping the owner's previous ones.
  create: (seq, owner, runs, w = null) => ({ type: 'create', seq, owner, runs, w }),
  // The records of shards [first, last) of run id at weights (s.weights()): training sums (with
  // gradients if grad) and, if test, test sums.
  sums: (seq, owner, id, weights, first, last, grad, test) => ({ type: 'sums', seq, owner, id, weights, first, last, grad, test }),
  // Free the owner's data sets.
  drop: (seq, owner) => ({ type: 'drop', seq, owner }),
};

export const fromShard = {
  // train, test: Float64Arrays (transferred), or absent for `create`; test null unless asked.
  done: (seq, train, test) => ({ seq, train, test }),
  failed: (seq, error) => ({ seq, error }),
};

// --- page <-> capability measurements (worker/capability-measurer.js, in a pool worker) ------------------------
export const toCapability = {
  // Train at each T of Ts (a tenant of kind 'measure') (cfg: the page's configuration; T, the initialisation and the step are
  // the worker's) and answer with a `point` per T, then `done`. A newer measure ends an older one.
  measure: (seq, cfg, Ts) => ({ type: 'measure', seq, cfg, Ts }),
};
export const fromCapability = {
  // point: {T, m, epochs, lr, diverged, ab, c_star_T, c_star_empirical, last_mse, last_mse_pred,
  // relative_error (last_mse over E|x|^2 per coordinate), relative_error_pred, ratio, ratio_pred}.
  point: (seq, point) => ({ type: 'point', seq, point }),
  done: (seq) => ({ type: 'done', seq }),
  failed: (seq, error) => ({ type: 'failed', seq, error }),
};

// The text of anything thrown.
export const why = (e) => String(e && e.message ? e.message : e);
// The problem ({field, fields, message}, wasm/API.md) of an Error the JS API threw.
export const problemOf = (e) => ({ field: e.field, fields: e.fields, message: why(e) });

// The fields that define a run's data sets (the core's data_fields: what generate_dataset reads,
// and the sizes m and test-m; generated): runs with the same key hold the same sequences, whatever
// their model, initialisation, step or method. A field left out (a default) counts as such; cfg
// may name a field by its key (test_m) or its CLI name (test-m).
const DATA = new Set(FIELDS.filter((f) => DATA_FIELDS.includes(f.name)).flatMap((f) => [f.name, f.key]));
export function dataKey(cfg) {
  return JSON.stringify(Object.entries(cfg).filter(([k]) => DATA.has(k)).sort(([a], [b]) => (a < b ? -1 : 1)));
}

// What a shard service holds for a run (worker/shard-service.js): its data sets with its model (a
// shard worker computes one model's sums): compare mode's three initialisations share one, the
// depths of compare across depths (layers 1, 2, 3) hold one each.
export const shardKey = (cfg) => `${dataKey(cfg)} ${cfg.model ?? 'attention'}/${cfg.attention ?? 'linear'}/${cfg.layers ?? 1}`;
