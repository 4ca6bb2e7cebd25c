// Pure modules of the page, against independent truths: the one-sequence view's forward pass
// (site/js/model/predict.js) gives the core's training loss, and log axes get numbered ticks
// (site/js/model/ticks.js). Imports build/site/js (runs `node site/build.mjs` first if needed).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ROOT, load } from './helpers.mjs';

const JS = path.join(ROOT, 'build', 'site', 'js');
if (!fs.existsSync(path.join(JS, 'model', 'predict.js'))) execFileSync(process.execPath, [path.join(ROOT, 'site', 'build.mjs')], { stdio: 'ignore' });
const { predict } = await import(pathToFileURL(path.join(JS, 'model', 'predict.js')).href);
const { logRange, logSplits } = await import(pathToFileURL(path.join(JS, 'model', 'ticks.js')).href);
const { mf } = await load();

// The training loss L = 1/(2m) sum_seq sum_{t=2}^{T-1} |y_t - x_{t+1}|^2 from predict() over every
// training sequence (m = samples), at the weights of each epoch.
function lossOf(s, w, attention = 'linear') {
  let sum = 0;
  for (let i = 0; i < s.n; i++) {
    const y = predict(s, w, i, attention);
    for (let t = 2; t <= s.T - 1; t++) {
      for (let j = 0; j < s.d; j++) {
        const k = (i * s.T + t) * s.d + j; // x_{t+1}
        sum += (y.re[(t - 2) * s.d + j] - s.re[k]) ** 2 + (y.im[(t - 2) * s.d + j] - s.im[k]) ** 2;
      }
    }
  }
  return sum / (2 * s.n);
}

for (const cfg of [
  { x1: 'gaussian', d: 3, T: 12, m: 6, test_m: 4, init: 'gaussian', sigma_w: 0.3, lr: 0.001, epochs: 3 },
  { x1: 'full-one', d: 2, T: 9, m: 5, test_m: 4, a0: 0.5, b0: 1.5, lr: 0.01, epochs: 3 },
  { x1: 'unit-phase', d: 4, T: 15, m: 3, test_m: 3, lr: 0.05, epochs: 3 },
  // The models of issue 23 (core/THEORY.md §11, §12): the JS forward passes, written from the
  // formulas, against the core's own kernels' loss.
  { x1: 'gaussian', d: 3, T: 12, m: 6, test_m: 4, init: 'gaussian', sigma_w: 0.1, lr: 1e-3, epochs: 3, layers: 2 },
  { x1: 'sparse', d: 2, T: 10, m: 5, test_m: 4, a0: 0.5, b0: 0.5, lr: 0.002, epochs: 3, layers: 3 },
  { x1: 'gaussian', d: 2, T: 8, m: 4, test_m: 4, init: 'gaussian', sigma_w: 0.1, lr: 1e-3, epochs: 3, layers: 4 },
  { x1: 'gaussian', d: 3, T: 12, m: 6, test_m: 4, init: 'gaussian', sigma_w: 0.5, lr: 0.01, epochs: 3, attention: 'softmax' },
  { x1: 'sparse', d: 2, T: 14, m: 5, test_m: 4, lr: 0.05, epochs: 3, attention: 'softmax' },
]) {
  const kind = cfg.layers ? `, layers ${cfg.layers}` : cfg.attention ? `, attention ${cfg.attention}` : '';
  test(`predict() over the training set gives the core's train_loss (${cfg.x1}, init ${cfg.init ?? 'diagonal'}${kind})`, () => {
    const s = mf.createSession(cfg);
    try {
      const samples = s.samples(cfg.m);
      assert.equal(samples.n, cfg.m);
      for (let e = 0; e <= cfg.epochs; e++) {
        const h = s.history();
        const want = h.train_loss[h.epoch.length - 1];
        const got = lossOf(samples, s.weights(), cfg.attention);
        assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `epoch ${e}: ${got} vs train_loss ${want}`);
        s.run(1);
      }
    } finally {
      s.delete();
    }
  });
}

test('log axes: at least three numbered ticks in the range, from a factor 1.05 to 20 decades', () => {
  for (const [a, b] of [[20, 41], [38.4, 44.1], [0.95, 1.05], [2e-6, 3.8e-6], [1e-9, 1], [1e-12, 1e3], [10, 1e5], [0.2, 0.21]]) {
    const [lo, hi] = logRange(a, b);
    assert.ok(lo <= a && hi >= b, `[${a}, ${b}] inside the range [${lo}, ${hi}]`);
    const s = logSplits(lo, hi);
    assert.ok(s.length >= 3 && s.length <= 9, `[${a}, ${b}]: ${s.length} ticks (${s})`);
    assert.ok(s.every((v) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)), `[${a}, ${b}]: ticks inside the range`);
    assert.deepEqual(s, s.slice().sort((x, y) => x - y));
  }
  assert.deepEqual(logSplits(...logRange(20, 41)), [20, 30, 40]);
  assert.deepEqual(logSplits(10, 100000), [10, 100, 1000, 10000, 100000]);
});
