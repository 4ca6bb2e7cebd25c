// The browser's parallel path in node: a session with external sums fed by shard workers
// equals a normal session bit for bit (history and final weights).
import test from 'node:test';
import assert from 'node:assert/strict';
import { load } from './helpers.mjs';

const { mf } = await load();
const COLUMNS = ['epoch', 'train_loss', 'test_loss', 'ab', 'ratio', 'last_mse'];

function concat(parts) {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// Runs a coordinator to the end with the shards split into the given ranges, one worker each.
function runParallel(cfg, ranges) {
  const c = mf.createSession(cfg, { externalSums: true });
  const workers = ranges.map(() => mf.createShardWorker(cfg));
  while (c.awaitingSums) {
    const w = c.weights();
    const train = concat(workers.map((wk, i) => wk.trainSums(w, ranges[i][0], ranges[i][1], c.wantsGradient)));
    const test = c.wantsTest ? concat(workers.map((wk, i) => wk.testSums(w, ranges[i][0], ranges[i][1]))) : null;
    c.feed(train, test);
    c.run(1);
  }
  for (const wk of workers) wk.delete();
  return c;
}

const same = (a, b, what) => assert.deepEqual(Array.from(a), Array.from(b), what);

test('a session fed by two shard workers equals a normal session bit for bit', () => {
  for (const cfg of [
    { d: 3, T: 12, m: 301, test_m: 45, epochs: 8, eval_every: 3, lr: 1e-3, seed: 4 },
    { d: 2, T: 9, m: 100, test_m: 20, epochs: 5, lr: 1e-3, clip: true, init: 'gaussian', seed: 2 },
  ]) {
    const s = mf.createSession(cfg);
    s.run(Infinity);
    const c = runParallel(cfg, [[0, 16], [16, mf.shards]]);
    for (const k of COLUMNS) same(c.history()[k], s.history()[k], k);
    for (const k of ['wkq_re', 'wkq_im', 'wpv_re', 'wpv_im']) same(c.weights()[k], s.weights()[k], k);
    assert.deepEqual([c.epoch, c.done, c.diverged], [s.epoch, s.done, false]);
    s.delete();
    c.delete();
  }
});

test('divergence is detected the same way on the parallel path', () => {
  const cfg = { d: 2, T: 10, m: 40, test_m: 16, epochs: 50, lr: 5 };
  const s = mf.createSession(cfg);
  s.run(Infinity);
  const c = runParallel(cfg, [[0, 5], [5, 20], [20, 32]]);
  assert.ok(s.diverged && c.diverged);
  assert.equal(c.message, s.message);
  assert.equal(c.epoch, s.epoch);
  same(c.history().train_loss, s.history().train_loss, 'train_loss');
  s.delete();
  c.delete();
});

test('wrong use is refused with an error, not a crash', () => {
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
