// Pool worker. A tenant's runs: the sessions and their play loop, one method per page message.
// The runs of one tenant of a pool worker (worker/pool-worker.js): one element's sessions and their play loop,
// one method per page message. Runs epochs in chunks (about CHUNK_MS of work each) and posts only
// the new history rows; the page draws at display rate, independently. Messages: model/protocol.js.
//
// Parallel path: with several workers, the sessions take their sums from a ShardPool (worker/shard-pool.js)
// over the shard services of the pool's workers, one round trip per epoch (weights out, shard
// sums back), and this tenant only combines and steps; the numbers are the single-worker path's,
// bit for bit. Messages and chunks are handled one at a time, in order (see `enqueue`), so a
// chunk that awaits its shards is never interleaved with a reset or a step.
import { toPage, why, problemOf, shardKey } from '../model/protocol.js';
import { memoryProblem } from '../model/memory.js';
import { readData, checkData } from './data-files.js';
import { ShardPool } from './shard-pool.js';

const CHUNK_MS = 40; // work per chunk before yielding to messages
const WEIGHTS_EVERY_MS = 100; // heatmap refresh
const MESA_EVERY_MS = 3000; // error-vs-position refresh while training (it costs a few chunks)
const MESA_NSEQ = 16; // sequences averaged in s.mesa() while training
const MESA_NSEQ_STOPPED = 64; // ... and when training stops
const SAMPLES_N = 3; // trajectories shown
// Below this many flops per epoch (a few ms of wasm; a round trip costs a fraction of a
// millisecond) the default is the single-worker path: small settings stay as interactive.
const PARALLEL_MIN_FLOPS = 3e7;
const ODE_POINTS = 5000; // the ODE curve (one value per epoch) is thinned to this many points

// s.odeCurve() thinned to every `stride`-th epoch, so a 10^7-epoch run does not post 10^7 values.
function thinOde(o) {
  const stride = Math.max(1, Math.ceil(o.epoch.length / ODE_POINTS));
  const pick = (a) => Array.from({ length: Math.ceil(a.length / stride) }, (_, i) => a[i * stride]);
  return { stride, epoch: pick(o.epoch), ab: pick(o.ab), ab_empirical: pick(o.ab_empirical), stability: pick(o.stability) };
}
const plain = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v instanceof Float64Array ? Array.from(v) : v]));

export class Trainer {
  // post(msg): to this tenant's page side; links(): the Links (worker/shard-pool.js) to the pool's shard
  // services, this worker's own first; tenant: the owner of this tenant's data sets there.
  /** @param {import('../../lib/mesaflow.js').Mesaflow} mf */
  constructor(mf, post, links, tenant) {
    this.mf = mf;
    this.post = post;
    this.links = links;
    this.tenant = tenant;
    this.held = false; // a visible demo of the page is training: no epochs here meanwhile
    this.runs = []; // [{id, s, sent, parallel, layers}]; runs[0] feeds the heatmaps and the mesa view (across depths each run its own)
    this.playing = false; // the play loop runs (what the reader asked for is the page's: element/store.js)
    this.epochsPerSecond = 0; // 0 = as fast as possible
    this.msPerEpoch = null; // running estimate for one run (null: not measured yet, so chunks of 1)
    this.timer = 0;
    this.lastWeights = 0;
    this.lastMesa = 0;
    this.pool = null; // ShardPool while the runs use the parallel path
    this.bytes = 0; // allocated by the current runs over the pool's workers
    this.chain = 0; // the current play loop; an older loop's pending tick ends itself
    this.queue = Promise.resolve();
  }

  // Page messages and play-loop chunks, one at a time in arrival order.
  enqueue(job) {
    this.queue = this.queue.then(() => this.guarded(job));
  }

  // fatal: this worker cannot go on (the module aborted, or a worker it takes sums from died): the page keeps
  // what it has and may start a new worker that resumes from the checkpoints it was sent.
  async guarded(job) {
    try {
      await job();
    } catch (e) {
      const fatal = Boolean(this.mf.aborted || this.pool?.failure);
      // Fatal: no 'stopped' (which would end the page's wish to play): a resumed run plays on.
      if (fatal) this.halt();
      else this.stop('error');
      this.post(toPage.error(why(e), fatal, this.pool?.suspect ?? null));
    }
  }

  // Workers computing these runs' sums: `workers` as set (null: every worker of the page's pool,
  // only when an epoch is worth a round trip), at most the pool's (pool/page-pool.js: one per core);
  // 1 or fewer means the single-worker path. Returns [n, the bytes allocated over the pool].
  workerCount(workers, cfgs, bytes, budget) {
    const most = this.links().length;
    // The flow takes many gradients per epoch: one worker.
    let n = cfgs.some((c) => c.method !== 'gd') ? 1 : Math.min(most, workers == null ? most : Math.floor(workers));
    if (workers == null && cfgs.reduce((f, c) => f + this.mf.epochFlops(c), 0) < PARALLEL_MIN_FLOPS) n = 1;
    // This tenant's sessions hold every run's data sets (bytes); every shard service holds its
    // own copy, one for all runs of the same data and model (compare mode's three runs share it:
    // worker/shard-service.js).
    const shared = new Map(cfgs.map((c) => [shardKey(c), this.mf.estimateBytes(c)]));
    const perWorker = [...shared.values()].reduce((a, b) => a + b, 0);
    while (n > 1 && bytes + n * perWorker > budget) n--;
    return n > 1 ? [n, bytes + n * perWorker] : [1, bytes];
  }

  // A ShardPool over the first n links; returns how many workers are used: 1 if none.
  usePool(n) {
    this.pool?.terminate();
    this.pool = n > 1 ? new ShardPool(this.links().slice(0, n), this.mf.shards, this.tenant) : null;
    return Math.max(1, n);
  }

  // The sums at r's current weights from the pool's shard services, fed to its session.
  async feed(r) {
    const { train, test } = await this.pool.sums(r.id, r.s.weights(), r.s.wantsGradient, r.s.wantsTest);
    r.s.feed(train, test);
  }

  // k epochs of run r, on either path.
  async runEpochs(r, k) {
    if (!r.parallel) {
      r.s.run(k);
      return;
    }
    for (let i = 0; i < k && !r.s.done; i++) {
      r.s.run(1);
      if (r.s.awaitingSums) await this.feed(r);
    }
  }

  // files: readData's {npy?, test_npy?, w?} (a data file's bytes, as createSession's `data`; process
  // fixed's W file, its `w`), or undefined.
  newRuns(specs, parallel, files) {
    const data = files?.npy ? { npy: files.npy, test_npy: files.test_npy } : undefined;
    for (const { id, cfg, resume } of specs) this.runs.push({ id, s: this.mf.createSession(cfg, { externalSums: parallel, resume, data, w: files?.w }), sent: 0, parallel, layers: cfg.layers ?? 1 });
  }

  deleteRuns() {
    for (const r of this.runs) r.s.delete();
    this.runs = [];
  }

  // Posts the history rows not sent yet, with the run's state (its checkpoint without the
  // history: the page keeps the rows it was sent), so that the page can resume the run in a new
  // worker if this one dies. Only the new rows are read from the session: the cost of a chunk
  // does not grow with the rows trained before it.
  sendRows(r) {
    const state = r.s.checkpoint({ history: false }); // null once diverged
    const h = r.s.history(r.sent);
    // Posted even without new rows (eval-every > 1): the page learns the epoch count from here.
    const rows = {};
    for (const [k, v] of Object.entries(h)) if (v instanceof Float64Array) rows[k] = Array.from(v);
    // Each layer's ab per row (a list per row, not a column): the page keeps it for a resume.
    if (Array.isArray(h.ab_layers)) rows.ab_layers = h.ab_layers.map((row) => Array.from(row));
    r.sent += h.epoch.length;
    this.post(toPage.rows(r.id, rows, r.s.epoch, r.s.done, state));
  }

  sendViews(force) {
    const now = performance.now();
    const r = this.runs[0];
    if (!r) return;
    if (force || now - this.lastWeights > WEIGHTS_EVERY_MS) {
      this.lastWeights = now;
      for (const x of this.runs) this.post(toPage.weights(x.id, plain(x.s.weights())));
    }
    if (force || now - this.lastMesa > MESA_EVERY_MS) {
      this.lastMesa = now;
      // The first run's; across depths (runs of different layers) each run's, its model's curve.
      const layers = new Set(this.runs.map((x) => x.layers));
      for (const x of layers.size > 1 ? this.runs : [r]) {
        const mesa = x.s.mesa(force ? MESA_NSEQ_STOPPED : MESA_NSEQ); // null: the model has no mesa view (linear-map)
        if (mesa) this.post(toPage.mesa(x.id, plain(mesa)));
      }
    }
  }

  halt() {
    this.playing = false;
    clearTimeout(this.timer);
  }

  // The tenant is gone (its element left the page, or faulted): no further chunk runs, and its
  // sessions are freed once the job under way (a chunk may be awaiting its shards) is over.
  drop() {
    this.halt();
    this.chain++;
    this.enqueue(() => {
      this.deleteRuns();
      this.usePool(1);
      this.bytes = 0;
    });
  }

  // While held the play loop waits (tick returns); let go, it goes on where it was.
  hold({ held }) {
    const was = this.held;
    this.held = held;
    if (was && !held && this.playing) return this.tick(++this.chain);
  }

  stop(reason) {
    this.halt();
    this.post(toPage.stopped(reason));
  }

  // Runs k epochs of the given runs, posts rows, reports divergence / completion.
  // On the parallel path the runs go together (compare mode's three): each sends its shard
  // requests while the others' are computed, so no worker waits for another's bookkeeping; each
  // run's own steps are in the same order either way, and so are its numbers.
  async advance(k, which) {
    const one = async (r) => {
      if (r.s.done) return;
      const t0 = performance.now();
      await this.runEpochs(r, k);
      const ms = (performance.now() - t0) / k;
      this.msPerEpoch = this.msPerEpoch === null ? ms : 0.7 * this.msPerEpoch + 0.3 * ms;
      this.sendRows(r);
      if (r.s.diverged) this.post(toPage.diverged(r.id, r.s.epoch, r.s.message, r.s.divergence));
    };
    if (which.every((r) => r.parallel)) await Promise.all(which.map(one));
    else for (const r of which) await one(r);
    if (this.runs.some((r) => r.s.diverged)) return 'diverged';
    if (this.runs.every((r) => r.s.done)) return 'done';
    this.sendViews(false);
    return '';
  }

  // The end of training (done, diverged): said first, then the final views (the mesa view of
  // MESA_NSEQ_STOPPED sequences takes a moment).
  finish(end) {
    this.stop(end);
    this.sendViews(true);
  }

  // One chunk of the run that is furthest behind (on the parallel path, of every run), so that
  // with several runs (and slow epochs) pause and reset still answer within about one chunk.
  async tick(loop) {
    if (!this.playing || loop !== this.chain || this.held) return;
    const live = this.runs.filter((r) => !r.s.done);
    const behind = live.reduce((a, b) => (b.s.epoch < a.s.epoch ? b : a), live[0]);
    // The parallel path advances every live run at once (msPerEpoch: an epoch of all of them).
    const together = live.length > 1 && live.every((r) => r.parallel);
    let k = this.msPerEpoch === null ? 1 : Math.max(1, Math.round(CHUNK_MS / Math.max(this.msPerEpoch, 1e-3)));
    let delay = 0;
    const rate = this.epochsPerSecond;
    if (rate > 0) {
      k = Math.max(1, Math.min(k, Math.round(rate * 0.05)));
      delay = Math.max(0, (1000 * k) / (rate * (together ? 1 : live.length)) - (this.msPerEpoch ?? 0) * k);
    }
    const end = await this.advance(k, together ? live : behind ? [behind] : []);
    if (end) return this.finish(end);
    this.timer = setTimeout(() => this.enqueue(() => this.tick(loop)), delay);
  }

  // Every run is checked (validate + memory budget) before any is created. A data file trains on
  // this worker alone (its sessions take no external sums). budget: what the page's pool leaves
  // these runs, others: what the page's other demos hold (pool/page-pool.js).
  async create({ runs: specs, budget, others, workers, data }) {
    this.stop('reset');
    this.deleteRuns();
    let files;
    try {
      files = data ? await readData(data) : undefined;
    } catch (e) {
      return this.post(toPage.invalid(specs[0].id, problemOf(e)));
    }
    for (const { cfg } of specs) {
      const problem = this.mf.validate(cfg);
      if (problem) return this.post(toPage.invalid(specs[0].id, problem));
    }
    const bytes = specs.reduce((sum, { cfg }) => sum + this.mf.estimateBytes(cfg), 0);
    // The page refused such a create itself (model/memory.js, the same formula); checked again
    // here with the module's own estimate, in the same words.
    const problem = memoryProblem(bytes, budget, others, specs.map((r) => r.cfg));
    if (problem) return this.post(toPage.invalid(specs[0].id, problem));
    // A data file trains on this worker alone; a W file's data sets are generated (any worker).
    const [want, allocated] = files?.npy ? [1, bytes] : this.workerCount(workers, specs.map((r) => r.cfg), bytes, budget);
    let n = this.usePool(want);
    this.bytes = allocated;
    try {
      this.newRuns(specs, n > 1, files);
    } catch (e) {
      this.deleteRuns();
      this.usePool(1);
      return this.post(toPage.invalid(specs[0].id, problemOf(e)));
    }
    if (this.pool) {
      try {
        await this.pool.create(specs, files?.w ?? null);
        for (const r of this.runs) if (r.s.awaitingSums) await this.feed(r); // epoch 0, or where a run resumes
      } catch (e) {
        // The other workers' shard services failed: the same training on this worker.
        console.warn(`mesaflow: training on one worker, the sub-workers failed: ${why(e)}`);
        this.deleteRuns();
        n = this.usePool(1);
        this.bytes = bytes;
        this.newRuns(specs, false, files);
      }
    }
    this.msPerEpoch = null;
    const runs = this.runs.map((r) => ({ id: r.id, theory: r.s.theory(), ode: thinOde(r.s.odeCurve()), vanilla_gd: r.s.vanillaGd() }));
    // No capability curve for a file: that curve is a first-token law's, over every T.
    const capability = files?.npy ? null : this.mf.capability(specs[0].cfg, 3, 100000);
    this.post(toPage.created(runs, plain(this.runs[0].s.samples(SAMPLES_N)), this.bytes, n, capability));
    for (const r of this.runs) this.sendRows(r);
    // A run whose loss is not finite at epoch 0 (data that overflow) stopped before its first
    // row: said as a divergence now, as the CLI does, never left to look "finished".
    for (const r of this.runs) if (r.s.diverged) this.post(toPage.diverged(r.id, r.s.epoch, r.s.message, r.s.divergence));
    if (this.runs.some((r) => r.s.diverged)) this.stop('diverged');
    this.sendViews(true);
  }

  // The current runs deleted, none created: the page refused a create itself (element/trainer-client.js).
  clear() {
    this.stop('reset');
    this.deleteRuns();
    this.usePool(1);
    this.bytes = 0;
  }

  // A data file read by the core's reader and checked with cfg; the current runs stay as they are.
  async open({ seq, cfg, data }) {
    const { info, problem } = await checkData(this.mf, cfg, data);
    this.post(toPage.opened(seq, info, problem));
  }

  // Already playing: the new speed, and nothing else (the page may say play again, e.g. after a
  // live change that gave a finished run more epochs).
  play({ speed }) {
    this.epochsPerSecond = speed;
    if (this.playing) return;
    if (!this.runs.length || this.runs.every((r) => r.s.done)) return this.post(toPage.stopped('done'));
    this.playing = true;
    this.post(toPage.playing());
    return this.tick(++this.chain);
  }

  pause() {
    if (this.playing) this.stop('paused');
    this.sendViews(true);
  }

  speed({ speed }) {
    this.epochsPerSecond = speed;
  }

  async step() {
    if (this.playing || !this.runs.length) return;
    const end = await this.advance(1, this.runs);
    if (end) this.finish(end);
    else this.sendViews(true);
  }

  // A live change to every run (s.change), checked on the first before any changes; a run that
  // was done goes on when it has more epochs (the page plays again if it wants to).
  async change({ field, text }) {
    for (const [i, r] of this.runs.entries()) {
      try {
        r.s.change(field, text);
      } catch (e) {
        if (i === 0) return this.post(toPage.refused(problemOf(e)));
        throw e; // the same change to the same configuration: cannot happen
      }
      if (r.parallel && r.s.awaitingSums) await this.feed(r);
      const h = r.s.history();
      this.post(toPage.changed(r.id, thinOde(r.s.odeCurve()), r.s.theory(), h.changes, r.s.epoch, r.s.done));
      this.sendRows(r);
    }
    this.msPerEpoch = null; // another step size or method: measured anew
  }
}
