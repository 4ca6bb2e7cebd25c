// The browser's parallel path in node, through the page's own modules (site/js/worker, as
// site/build.mjs ships them): the worker's Trainer coordinates runs whose sums come from a
// ShardPool (worker/shard-pool.js) over ShardServices (worker/shard-service.js) in three module
// instances (three "workers"), linked by MessageChannels as the page's pool links its workers (so
// every request and answer is structured-cloned). Its history (every column) and final weights
// equal a plain session's bit for bit; divergence is found the same way; and each chunk reads and
// posts only the rows it trained. Imports build/site/js (runs `node site/build.mjs` first if needed).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { load, ROOT, historyColumns } from './helpers.mjs';

const JS = path.join(ROOT, 'build', 'site', 'js');
if (!fs.existsSync(path.join(JS, 'worker', 'trainer.js'))) execFileSync(process.execPath, [path.join(ROOT, 'site', 'build.mjs')], { stdio: 'ignore' });
const site = (f) => import(pathToFileURL(path.join(JS, f)).href);
const { Trainer } = await site('worker/trainer.js');
const { Link } = await site('worker/shard-pool.js');
const { ShardService } = await site('worker/shard-service.js');

const WORKERS = 3;
const modules = await Promise.all(Array.from({ length: WORKERS }, () => load()));
const { mf } = modules[0];

// The links of worker 0's trainer: its own service answered in place (as worker/pool-worker.js
// does), the others over a MessageChannel each.
const channels = [];
function links() {
  const services = modules.map((m) => new ShardService(m.mf));
  const local = new Link((msg) => queueMicrotask(() => local.answer(services[0].handle(msg)[0])));
  const out = [local];
  for (let i = 1; i < WORKERS; i++) {
    const { port1, port2 } = new MessageChannel();
    channels.push(port1, port2);
    const link = new Link((msg) => port1.postMessage(msg), i);
    port1.onmessage = ({ data }) => link.answer(data);
    port2.onmessage = ({ data }) => port2.postMessage(...services[i].handle(data));
    out.push(link);
  }
  return out;
}
test.after(() => channels.forEach((p) => p.close()));

// A trainer of one tenant, its messages to the page in `sent`; runs: [{id, cfg}] (completed
// with mf.defaults(), as the page's configurations are).
// data: the page's `data` of toWorker.create (null: generated; {w: Blob, w_name}: process fixed's W file).
async function trainer(runs, workers, data = null) {
  const sent = [];
  const all = links();
  const t = new Trainer(mf, (msg) => sent.push(msg), () => all, 'tenant-1');
  await t.create({ runs: runs.map((r) => ({ ...r, cfg: { ...mf.defaults(), ...r.cfg } })), budget: 2 ** 30, others: 0, workers, data });
  return { t, sent };
}
const byType = (sent, type) => sent.filter((m) => m.type === type);

// The rows messages of run id joined into one history.
function joined(sent, id) {
  const rows = byType(sent, 'rows').filter((m) => m.id === id);
  const cols = Object.keys(rows[0].rows);
  return Object.fromEntries(cols.map((k) => [k, rows.flatMap((m) => m.rows[k])]));
}

function plain(cfg, options = {}) {
  const s = mf.createSession(cfg, options);
  s.run(Infinity);
  const out = { history: s.history(), weights: s.weights(), diverged: s.diverged, message: s.message, epoch: s.epoch };
  s.delete();
  return out;
}

async function stepToEnd(t, cfg) {
  for (let i = 0; i < cfg.epochs && !t.runs.every((r) => r.s.done); i++) await t.step();
}

test('the Trainer on the parallel path (ShardPool over three ShardServices) equals a plain session bit for bit', async () => {
  for (const cfg of [
    { d: 3, T: 12, m: 301, test_m: 45, epochs: 8, eval_every: 3, lr: 1e-3, seed: 4 },
    { d: 2, T: 9, m: 100, test_m: 20, epochs: 5, lr: 1e-3, clip: true, init: 'gaussian', seed: 2 },
  ]) {
    const { t, sent } = await trainer([{ id: 'r0', cfg }], WORKERS);
    const created = byType(sent, 'created')[0];
    assert.equal(created.workers, WORKERS, 'the parallel path, on every worker');
    assert.ok(t.runs[0].parallel && t.pool);
    await stepToEnd(t, cfg);
    const want = plain(cfg);
    const got = joined(sent, 'r0');
    const cols = historyColumns(want.history);
    assert.ok(cols.length >= 11, String(cols));
    assert.deepEqual(Object.keys(got).sort(), [...cols, 'ab_layers'].sort()); // the columns and each layer's ab per row
    for (const k of cols) assert.deepEqual(got[k], Array.from(want.history[k]), k);
    assert.deepEqual(got.ab_layers, want.history.ab_layers.map((r) => Array.from(r)), 'ab_layers');
    const w = t.runs[0].s.weights();
    for (const k of ['wkq_re', 'wkq_im', 'wpv_re', 'wpv_im']) assert.deepEqual(Array.from(w[k]), Array.from(want.weights[k]), k);
    assert.equal(t.runs[0].s.epoch, want.epoch);
    t.drop();
  }
});

// A (d, d) float64 W as a .npy file (format 1.0, the header padded to 64 bytes).
function wNpy(d, values) {
  let h = `{'descr': '<f8', 'fortran_order': False, 'shape': (${d}, ${d}), }`;
  h += ' '.repeat((64 - ((10 + h.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0, h.length & 0xff, h.length >> 8]), Buffer.from(h, 'latin1')]);
  return new Uint8Array(Buffer.concat([head, Buffer.from(new Float64Array(values).buffer)]));
}

test('process fixed with a W file: the parallel path (every shard service given the file) equals one session on it, bit for bit', async () => {
  const w = wNpy(3, [0.6, -0.3, 0.1, 0.2, 0.7, -0.2, 0.0, 0.4, 0.5]);
  for (const precision of ['double', 'single']) {
    const cfg = { d: 3, T: 11, m: 200, test_m: 40, epochs: 6, eval_every: 2, lr: 1e-3, seed: 6, process: 'fixed', noise: 0.05, precision };
    const { t, sent } = await trainer([{ id: 'r0', cfg }], WORKERS, { w: new Blob([w]), w_name: 'w.npy' });
    assert.equal(byType(sent, 'created')[0]?.workers, WORKERS, `the parallel path, on every worker (${JSON.stringify(byType(sent, 'invalid'))})`);
    await stepToEnd(t, cfg);
    const want = plain({ ...mf.defaults(), ...cfg }, { w });
    const got = joined(sent, 'r0');
    for (const k of historyColumns(want.history)) assert.deepEqual(got[k], Array.from(want.history[k]), `${precision} ${k}`);
    const fin = t.runs[0].s.weights();
    for (const k of ['wkq_re', 'wkq_im', 'wpv_re', 'wpv_im']) assert.deepEqual(Array.from(fin[k]), Array.from(want.weights[k]), `${precision} ${k}`);
    // The file is what the runs trained on: the W drawn from the seed gives another training loss.
    const seeded = plain({ ...mf.defaults(), ...cfg });
    assert.notDeepEqual(Array.from(seeded.history.train_loss), got.train_loss, `${precision}: the file's W, not the seed's`);
    t.drop();
  }
});

test('divergence is found the same way on the parallel path', async () => {
  const cfg = { d: 2, T: 10, m: 40, test_m: 16, epochs: 50, lr: 5 };
  const { t, sent } = await trainer([{ id: 'r0', cfg }], WORKERS);
  assert.ok(t.runs[0].parallel);
  await stepToEnd(t, cfg);
  const want = plain(cfg);
  assert.ok(want.diverged);
  const d = byType(sent, 'diverged');
  assert.equal(d.length, 1);
  assert.equal(d[0].message, want.message);
  assert.equal(d[0].epoch, want.epoch);
  assert.deepEqual(joined(sent, 'r0').train_loss, Array.from(want.history.train_loss));
  t.drop();
});

test('each chunk reads and posts only the rows it trained, with the run state but no history', async () => {
  const cfg = { d: 3, T: 10, m: 64, test_m: 16, epochs: 400, lr: 1e-3, seed: 3 };
  const { t, sent } = await trainer([{ id: 'r0', cfg }], 1);
  // What the session hands to JS: the rows of each history() call.
  const s = t.runs[0].s;
  const read = [];
  const history = s.history.bind(s);
  s.history = (from) => {
    const h = history(from);
    read.push(h.epoch.length);
    return h;
  };
  for (let i = 0; i < 400; i++) await t.step();
  const rows = byType(sent, 'rows').slice(1); // the first: epoch 0, sent by create
  assert.equal(rows.length, 400);
  assert.ok(rows.every((m) => m.rows.epoch.length === 1), 'one row per epoch stepped');
  assert.deepEqual(read, rows.map(() => 1), 'one row read from the session per chunk');
  for (const m of rows) {
    assert.equal(m.state.history, undefined, 'the state carries no history');
    assert.equal(m.state.epoch, m.epoch);
  }
  // The page resumes from such a state with the rows it kept: the same run.
  const kept = joined(sent, 'r0');
  const last = rows.at(-1).state;
  const resumed = mf.createSession(cfg, { resume: { ...last, history: { ...kept, changes: [] } } });
  assert.equal(resumed.epoch, 400);
  assert.deepEqual(Array.from(resumed.history().ab), kept.ab);
  resumed.delete();
  t.drop();
});

test('wrong use of external sums is refused with an error, not a crash', () => {
  const cfg = { d: 2, T: 8, m: 30, test_m: 10, epochs: 3 };
  assert.throws(() => mf.createSession({ ...cfg, method: 'flow' }, { externalSums: true }), (e) => e.field === 'method');
  const c = mf.createSession(cfg, { externalSums: true });
  assert.equal(c.awaitingSums, true);
  assert.equal(c.history().epoch.length, 0);
  assert.equal(c.run(1).epoch, 0, 'no step before the sums of epoch 0');
  assert.throws(() => c.feed(new Float64Array(3)), /all shards/);
  const w = mf.createShardWorker(cfg);
  assert.throws(() => w.trainSums(c.weights(), 0, 33, true), RangeError);
  assert.throws(() => w.trainSums({ ...c.weights(), d: 3 }, 0, 1, true), RangeError);
  c.feed(w.trainSums(c.weights(), 0, mf.shards, true));
  assert.equal(c.history().epoch.length, 1);
  assert.throws(() => c.feed(w.trainSums(c.weights(), 0, mf.shards, true)), /no sums are awaited/);
  assert.throws(() => mf.createShardWorker({ ...cfg, d: 0 }), (e) => e.field === 'd');
  w.delete();
  c.delete();
});
