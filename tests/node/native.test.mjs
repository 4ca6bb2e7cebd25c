// Same seed, same numbers: the wasm session against the native CLI (and the scalar wasm
// build against the SIMD one). The core avoids FMA contraction and keeps one operation
// order, so equality is exact; a failure reports the largest difference.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { load, ROOT } from './helpers.mjs';

const CLI = process.env.MESAFLOW_CLI || path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow');
const SCALAR = path.join(ROOT, 'build', 'wasm-scalar');
const cfg = { d: 3, T: 20, m: 64, test_m: 32, epochs: 5, lr: 1e-3, seed: 7 };

const { mf } = await load();

function runWasm(api, c) {
  const s = api.createSession(c);
  s.run(c.epochs);
  const out = { history: s.history(), weights: s.weights(), theory: s.theory() };
  s.delete();
  return out;
}

// Largest |a - b| and the largest distance in units in the last place, over two arrays.
function gap(a, b) {
  const f = new Float64Array(2);
  const i = new BigInt64Array(f.buffer);
  let abs = 0;
  let ulps = 0n;
  for (let k = 0; k < a.length; k++) {
    abs = Math.max(abs, Math.abs(a[k] - b[k]));
    f[0] = a[k];
    f[1] = b[k];
    const u = i[0] > i[1] ? i[0] - i[1] : i[1] - i[0];
    if (u > ulps) ulps = u;
  }
  return { abs, ulps: Number(ulps) };
}

// Compares every named pair and reports all that differ at once.
function expectSame(pairs) {
  const bad = [];
  for (const [name, actual, expected] of pairs) {
    assert.equal(actual.length, expected.length, `${name}: length`);
    const g = gap(actual, expected);
    if (g.abs !== 0 || g.ulps !== 0) bad.push(`${name} differs by up to ${g.abs} (${g.ulps} ulp)`);
  }
  assert.deepEqual(bad, [], bad.join('; '));
}

test('wasm reproduces the native CLI bit for bit (history and final weights)', (t) => {
  if (!fs.existsSync(CLI)) return t.skip(`${CLI} not built`);
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-')), 'run.json');
  execFileSync(CLI, ['train', '--d', '3', '--T', '20', '--m', '64', '--test-m', '32', '--epochs', '5',
    '--lr', '1e-3', '--seed', '7', '--threads', '1', '--quiet', '--out', out]);
  const native = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  const wasm = runWasm(mf, cfg);

  expectSame([
    ...['epoch', 'train_loss', 'test_loss', 'ab', 'ratio', 'last_mse'].map((k) => [`history.${k}`, wasm.history[k], native.history[k]]),
    ...['wkq_re', 'wkq_im', 'wpv_re', 'wpv_im'].map((k) => [`final.${k}`, wasm.weights[k], native.final[k].flat()]),
    ...['c_star_T', 'c_star_inf', 'c_star_empirical', 'ratio_pred', 'moment_ratio'].map((k) => [`theory.${k}`, [wasm.theory[k]], [native.theory[k]]]),
  ]);
});

test('the scalar wasm build gives the same numbers as the SIMD build', async (t) => {
  if (!fs.existsSync(path.join(SCALAR, 'mesaflow_node.js'))) return t.skip('build/wasm-scalar not built');
  const { mf: scalar } = await load(SCALAR);
  for (const c of [cfg, { ...cfg, x1: 'sparse', init: 'gaussian', clip: true }, { ...cfg, method: 'flow', lr: 1 }]) {
    const a = runWasm(mf, c);
    const b = runWasm(scalar, c);
    expectSame([
      ...Object.keys(a.history).map((k) => [`history.${k}`, a.history[k], b.history[k]]),
      ...['wkq_re', 'wkq_im', 'wpv_re', 'wpv_im'].map((k) => [k, a.weights[k], b.weights[k]]),
    ]);
  }
});
