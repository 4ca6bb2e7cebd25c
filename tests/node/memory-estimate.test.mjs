// The page's memory estimate (site/js/model/memory.js, evaluating the core's terms generated into
// js/model/core-tables.js) against the core's own estimate_bytes, through the module
// (mf.estimateBytes): the same number to the bit on a grid of configurations (both models, both
// precisions, m and test-m around the packs' sizes up to their largest, T and d from their least
// to their largest). The page's refusal of runs that do not fit is the core's memory refusal
// (budget.hpp memory_problem: the CLI's words and fields) with the page's budget in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { load, ROOT, CLI } from './helpers.mjs';

const JS = path.join(ROOT, 'build', 'site', 'js');
if (!fs.existsSync(path.join(JS, 'model', 'memory.js'))) execFileSync(process.execPath, [path.join(ROOT, 'site', 'build.mjs')], { stdio: 'ignore' });
const { estimateBytes, memoryProblem } = await import(pathToFileURL(path.join(JS, 'model', 'memory.js')).href);
const { MEMORY_TERMS } = await import(pathToFileURL(path.join(JS, 'model', 'core-tables.js')).href);
const { mf } = await load();

const range = (key) => mf.fields().find((f) => f.key === key);
// Every model kind (registry.cpp model_of): each model, attention softmax, and 2..4 layers.
const KINDS = [{ model: 'attention' }, { model: 'linear-map' }, { model: 'attention', attention: 'softmax' },
  ...[2, 3, 4].map((layers) => ({ model: 'attention', layers }))];

test('the page’s estimate is the core’s estimate_bytes to the bit on a grid of configurations', () => {
  const models = range('model').choices;
  const precisions = range('precision').choices;
  assert.deepEqual(models, ['attention', 'linear-map']);
  assert.deepEqual(precisions, ['double', 'single']);
  assert.equal(range('layers').max, 4);
  // A term set per model kind, no more.
  assert.deepEqual(Object.keys(MEMORY_TERMS.terms).sort(), [...models, 'attention/softmax', 'attention/layers-2', 'attention/layers-3', 'attention/layers-4'].sort());
  assert.equal(MEMORY_TERMS.layout, 'tokens'); // the module holds generated sets as tokens
  const ms = [1, 7, 8, 9, 15, 16, 17, 33, 1000, 12345, 10000, range('m').max - 1, range('m').max];
  const Ts = [range('T').min, 4, 100, 999, range('T').max];
  const ds = [range('d').min, 2, 5, 8, 17, range('d').max];
  let n = 0;
  for (const kind of KINDS) {
    for (const precision of precisions) {
      for (const m of ms) {
        for (const test_m of [1, 16, 17, 10000, range('test_m').max]) {
          for (const T of Ts) {
            for (const d of ds) {
              const cfg = { ...mf.defaults(), ...kind, precision, m, test_m, T, d };
              const core = mf.estimateBytes(cfg);
              const where = JSON.stringify({ ...kind, precision, m, test_m, T, d });
              assert.ok(core > 0, where);
              assert.equal(estimateBytes(cfg), core, where);
              // Sets from a file are held as tokens, as generated ones are in the module.
              assert.equal(estimateBytes(cfg, true), core, where);
              n++;
            }
          }
        }
      }
    }
  }
  assert.equal(n, KINDS.length * 2 * ms.length * 5 * Ts.length * ds.length);
});

test('the estimate depends on what the core’s does: a setting of another model or precision is another number', () => {
  const base = { ...mf.defaults(), m: 100, test_m: 30, T: 20, d: 6 };
  const seen = new Set();
  for (const kind of KINDS) {
    for (const precision of ['double', 'single']) {
      const cfg = { ...base, ...kind, precision };
      assert.equal(estimateBytes(cfg), mf.estimateBytes(cfg));
      seen.add(estimateBytes(cfg));
    }
  }
  assert.equal(seen.size, 2 * KINDS.length);
  // Other settings (the step, the epochs, the initialisation) are not in it, as in the core's.
  const other = { ...base, lr: 0.01, epochs: 7, init: 'gaussian', seed: 9 };
  assert.equal(estimateBytes(other), mf.estimateBytes(other));
  assert.equal(estimateBytes(other), estimateBytes(base));
  assert.throws(() => estimateBytes({ ...base, model: 'softmax' }), /no memory terms for model softmax/);
});

// Issue 23: counted by hand from the passes' scratch (layers.cpp LayerScan: (4 L + 2) complex D x D
// matrices, D = 2d, and at most (3 L + 5) T D complex numbers per sequence's scan; softmax.cpp: a
// sequence's tokens and a row of T scores and their gradients), beside the same data sets; and a
// setting that fits with one layer but not with four is refused by the page (model/memory.js) and
// by the module, in the same words and fields.
test('layers and softmax are in the estimate, and a setting too big for four layers is refused naming the fields', () => {
  const base = { ...mf.defaults(), m: 100, test_m: 30, T: 50, d: 4 };
  const { d, T } = base;
  const D = 2 * d;
  const one = estimateBytes(base);
  const oneScratch = MEMORY_TERMS.terms.attention.double.scratch_d2 * d * d;
  for (const L of [2, 3, 4]) {
    const cfg = { ...base, layers: L };
    assert.equal(estimateBytes(cfg), mf.estimateBytes(cfg));
    assert.equal(estimateBytes(cfg) - (one - oneScratch), 16 * (4 * L + 2) * D * D + 16 * (3 * L + 5) * T * D, `layers ${L}`);
  }
  const soft = { ...base, attention: 'softmax' };
  assert.equal(estimateBytes(soft), mf.estimateBytes(soft));
  assert.equal(estimateBytes(soft) - MEMORY_TERMS.terms['attention/softmax'].double.scratch_d2 * d * d - (one - oneScratch), 16 * T * d + 16 * T);

  // Long sequences: the largest m that fits with one layer does not fit with four.
  const budget = 2 ** 30;
  const long = { ...mf.defaults(), T: 20000, d: 5, test_m: 1, epochs: 1 };
  let lo = 1, hi = 1e6; // estimateBytes({m: lo}) <= budget < estimateBytes({m: hi})
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (estimateBytes({ ...long, m: mid }) <= budget) lo = mid;
    else hi = mid;
  }
  const fits = { ...long, m: lo };
  const deep = { ...fits, layers: 4 };
  assert.equal(memoryProblem(estimateBytes(fits), budget), null);
  const p = memoryProblem(estimateBytes(deep), budget, 0, [deep]);
  assert.ok(p, 'four layers do not fit');
  // The refusal names layers beside the sizes (budget.hpp cost_field), as the core's own does.
  assert.deepEqual(p.fields, ['m', 'test-m', 'T', 'd', 'layers']);
  assert.match(p.message, /^m, test-m, T, d, layers: this setting needs about \d+ MiB, more than the budget of 1024 MiB in this browser; reduce m, test-m, T or layers$/);
  const core = mf.validate(deep);
  assert.equal(core.field, 'm');
  assert.deepEqual(core.fields, p.fields);
  assert.match(core.message, /; reduce m, test-m, T or layers$/);
  // Softmax attention names attention; runs of several kinds (compare across depths) the deepest's words.
  const softP = memoryProblem(2 * budget, budget, 0, [{ ...fits, attention: 'softmax' }]);
  assert.deepEqual(softP.fields, ['m', 'test-m', 'T', 'd', 'attention']);
  assert.match(softP.message, /; reduce m, test-m or T, or use attention linear$/);
  assert.deepEqual(memoryProblem(2 * budget, budget, 0, [fits, deep]).fields, p.fields);
  assert.deepEqual(memoryProblem(2 * budget, budget, 0, [fits]).fields, ['m', 'test-m', 'T', 'd']);
  assert.notEqual(mf.validate(fits)?.field, 'm', 'one layer fits the module too');
});

test('runs that do not fit are refused in the core’s words and fields; runs that fit are not', () => {
  const budget = 2 ** 30;
  const big = { ...mf.defaults(), m: 200000, T: 500, d: 5 };
  const bytes = estimateBytes(big);
  assert.ok(bytes > budget);
  const p = memoryProblem(bytes, budget);
  assert.equal(p.field, 'm');
  assert.deepEqual(p.fields, ['m', 'test-m', 'T', 'd']);
  assert.equal(p.message, `m, test-m, T, d: this setting needs about ${Math.round(bytes / 2 ** 20)} MiB, more than the budget of 1024 MiB in this browser; reduce m, test-m or T`);
  assert.equal(memoryProblem(bytes, budget, 300 * 2 ** 20).message.includes('(the other demos of this page hold 300 MiB)'), true);
  // Compare mode: three runs of the same setting count three times.
  const small = { ...mf.defaults(), m: 5000, T: 1000, d: 5, test_m: 1000 };
  const one = estimateBytes(small);
  assert.ok(one < budget && 3 * one > budget, `${one}`);
  assert.equal(memoryProblem(one, budget), null);
  assert.notEqual(memoryProblem(3 * one, budget), null);
  // The module refuses the big one itself (its validate, with its own estimate): the same field and fields.
  const core = mf.validate(big);
  assert.equal(core.field, p.field);
  assert.deepEqual(core.fields, p.fields);
  assert.match(core.message, /^m, test-m, T, d: this setting needs about [\d.]+ GiB, more than the budget of 1\.00 GiB; reduce m, test-m or T$/);
});

// The native build holds generated sets as (x_1, lambda) (config.hpp kGeneratedLayout): the same
// terms with the compact layout give the command line's number, as it prints it (GiB, 2 decimals).
test('the refusal reads as the command line’s, whose number is the same terms with the native layout', { skip: !fs.existsSync(CLI) && 'no native build' }, () => {
  for (const [model, precision] of [['attention', 'double'], ['linear-map', 'single']]) {
    const cfg = { ...mf.defaults(), model, precision, m: 10000000, test_m: 10000000, d: 32 };
    const r = spawnSync(CLI, ['train', '--model', model, '--precision', precision, '--m', '10000000', '--test-m', '10000000', '--d', '32', '--quiet'], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    const line = r.stderr.split('\n')[0];
    const native = estimateBytes(cfg, false, 'compact');
    assert.ok(native > 16 * 2 ** 30 && native < estimateBytes(cfg));
    assert.equal(line, `mesaflow: --m, test-m, T, d: this setting needs about ${(native / 2 ** 30).toFixed(2)} GiB, more than the budget of 16.00 GiB; reduce m, test-m or T`);
    // The page's words are the same template with its own budget and unit.
    const words = (s) => s.replace(/about [\d.]+ (GiB|MiB)/, 'about N').replace(/budget of [\d.]+ (GiB|MiB)( in this browser)?/, 'budget of B');
    assert.equal(words(line), `mesaflow: --${words(memoryProblem(estimateBytes(cfg), 2 ** 30).message)}`);
  }
});
