// s.checkpoint() and createSession(cfg, {resume}): the site's answer to a worker that dies. A run
// stopped anywhere, its checkpoint passed through structuredClone (as postMessage does), and
// resumed in a new session gives the uninterrupted run's numbers bit for bit. Also: bad
// checkpoints and an out-of-memory heap are refused with a message, and the module keeps working.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { load, historyColumns, ROOT } from './helpers.mjs';

const { mf } = await load();
const base = { d: 3, T: 14, m: 60, test_m: 20, epochs: 17, eval_every: 3, lr: 2e-3, init: 'gaussian', sigma_w: 0.2, seed: 5 };

function sameRun(a, b, what) {
  const ha = a.history(), hb = b.history();
  assert.deepEqual(historyColumns(ha), historyColumns(hb), `${what}: columns`);
  assert.ok(historyColumns(hb).length >= 11, `${what}: ${historyColumns(hb)}`);
  for (const k of historyColumns(hb)) assert.deepEqual(Array.from(ha[k]), Array.from(hb[k]), `${what}: ${k}`);
  const wa = a.weights(), wb = b.weights();
  assert.deepEqual(wa.blocks, wb.blocks, `${what}: blocks`);
  for (const { name } of wb.blocks)
    for (const k of [`${name}_re`, `${name}_im`]) assert.deepEqual(Array.from(wa[k]), Array.from(wb[k]), `${what}: ${k}`);
}

test('a run resumed from a checkpoint at any epoch equals the uninterrupted run, bit for bit', () => {
  for (const cfg of [base, { ...base, method: 'flow', lr: 0.4, epochs: 7, eval_every: 2 }, { ...base, x1: 'sparse', init: 'diagonal', clip: true }]) {
    const whole = mf.createSession(cfg);
    whole.run(cfg.epochs);
    for (const stop of [0, 2, 3, cfg.epochs - 1, cfg.epochs]) {
      const first = mf.createSession(cfg);
      first.run(stop);
      const cp = structuredClone(first.checkpoint());
      first.delete();
      assert.equal(cp.epoch, stop);
      const second = mf.createSession(cfg, { resume: cp });
      assert.equal(second.epoch, stop);
      second.run(cfg.epochs);
      assert.equal(second.done, true);
      sameRun(second, whole, `${cfg.method ?? 'gd'} ${cfg.x1 ?? 'gaussian'} stopped at ${stop}`);
      second.delete();
    }
    whole.delete();
  }
});

test('the parallel path resumes too (external sums), and a finished run can go on with more epochs', () => {
  const cfg = { ...base, epochs: 9 };
  const longer = { ...cfg, epochs: 15, eval_every: 1 };
  const whole = mf.createSession(longer);
  whole.run(longer.epochs);
  const short = mf.createSession({ ...cfg, eval_every: 1 });
  short.run(cfg.epochs);
  const w = mf.createShardWorker(longer);
  const c = mf.createSession(longer, { externalSums: true, resume: structuredClone(short.checkpoint()) });
  while (c.awaitingSums) {
    const weights = c.weights();
    c.feed(w.trainSums(weights, 0, mf.shards, c.wantsGradient), c.wantsTest ? w.testSums(weights, 0, mf.shards) : null);
    c.run(1);
  }
  assert.equal(c.epoch, longer.epochs);
  sameRun(c, whole, 'external sums, resumed at the end of a shorter run');
  for (const s of [whole, short, c, w]) s.delete();
});

test('a checkpoint that does not fit is refused naming the part; nothing crashes', () => {
  const s = mf.createSession(base);
  s.run(4);
  const good = s.checkpoint();
  s.delete();
  const spoilt = {
    'not an object': ['checkpoint', 42],
    'a string': ['checkpoint', 'checkpoint'],
    'null': ['checkpoint', null],
    'epoch past epochs': ['checkpoint.epoch', { ...good, epoch: 18 }],
    'epoch negative': ['checkpoint.epoch', { ...good, epoch: -2 }],
    'epoch NaN': ['checkpoint.epoch', { ...good, epoch: NaN }],
    'epoch a string': ['checkpoint.epoch', { ...good, epoch: '4' }],
    'epoch fractional': ['checkpoint.epoch', { ...good, epoch: 2.5 }],
    'weights of another d': ['checkpoint.params', { ...good, weights: { ...good.weights, d: 4 } }],
    'weights short': ['checkpoint.params', { ...good, weights: { ...good.weights, wpv_im: new Float64Array(3) } }],
    'weights NaN': ['checkpoint.params', { ...good, weights: { ...good.weights, wkq_re: good.weights.wkq_re.map((v, i) => (i === 5 ? NaN : v)) } }],
    'weights missing': ['checkpoint.params', { ...good, weights: undefined }],
    'first_loss missing': ['checkpoint.first_loss', { ...good, first_loss: undefined }],
    'first_loss negative': ['checkpoint.first_loss', { ...good, first_loss: -1 }],
    'flow_step Infinity': ['checkpoint.flow_step', { ...good, flow_step: Infinity }],
    'gradient_evaluations negative': ['checkpoint.gradient_evaluations', { ...good, gradient_evaluations: -1 }],
    'history missing': ['checkpoint.history', { ...good, history: undefined }],
    'history column a string': ['checkpoint.history', { ...good, history: { ...good.history, ab: 'abc' } }],
    'history column short': ['checkpoint.history', { ...good, history: { ...good.history, ab: good.history.ab.slice(1) } }],
    'history epochs not rising': ['checkpoint.history', { ...good, history: { ...good.history, epoch: good.history.epoch.map(() => 0) } }],
    'history past the checkpoint': ['checkpoint.history', { ...good, epoch: 2 }],
    'history of 10^8 rows': ['checkpoint.history', { ...good, history: { ...good.history, ratio: new Float64Array(1e8) } }],
  };
  const n = mf.createSession(base).history().epoch.length;
  for (const [what, [part, cp]] of Object.entries(spoilt)) {
    assert.throws(() => mf.createSession(base, { resume: cp }), (e) => {
      assert.equal(e.field, 'checkpoint', what);
      assert.ok(e.message.startsWith(`${part}: `), `${what}: ${e.message}`);
      return true;
    });
  }
  assert.equal(n, 1);
  assert.equal(mf.aborted, '');
  // Still working, and the good checkpoint still resumes.
  const ok = mf.createSession(base, { resume: good });
  assert.equal(ok.epoch, 4);
  ok.run(100);
  assert.equal(ok.done, true);
  ok.delete();
});

// Issue 23: a run of layers 2 or 3 (and softmax) resumed from its checkpoint keeps each layer's ab
// (history.ab_layers, not one of the columns) and every layer's weights, bit for bit; a checkpoint
// without ab_layers (from before it) still resumes, its ab_layers then null; a malformed one is refused.
test('a resumed run of several layers keeps ab_layers and every layer, bit for bit', () => {
  const small = { d: 2, T: 9, m: 20, test_m: 8, epochs: 6, eval_every: 2, lr: 0.002, seed: 9 };
  const same = (a, b, what) => {
    sameRun(a, b, what);  // every column and block
    const la = a.history().ab_layers, lb = b.history().ab_layers;
    assert.equal(la.length, a.history().epoch.length, `${what}: ab_layers rows`);
    assert.deepEqual(la.map((r) => Array.from(r)), lb.map((r) => Array.from(r)), `${what}: ab_layers`);
    const wa = a.weights(), wb = b.weights();
    assert.equal(wa.layers.length, wb.layers.length);
    wa.layers.forEach((l, i) => { for (const k of ['wkq_re', 'wkq_im', 'wpv_re', 'wpv_im']) assert.deepEqual(Array.from(l[k]), Array.from(wb.layers[i][k]), `${what}: layers[${i}].${k}`); });
  };
  for (const cfg of [{ ...small, layers: 2, init: 'gaussian', lr: 2e-4 }, { ...small, layers: 3, method: 'flow', lr: 0.05, clip: true }, { ...small, attention: 'softmax', init: 'gaussian' }]) {
    const whole = mf.createSession(cfg);
    whole.run(cfg.epochs);
    const L = cfg.layers ?? 1;
    assert.ok(whole.history().ab_layers.every((r) => r.length === L), 'one ab per layer');
    assert.equal(whole.weights().layers.length, L);
    for (const stop of [0, 3, 4, cfg.epochs]) {
      const first = mf.createSession(cfg);
      first.run(stop);
      const cp = structuredClone(first.checkpoint());
      first.delete();
      const second = mf.createSession(cfg, { resume: cp });
      second.run(cfg.epochs);
      same(second, whole, `${JSON.stringify(cfg)} stopped at ${stop}`);
      second.delete();
    }
    const first = mf.createSession(cfg);
    first.run(3);
    const cp = first.checkpoint();
    first.delete();
    // From before ab_layers: resumes with the same numbers, and says it has no ab_layers (null).
    const { ab_layers: _, ...without } = cp.history;
    const old = mf.createSession(cfg, { resume: { ...cp, history: without } });
    old.run(cfg.epochs);
    assert.equal(old.history().ab_layers, null);
    sameRun(old, whole, 'without ab_layers');
    old.delete();
    for (const [what, rows] of [['a row short', cp.history.ab_layers.map((r, i) => (i ? r : r.slice(1)))], ['a row missing', cp.history.ab_layers.slice(1)],
      ['not an array', 'abc'], ['a row not an array', cp.history.ab_layers.map(() => 3)]])
      assert.throws(() => mf.createSession(cfg, { resume: { ...cp, history: { ...cp.history, ab_layers: rows } } }),
        (e) => e.field === 'checkpoint' && e.message.startsWith('checkpoint.history: ') && /ab_layers/.test(e.message), what);
    whole.delete();
  }
  assert.equal(mf.aborted, '');
});

test('a diverged run has no checkpoint', () => {
  const s = mf.createSession({ d: 2, T: 10, m: 40, test_m: 16, epochs: 50, lr: 5 });
  s.run(50);
  assert.equal(s.diverged, true);
  assert.equal(s.checkpoint(), null);
  s.delete();
});

test('when the heap cannot grow, createSession says out of memory and the module keeps working', () => {
  // Each of these is under the 1 GiB budget; the module may grow to 2 GiB, so the third cannot fit.
  const big = { d: 5, T: 100, m: 110000, test_m: 1000, epochs: 1 };
  assert.ok(mf.estimateBytes(big) < mf.browserMemoryBudget);
  const held = [];
  let refused = null;
  for (let i = 0; i < 4 && !refused; i++) {
    try {
      held.push(mf.createSession(big));
    } catch (e) {
      refused = e;
    }
  }
  assert.ok(refused, 'a session was refused');
  assert.ok(held.length >= 1 && held.length <= 2, `${held.length} sessions fitted`);
  assert.equal(refused.field, 'm');
  assert.match(refused.message, /out of memory: this configuration needs about \d+ MiB .*reduce m, test-m, T or d/);
  assert.throws(() => mf.createShardWorker(big), /out of memory/);
  assert.equal(mf.aborted, '');
  for (const s of held) s.delete();
  const s = mf.createSession(base);
  s.run(3);
  assert.equal(s.epoch, 3);
  s.delete();
});

// The page's record of a run (site/js/model/runs.js) keeps each layer's ab from the rows the worker
// posts (worker/trainer.js sendRows: s.history(from) and s.checkpoint({history: false})), so the
// create spec it resumes from after a worker fault carries ab_layers, and the resumed session's
// ab_layers equal the uninterrupted run's.
test('the page’s run record resumes a layers run with its ab_layers', async () => {
  const JS = path.join(ROOT, 'build', 'site', 'js');
  if (!fs.existsSync(path.join(JS, 'model', 'runs.js'))) execFileSync(process.execPath, [path.join(ROOT, 'site', 'build.mjs')], { stdio: 'ignore' });
  const { Runs } = await import(pathToFileURL(path.join(JS, 'model', 'runs.js')).href);
  const cfg = { d: 2, T: 9, m: 20, test_m: 8, epochs: 6, lr: 0.05, method: 'flow', seed: 9, layers: 3, a0: 0.1, b0: 0.1 };
  const whole = mf.createSession(cfg);
  whole.run(cfg.epochs);
  const s = mf.createSession(cfg);
  const runs = new Runs();
  runs.created({ runs: [{ id: 1, theory: {}, ode: {}, vanilla_gd: null }] }, [{ cfg }]);
  let sent = 0;
  for (const k of [2, 2]) { // two chunks, as the worker posts them
    s.run(k);
    const h = s.history(sent);
    const rows = {};
    for (const [key, v] of Object.entries(h)) if (v instanceof Float64Array) rows[key] = Array.from(v);
    if (Array.isArray(h.ab_layers)) rows.ab_layers = h.ab_layers.map((row) => Array.from(row));
    sent += h.epoch.length;
    runs.append({ type: 'rows', id: 1, rows, epoch: s.epoch, done: s.done, state: structuredClone(s.checkpoint({ history: false })) });
  }
  s.delete();
  const [spec] = runs.resumeSpecs();
  assert.equal(spec.resume.epoch, 4);
  assert.equal(spec.resume.history.ab_layers.length, 5);
  const resumed = mf.createSession(cfg, { resume: structuredClone(spec.resume) });
  resumed.run(cfg.epochs);
  assert.deepEqual(resumed.history().ab_layers, whole.history().ab_layers);
  assert.ok(resumed.history().ab_layers.every((r) => r.length === 3));
  resumed.delete();
  whole.delete();
});
