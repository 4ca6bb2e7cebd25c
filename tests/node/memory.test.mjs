// Creating and deleting sessions does not grow the wasm heap (nothing leaks per session,
// including on the refused-config path).
import test from 'node:test';
import assert from 'node:assert/strict';
import { load, heapBytes } from './helpers.mjs';

const { mf, raw } = await load();
// About 1.3 MB of tokens per session: a leak over 200 cycles would need 260 MB more heap.
const cfg = { d: 5, T: 50, m: 1000, test_m: 64, epochs: 3, lr: 1e-4 };

function cycle() {
  const s = mf.createSession(cfg);
  s.run(2);
  s.history();
  s.weights();
  s.samples(3);
  s.mesa(4);
  s.odeCurve();
  s.theory();
  s.delete();
  assert.throws(() => mf.createSession({ ...cfg, lr: 50 }));
  mf.validate({ ...cfg, x1: 'nope' });
}

test('200 create/run/delete cycles leave the heap size unchanged', () => {
  for (let i = 0; i < 10; i++) cycle();
  const before = heapBytes(raw);
  for (let i = 0; i < 200; i++) cycle();
  const after = heapBytes(raw);
  assert.equal(after, before, `heap grew from ${before} to ${after} bytes`);
  assert.ok(before < 64 * 2 ** 20, `heap ${before} bytes after warm-up`);
});
