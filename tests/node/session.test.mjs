// The session API of wasm/API.md: shapes, run(), divergence, delete().
import test from 'node:test';
import assert from 'node:assert/strict';
import { load, finite, HISTORY_COLUMNS } from './helpers.mjs';

const { mf } = await load();
const cfg = { d: 3, T: 12, m: 40, test_m: 16, epochs: 6, lr: 1e-3, seed: 3 };

test('run(k) advances k epochs, stops at epochs; history has one row per evaluation', () => {
  const s = mf.createSession(cfg);
  assert.equal(s.epoch, 0);
  assert.equal(s.done, false);
  assert.deepEqual(s.run(4), { epoch: 4, done: false, diverged: false, message: '' });
  assert.deepEqual(s.run(100), { epoch: 6, done: true, diverged: false, message: '' });
  assert.deepEqual(s.run(1), { epoch: 6, done: true, diverged: false, message: '' });
  const h = s.history();
  for (const k of HISTORY_COLUMNS) {
    assert.ok(h[k] instanceof Float64Array, k);
    assert.equal(h[k].length, 7, k);
    assert.ok(finite(h[k]), k);
  }
  assert.deepEqual(Array.from(h.epoch), [0, 1, 2, 3, 4, 5, 6]);
  assert.ok(h.train_loss[6] < h.train_loss[0]);
  s.delete();
});

test('eval_every thins the history (epoch 0 and the last epoch always included)', () => {
  const s = mf.createSession({ ...cfg, epochs: 7, eval_every: 3 });
  s.run(7);
  assert.deepEqual(Array.from(s.history().epoch), [0, 3, 6, 7]);
  s.delete();
});

test('weights, samples, mesa and odeCurve have the documented shapes', () => {
  const s = mf.createSession(cfg);
  s.run(cfg.epochs); // the last history row is taken after the last step
  const { d, T } = cfg;
  const w = s.weights();
  assert.equal(w.d, d);
  for (const k of ['wkq_re', 'wkq_im']) assert.equal(w[k].length, 4 * d * d);
  for (const k of ['wpv_re', 'wpv_im']) assert.equal(w[k].length, 2 * d * d);
  // The red block of W_KQ (row d+j, column j) holds a; ab is its mean product with W_PV's.
  let ab = 0;
  for (let j = 0; j < d; j++) ab += w.wkq_re[(d + j) * 2 * d + j] * w.wpv_re[j * 2 * d + j];
  const h = s.history();
  assert.equal(ab / d, h.ab[h.ab.length - 1]);

  const x = s.samples(2);
  assert.deepEqual([x.n, x.T, x.d, x.re.length, x.im.length], [2, T, d, 2 * T * d, 2 * T * d]);
  // x_{t+1} = W x_t with |W_jj| = 1: the modulus of each coordinate is constant along t.
  const mod = (i, t, j) => Math.hypot(x.re[(i * T + t) * d + j], x.im[(i * T + t) * d + j]);
  for (let t = 1; t < T; t++) assert.ok(Math.abs(mod(1, t, 2) - mod(1, 0, 2)) < 1e-12);
  assert.equal(s.samples(1000).n, cfg.m);

  const v = s.mesa(8);
  assert.deepEqual(Array.from(v.t), Array.from({ length: T - 2 }, (_, i) => i + 2));
  for (const k of ['model', 'gd1', 'ls', 'true_w', 'gap']) {
    assert.equal(v[k].length, T - 2, k);
    assert.ok(finite(v[k]), k);
  }

  const o = s.odeCurve();
  assert.equal(o.epoch.length, cfg.epochs + 1);
  assert.equal(o.ab.length, cfg.epochs + 1);
  assert.equal(o.ab_empirical.length, cfg.epochs + 1);
  assert.ok(Math.abs(o.ab[0] - 0.01) < 1e-15);
  s.delete();

  const g = mf.createSession({ ...cfg, init: 'gaussian' });
  assert.equal(g.odeCurve().ab.length, 0);
  g.delete();
});

// Issue 23: every attention model has the mesa view; the K-step GD comparators have the documented
// shape (wasm/API.md), and the one-layer model's ab curves are null for the others.
test('mesa() for every attention model: gd_steps, gd_steps_causal, gd_worth; gd1, gap, not_gd null beyond one linear layer', () => {
  const { T } = cfg;
  for (const extra of [{}, { layers: 2 }, { layers: 4 }, { attention: 'softmax' }]) {
    const s = mf.createSession({ ...cfg, ...extra });
    s.run(cfg.epochs);
    const v = s.mesa(8);
    s.delete();
    const where = JSON.stringify(extra);
    assert.ok(v, where);
    assert.equal(v.model.length, T - 2, where);
    for (const key of ['gd_steps', 'gd_steps_causal']) {
      assert.deepEqual(v[key].map((st) => st.k), [1, 2, 3, 4], `${where} ${key}`);
      for (const st of v[key]) {
        assert.ok(Number.isFinite(st.eta), `${where} ${key} eta`);
        assert.equal(st.error.length, T - 2, `${where} ${key} error`);
        assert.ok(st.error.every((e) => Number.isFinite(e) && e >= 0), `${where} ${key} error`);
      }
    }
    assert.deepEqual(v.gd_steps[0].error, v.gd_steps_causal[0].error, `${where}: K = 1 is one step for both`);
    assert.ok((typeof v.gd_worth === 'number') !== (typeof v.gd_worth_reason === 'string'), `${where}: a number or a reason`);
    const oneLayer = !extra.layers && !extra.attention;
    for (const k of ['gd1', 'gap', 'not_gd']) assert.equal(v[k] === null, !oneLayer, `${where} ${k}`);
  }
  const lm = mf.createSession({ ...cfg, model: 'linear-map' });
  assert.equal(lm.mesa(8), null);
  lm.delete();
});

test('divergence is reported: lr = 5 from a0 = b0 = 2 stops with a message, no NaN in history', () => {
  const s = mf.createSession({ ...cfg, d: 5, T: 100, m: 64, epochs: 50, lr: 5, a0: 2, b0: 2 });
  const r = s.run(50);
  assert.equal(r.diverged, true);
  assert.equal(r.done, true);
  assert.ok(r.epoch < 50);
  assert.match(r.message, /diverged at epoch \d+: .*lr = 5 is too large/);
  assert.equal(s.diverged, true);
  assert.equal(s.message, r.message);
  const h = s.history();
  for (const k of Object.keys(h)) {
    const values = k === 'ab_layers' ? h[k].flat() : h[k]; // a row per evaluation, one ab per layer
    assert.ok(finite(values), `${k}: ${Array.from(values)}`);
  }
  assert.equal(h.ab_layers.length, h.epoch.length);
  assert.ok(h.ab_layers.every((row) => row.length === 1), 'one layer');
  assert.deepEqual(s.run(5), r);
  s.delete();
});

test('method flow runs and records every eval_every epochs', () => {
  const s = mf.createSession({ ...cfg, method: 'flow', epochs: 3, lr: 1 });
  s.run(3);
  assert.equal(s.done, true);
  assert.deepEqual(Array.from(s.history().epoch), [0, 1, 2, 3]);
  s.delete();
});

test('a deleted session throws instead of touching freed memory', () => {
  const s = mf.createSession(cfg);
  s.delete();
  s.delete(); // twice is harmless
  assert.throws(() => s.run(1), /deleted/);
  assert.throws(() => s.epoch, /deleted/);
  assert.throws(() => s.history(), /deleted/);
});

test('run() takes counts like the binding: fractions floor, negatives do nothing', () => {
  const s = mf.createSession(cfg);
  assert.equal(s.run(1.9).epoch, 1);
  assert.equal(s.run(-3).epoch, 1);
  assert.equal(s.run().epoch, 2);
  assert.equal(s.run(Infinity).epoch, cfg.epochs);
  assert.throws(() => s.run('many'), TypeError);
  s.delete();
});
