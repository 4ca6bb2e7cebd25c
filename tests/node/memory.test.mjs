// Creating and deleting sessions leaks nothing: the bytes the module's allocator has handed out
// (mallinfo, raw.heapInUse) are the same after 200 cycles as before them, including on the
// refused-config path. (The heap's size would not do: it grows by whole 64 KiB pages and never
// shrinks, so a leak smaller than what was freed before goes unseen.)
import test from 'node:test';
import assert from 'node:assert/strict';
import { load, heapBytes } from './helpers.mjs';

const { mf, raw } = await load();
// About 1 MB of tokens per session ((m + test_m) T d complex doubles): every allocation a cycle makes
// (the sets, the shards, the history, the checkpoints) is there at any m, and the count is exact,
// so m = 200 finds what m = 1000 did at a fifth of the training.
const cfg = { d: 5, T: 50, m: 200, test_m: 64, epochs: 3, lr: 1e-4 };
const inUse = () => raw.heapInUse();

function cycle() {
  const s = mf.createSession(cfg);
  s.run(2);
  s.history();
  s.history(1);
  s.checkpoint();
  s.checkpoint({ history: false });
  s.weights();
  s.samples(3);
  s.mesa(4);
  s.odeCurve();
  s.theory();
  s.delete();
  assert.throws(() => mf.createSession({ ...cfg, lr: 50 }));
  mf.validate({ ...cfg, x1: 'nope' });
}

test('the measure sees a session: its bytes while it lives, none once deleted', () => {
  cycle();
  const before = inUse();
  const s = mf.createSession(cfg);
  const held = inUse() - before;
  // Its data sets alone: (m + test_m) sequences of T tokens of d complex doubles.
  const tokens = (cfg.m + cfg.test_m) * cfg.T * cfg.d * 16;
  assert.ok(held >= tokens, `a live session holds ${held} bytes, its tokens alone ${tokens}`);
  assert.ok(held <= 4 * mf.estimateBytes(cfg), `a live session holds ${held} bytes, estimated ${mf.estimateBytes(cfg)}`);
  s.delete();
  assert.equal(inUse(), before);
});

test('200 create/run/delete cycles leave the allocated bytes unchanged', () => {
  for (let i = 0; i < 10; i++) cycle();
  const before = inUse();
  const pages = heapBytes(raw);
  for (let i = 0; i < 200; i++) cycle();
  const after = inUse();
  assert.equal(after, before, `allocated bytes grew from ${before} to ${after}`);
  assert.equal(heapBytes(raw), pages, 'the heap grew');
  assert.ok(before < 64 * 2 ** 20, `${before} bytes allocated after warm-up`);
});
