// The linear-map baseline (core/THEORY.md §9) through the JS API: `model: 'linear-map'` in a
// config trains y_hat = A x, and its history, weights and theory equal the native CLI's bit for bit
// (null in the CLI's JSON where the attention model's quantities do not exist, NaN here).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { load, historyColumns, CLI, runCli } from './helpers.mjs';
import { predict } from '../../site/js/model/predict.js';

const { mf } = await load();

// Every column the CLI wrote, value for value: the same double, or NaN where the CLI has null.
function sameColumns(wasm, native, what) {
  const cols = historyColumns(native);
  assert.deepEqual(historyColumns(wasm), cols, `${what}: columns`);
  for (const k of cols) {
    assert.equal(wasm[k].length, native[k].length, `${what}.${k}: length`);
    for (let i = 0; i < native[k].length; i++) {
      const want = native[k][i];
      if (want === null) assert.ok(Number.isNaN(wasm[k][i]), `${what}.${k}[${i}]: ${wasm[k][i]}, expected NaN (null)`);
      else assert.ok(Object.is(wasm[k][i], want), `${what}.${k}[${i}]: ${wasm[k][i]} against ${want}`);
    }
  }
}

for (const method of ['gd', 'flow']) {
  test(`linear-map (${method}) through the JS API equals the native CLI bit for bit`, (t) => {
    if (!fs.existsSync(CLI)) return t.skip(`${CLI} not built`);
    const cfg = { model: 'linear-map', method, d: 3, T: 12, m: 40, test_m: 24, epochs: 15, lr: 0.02, seed: 5, init: 'gaussian' };
    const native = runCli(['--model', 'linear-map', '--method', method, '--d', '3', '--T', '12', '--m', '40', '--test-m', '24',
      '--epochs', '15', '--lr', '0.02', '--seed', '5', '--init', 'gaussian']);
    const s = mf.createSession(cfg);
    s.run(cfg.epochs);
    assert.ok(s.done && !s.diverged);
    const h = s.history();
    const w = s.weights();
    sameColumns(h, native.history, 'history');
    assert.equal(native.config.model, 'linear-map');
    // The model's one block, A (d x d), and nothing of the attention model.
    assert.deepEqual(s.blocks(), [{ name: 'a', label: 'A', rows: 3, cols: 3 }]);
    assert.deepEqual(w.blocks, s.blocks());
    assert.equal(w.model, 'linear-map');
    assert.equal(w.wkq_re, undefined);
    for (const k of ['a_re', 'a_im']) assert.deepEqual(Array.from(w[k]), native.final[k].flat(), k);
    // The training loss fell; the theory's predictions are null with §9 as the reason; no mesa view.
    assert.ok(h.train_loss[h.train_loss.length - 1] < h.train_loss[0]);
    const th = s.theory();
    assert.equal(th.applies, false);
    assert.equal(th.c_star_T, null);
    assert.match(th.reason, /§9/);
    assert.equal(s.mesa(8), null);
    // A checkpoint of the linear map resumes bit for bit.
    const half = mf.createSession(cfg);
    half.run(7);
    const cp = half.checkpoint();
    const rest = mf.createSession(cfg, { resume: cp });
    rest.run(cfg.epochs);
    assert.deepEqual(Array.from(rest.weights().a_re), Array.from(w.a_re));
    for (const x of [s, half, rest]) x.delete();
  });
}

test('the page\'s JS forward pass of linear-map is A x (checked against the weights by hand)', () => {
  const s = mf.createSession({ model: 'linear-map', d: 2, T: 6, m: 8, test_m: 8, epochs: 2, lr: 0.05, init: 'gaussian' });
  s.run(2);
  const w = s.weights();
  const smp = s.samples(1);
  const y = predict(smp, w, 0);
  const { d, T } = smp;
  for (let t = 2; t <= T - 1; t++)
    for (let a = 0; a < d; a++) {
      let re = 0;
      for (let b = 0; b < d; b++) {
        const k = (t - 1) * d + b;
        re += w.a_re[a * d + b] * smp.re[k] - w.a_im[a * d + b] * smp.im[k];
      }
      assert.ok(Math.abs(y.re[(t - 2) * d + a] - re) < 1e-15, `t ${t} coordinate ${a}`);
    }
  s.delete();
});

test('a model that is not registered is refused naming the field and the choices', () => {
  assert.throws(() => mf.createSession({ model: 'softmax' }), (e) => e.field === 'model' && /one of attention, linear-map/.test(e.message));
  const f = mf.fields().find((r) => r.key === 'model');
  assert.deepEqual(f.choices, ['attention', 'linear-map']);
  assert.equal(f.default, 'attention');
});
