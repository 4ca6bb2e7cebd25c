// Issue 23's models on the page: L layers of linear attention and softmax attention (core/THEORY.md
// §11, §12). Their settings and refusals, their presets trained in Chromium with every caption
// checked against the run's numbers (the command line's document of the same run, computed
// natively: the page's WebAssembly gives the same bits, so its history, weights and mesa view are
// an independent truth for what the page says), each layer's heatmaps, compare across depths, and
// the budgets' refusals naming layers and attention. Screenshots in build/artifacts/screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { setup, teardown, openPage, waitReady, trainToEnd, shadow, screenshot, openSettings, setField, ROOT, SITE } from './helpers.mjs';

const CLI = path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow');
const { PRESETS } = await import(pathToFileURL(path.join(SITE, 'js', 'model', 'presets.js')).href);
const { load } = await import('../node/helpers.mjs');
const { mf } = await load();
const MESA_NSEQ = 64; // the page's mesa view once training stops (worker/trainer.js MESA_NSEQ_STOPPED)

let ctx, dir;
before(async () => {
  ctx = await setup();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-models-'));
});
after(async () => {
  await teardown(ctx);
  fs.rmSync(dir, { recursive: true, force: true });
});

const num = (v) => (Math.abs(v) >= 1e-3 || v === 0 ? Number(v.toPrecision(4)).toString() : v.toExponential(2));
const texts = (page, selector) => page.evaluate((s) => [...document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll(s)].map((n) => n.textContent), selector);
const demo = (page, f, arg) => page.evaluate(f, arg);

// The command line's document of the run of `values` (URL names, as a preset's) with `extra`
// ({name: value}): mesaflow train ... --mesa-seqs 64 --out (the page's mesa view has 64 sequences).
function cliRun(values, extra = {}, name = 'run') {
  const out = path.join(dir, `${name}.json`);
  const args = ['train', ...Object.entries({ ...values, ...extra }).flatMap(([k, v]) => [`--${k}`, String(v)]), '--mesa-seqs', String(MESA_NSEQ), '--quiet', '--out', out];
  const r = spawnSync(CLI, args.filter((a) => a !== '--clip' || values.clip), { encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 3, `${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(fs.readFileSync(out, 'utf8'));
}
// The CLI's flags: clip is a flag (present or absent), every other value is a text.
const cliValues = (values) => Object.fromEntries(Object.entries(values).filter(([k, v]) => k !== 'clip' || v));

// ab of layer l (1-based) from its blocks, written from core/THEORY.md §12: mean over j of
// Re W_KQ^l[d+j, j] Re W_PV^l[j, j] (row-major, W_KQ 2d x 2d, W_PV rows x 2d).
function layerAb(layer, d) {
  let s = 0;
  for (let j = 0; j < d; j++) s += layer.wkq_re[(d + j) * 2 * d + j] * layer.wpv_re[j * 2 * d + j];
  return s / d;
}

// Trains the page at hash to its end and reads what it shows.
async function played(hash, shot) {
  const page = await openPage(ctx, `lab.html#${hash}`);
  await waitReady(page, 60000);
  const status = await trainToEnd(page, 600000);
  await page.waitForFunction(() => document.querySelector('mesaflow-demo')._views.mesa, null, { timeout: 60000 }).catch(() => {});
  await page.waitForTimeout(600); // the last frame's notes
  const seen = await demo(page, () => {
    const el = document.querySelector('mesaflow-demo');
    const v = el._views;
    const root = el.shadowRoot;
    const w = v.weightsView.weights.map((x) => x && { d: x.d, layers: x.layers?.map((l) => Object.fromEntries(Object.entries(l).map(([k, a]) => [k, Array.from(a)]))) });
    const plain = (m) => m && JSON.parse(JSON.stringify(m, (k, x) => (ArrayBuffer.isView(x) ? Array.from(x) : x)));
    const legend = (id) => [...root.querySelectorAll(`#plot-${id} .legend .legend-item`)].map((n) => n.textContent);
    return {
      runs: el.runs, config: el.config, weights: w, mesas: (v.mesas ?? []).map(plain), theory: el.theory,
      figs: [...root.querySelectorAll('#wfigs figure')].map((f) => ({ id: f.querySelector('canvas').id, caption: f.querySelector('figcaption').textContent })),
      title: root.getElementById('h-weights').textContent, abTitle: root.getElementById('h-ab').textContent,
      abSeries: v.charts.ab.series.map((s) => s.label), mesaSeries: v.charts.mesa.series.map((s) => s.label), legendAb: legend('ab'),
    };
  });
  const notes = {};
  for (const id of ['ab', 'ratio', 'mesa', 'sequence']) notes[id] = await texts(page, `#notes-${id} li`);
  const hints = await texts(page, '#hints li');
  const modelNote = await page.evaluate(() => (document.getElementById('model-note').hidden ? null : document.getElementById('model-note').textContent));
  if (shot) await screenshot(page, shot);
  assert.deepEqual(page.problems, []);
  await page.close();
  return { status, hints, notes, modelNote, ...seen };
}

// The sentences about ab (a stack's every layer) against the CLI's history and the page's weights.
function checkAb(sentences, r, cli, weights) {
  const h = cli.history;
  const i = h.epoch.length - 1;
  const L = r.layers;
  for (const s of sentences) {
    const m = s.match(/ab = ([-\d.e]+)/);
    if (m) assert.equal(m[1], num(h.ab[i]), `${s}: the CLI's ab is ${h.ab[i]}`);
    const each = [...s.matchAll(/layer (\d): ([-\d.e]+)/g)];
    if (m && L > 1) assert.equal(each.length, L, `${s}: one value per layer`);
    for (const [, l, v] of each) {
      assert.equal(v, num(h.ab_layers[i][l - 1]), `${s}: layer ${l}'s ab in the CLI's history`);
      assert.equal(v, num(layerAb(weights.layers[l - 1], weights.d)), `${s}: layer ${l}'s ab from its blocks`);
    }
    const moving = s.match(/(still moving when training ended|it has stopped moving) \(([\d.]+)% over the last (\d+) epochs?\)/);
    if (moving) {
      const k = Math.max(0, Math.floor(i * 0.95));
      const moved = Math.abs(h.ab[i] - h.ab[k]) / Math.abs(h.ab[i]);
      assert.equal(Number(moving[3]), h.epoch[i] - h.epoch[k], s);
      assert.ok(Math.abs(moved - Number(moving[2]) / 100) <= 0.051 * moved + 5e-5, `${s}: moved ${moved}`);
      assert.equal(moving[1].startsWith('still'), moved > 1e-3, s);
    }
    assert.doesNotMatch(s, /optimum|c\*\(T\)|as the theory predicts/, `no theory claim for a measured model: ${s}`);
  }
}

// The last-position sentences against the CLI's history.
function checkLast(sentences, cli, sparse) {
  const h = cli.history;
  const i = h.epoch.length - 1;
  for (const s of sentences) {
    const m = s.match(/measured (?:last-position MSE|ratio) ([-\d.e]+) at epoch (\d+)/);
    if (!m) continue;
    assert.equal(m[1], num(sparse ? h.last_mse[i] : h.ratio[i]), s);
    assert.equal(Number(m[2]), h.epoch[i], s);
  }
}

const num3 = (v) => (Math.abs(v) >= 1e-3 || v === 0 ? Number(v.toPrecision(3)).toString() : v.toExponential(2));
const lastOf = (a) => a[a.length - 1];

// The mesa card against the CLI's mesa view of the same run (its 64 test sequences): the page's view
// is the CLI's, bit for bit; each line of the legend is there with its step size; the notes give the
// last position's errors and "worth N GD steps" (gd_worth, or its reason) of the CLI's numbers.
function checkMesa(p, cli, label = null) {
  const m = cli.mesa;
  const page = p.mesas[0];
  // The model's own curve is the CLI's bit for bit; the others to rounding (least squares and the
  // true W are rounding-level errors, whose last bits differ natively and in WebAssembly: at d 2
  // they differ by ~1e-23 where both are ~1e-22), relative to the largest error of the view.
  assert.deepEqual(page.t, m.t);
  assert.deepEqual(page.model, m.model, 'mesa.model: the page\'s and the CLI\'s');
  const top = Math.max(...m.model, ...m.ls);
  const close = (a, b, what) => a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) <= 1e-12 * top + 1e-9 * Math.abs(b[i]), `${what}[${i}]: ${x} against the CLI's ${b[i]}`));
  for (const k of ['ls', 'ridge', 'true_w']) close(page[k], m[k], `mesa.${k}`);
  for (const key of ['gd_steps', 'gd_steps_causal']) {
    page[key].forEach((g, i) => {
      assert.equal(g.k, m[key][i].k);
      assert.ok(Math.abs(g.eta - m[key][i].eta) <= 1e-9 * Math.abs(m[key][i].eta), `${key}[${i}].eta ${g.eta} against ${m[key][i].eta}`);
      close(g.error, m[key][i].error, `${key}[${i}].error`);
    });
  }
  assert.ok(page.gd_worth === m.gd_worth || Math.abs(page.gd_worth - m.gd_worth) <= 1e-9 * Math.abs(m.gd_worth), `gd_worth ${page.gd_worth} against ${m.gd_worth}`);
  // The texts from the page's view, which is the CLI's (above, to rounding).
  const want = [
    ...(page.gd1 ? ['one GD step with the trained ab'] : []),
    ...page.gd_steps.map((g) => `${g.k}-step GD (η = ${num3(g.eta)})`),
    ...page.gd_steps_causal.map((g) => `${g.k}-step causal GD (η = ${num3(g.eta)})`),
    ...(page.smoother ? [`kernel smoother, the model’s scores (τ = ${num3(page.smoother.temperature)})`] : []),
    'least squares on the context', `ridge on the context (λ = ${cli.config.ridge})`, 'true W (0 up to rounding)',
  ];
  assert.deepEqual(p.mesaSeries.filter((l) => !/trained model$/.test(l)), want);
  const T = lastOf(page.t);
  const at = p.notes.mesa.find((n) => n.startsWith(`At t = ${T}, `));
  assert.ok(at, `a note on the last position: ${p.notes.mesa}`);
  assert.ok(at.includes(`K = ${page.gd_steps.map((g) => `${g.k}: ${num3(lastOf(g.error))}`).join(', ')}.`), at);
  assert.ok(at.includes(`: ${num3(lastOf(page.model))};`) || at.includes(`${label} ${num3(lastOf(page.model))}`), `${at}: the model's ${lastOf(page.model)}`);
  if (page.gd_worth != null) {
    const n = Number(page.gd_worth.toPrecision(2));
    assert.ok(at.includes(`${label ? `${label}: ` : 'the trained model is '}worth ${n} GD ${n === 1 ? 'step' : 'steps'}`), `${at}: gd_worth ${page.gd_worth}`);
  } else {
    assert.ok(at.includes(`worth no number of GD steps here: ${page.gd_worth_reason}`), `${at}: ${page.gd_worth_reason}`);
  }
  const causal = p.notes.mesa.find((n) => n.startsWith('Causal K-step GD'));
  assert.ok(causal.includes(`K = ${page.gd_steps_causal.map((g) => `${g.k}: ${num3(lastOf(g.error))}`).join(', ')}.`), causal);
  for (const n of p.notes.mesa) assert.doesNotMatch(n, /NaN|undefined|–/, n);
}

// A run trained by the page against the CLI's document of the same run: the same history.
function sameRun(r, cli) {
  const h = r.history;
  assert.deepEqual(h.epoch, cli.history.epoch);
  for (const k of ['train_loss', 'test_loss', 'ab', 'last_mse']) assert.deepEqual(h[k], cli.history[k], `${k}: the page's WebAssembly and the CLI`);
}

test('layers and attention are in the settings (group Model, with help); a bad combination is said under the field, Play off', { timeout: 120000 }, async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&epochs=5');
  await waitReady(page);
  await openSettings(page);
  const rows = await demo(page, () => {
    const root = document.querySelector('mesaflow-demo').shadowRoot;
    return ['layers', 'attention'].map((n) => {
      const input = root.getElementById(`f-${n}`);
      return { group: input.closest('fieldset').querySelector('legend').textContent, help: root.getElementById(`f-${n}-help`).textContent, options: input.tagName === 'SELECT' ? [...input.options].map((o) => o.value) : null };
    });
  });
  const rowOf = Object.fromEntries(mf.fields().map((f) => [f.name, f]));
  assert.equal(rows[0].group, 'Model');
  assert.equal(rows[1].group, 'Model');
  assert.ok(rows[0].help.startsWith(rowOf.layers.help) && rows[0].help.endsWith('[1, 4]'), rows[0].help);
  assert.equal(rows[1].help, rowOf.attention.help);
  assert.deepEqual(rows[1].options, ['linear', 'softmax']);
  await setField(page, 'layers', '2');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.layers === 2 && document.querySelector('mesaflow-demo').theory);
  await shadow(page, '#f-attention').selectOption('softmax');
  // The core's words for the combination, from the module in node (the page shows the worker's refusal).
  const want = mf.validate({ ...(await demo(page, () => document.querySelector('mesaflow-demo').config)), attention: 'softmax' });
  assert.deepEqual(want.fields, ['attention', 'layers']);
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('f-attention-err').textContent, null, { timeout: 30000 });
  const shown = await demo(page, () => {
    const root = document.querySelector('mesaflow-demo').shadowRoot;
    const t = (id) => root.getElementById(id).textContent;
    return { attention: t('f-attention-err'), layers: t('f-layers-err'), top: t('form-problem'), topHidden: root.getElementById('form-problem').hidden, play: root.getElementById('play').disabled, why: t('play-why'),
      invalid: [...root.querySelectorAll('[aria-invalid="true"]')].map((n) => n.id).sort() };
  });
  assert.equal(shown.attention, want.message);
  assert.equal(shown.layers, 'part of the problem under Attention (attention)');
  assert.ok(shown.topHidden, `the combination is said under its field, not above the form: ${shown.top}`);
  assert.equal(shown.play, true);
  assert.equal(shown.why, 'Play is off until Attention (attention), Layers (layers) are fixed (see the settings).');
  assert.deepEqual(shown.invalid, ['f-attention', 'f-layers']);
  await screenshot(page, 'models-combination');
  // Fixed: layers 1 with softmax trains; the problem is gone.
  await setField(page, 'layers', '1');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.attention === 'softmax' && document.querySelector('mesaflow-demo').theory, null, { timeout: 30000 });
  assert.equal(await shadow(page, '#f-attention-err').textContent(), '');
  assert.equal(await shadow(page, '#play').isDisabled(), false);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('two-layers: trains in Chromium to the CLI\'s numbers; each layer\'s heatmaps; every caption true of the run; no theory line', { timeout: 900000 }, async () => {
  const preset = PRESETS['two-layers'];
  const cli = cliRun(cliValues(preset.values), {}, 'two-layers');
  const t0 = Date.now();
  const p = await played('preset=two-layers', 'models-two-layers');
  console.log(`two-layers: ${preset.values.epochs} epochs in ${((Date.now() - t0) / 1000).toFixed(1)} s in Chromium (page load included)`);
  assert.match(p.status, /^finished: epoch 800 of 800/);
  assert.match(p.status, /no theory for this model, measured only \(core\/THEORY\.md §12\)/);
  const r = p.runs[0];
  assert.equal(r.layers, 2);
  sameRun(r, cli);
  const { d } = preset.values;
  // The weights card: each layer's W_KQ and W_PV, labelled with its layer, named as s.weights() names the blocks.
  assert.deepEqual(p.figs.map((f) => f.id), ['wkq1', 'wpv1', 'wkq2', 'wpv2']);
  assert.deepEqual(p.figs.map((f) => f.caption.replace(/, largest.*$/, '')), ['W_KQ, layer 1 (4 × 4)', 'W_PV, layer 1 (4 × 4)', 'W_KQ, layer 2 (4 × 4)', 'W_PV, layer 2 (2 × 4)']);
  assert.equal(p.title, 'Weights W_KQ and W_PV of each of the 2 layers');
  // The page's final weights are the CLI's final.layers, entry for entry.
  for (let l = 0; l < 2; l++) for (const k of ['wkq_re', 'wkq_im', 'wpv_re', 'wpv_im']) assert.deepEqual(p.weights[0].layers[l][k], cli.final.layers[l][k].flat(), `layer ${l + 1} ${k}`);
  for (const f of p.figs) {
    const [, kind, l] = f.id.match(/^(wkq|wpv)(\d)$/);
    const m = cli.final.layers[l - 1][`${kind}_re`].flat().map((x, i) => Math.hypot(x, cli.final.layers[l - 1][`${kind}_im`].flat()[i]));
    const largest = Math.max(...m);
    assert.equal(f.caption.match(/largest \|·\| ([\d.e-]+)$/)[1], largest < 1e-3 && largest > 0 ? largest.toExponential(2) : largest.toFixed(3), f.caption);
  }
  // Chart 1: each layer's ab, no theory line, and the core's reason for it.
  assert.equal(p.abTitle, 'ab of each layer (measured only)');
  assert.deepEqual(p.abSeries, ['layer 2: ab (0.1, 0.1)', 'layer 1: ab (0.1, 0.1)']);
  assert.equal(p.notes.ab[0], `No theory line: ${p.theory.reason}.`);
  checkAb([p.hints[0], ...p.notes.ab], r, cli, { d, layers: p.weights[0].layers });
  checkLast([p.hints[1], ...p.notes.ratio], cli, false);
  for (const s of [...p.hints, ...p.notes.ab, ...p.notes.ratio]) assert.doesNotMatch(s, /Verdict|predicted ratio|one step of gradient descent, as|c\*\(T\) =/, s);
  assert.match(p.hints[2], /^Chart 3, the weights: each layer’s W_KQ and W_PV \(2 pairs\); in layer 2, measured: off-diagonal mass/);
  const last = cli.history.epoch.length - 1;
  const pct = (x) => `${Number((100 * x).toPrecision(2))}%`;
  const mass = Math.max(cli.history.offdiag_kq[last], cli.history.offdiag_pv[last]);
  assert.ok(p.hints[2].includes(`off-diagonal mass of the red blocks ${mass < 1e-4 ? 'less than 0.01%' : pct(mass)}, mass outside them ${pct(cli.history.outside[last])}`), p.hints[2]);
  assert.match(p.modelNote, /the runs below train 2 layers of linear attention with a residual stream \(core\/THEORY\.md §12\)/);
  // The one-sequence view names the stack's formula.
  assert.match(p.notes.sequence[0], /^Computed in your browser from z\(t\) ← z\(t\) \+ W_PV S\(t\) W_KQ z\(t\) \/ \(t − 1\) in layer 1 and ŷ\(t\) = W_PV S\(t\) W_KQ z\(t\) \/ \(t − 1\) in layer 2/);
  checkMesa(p, cli);
  assert.ok(!p.mesaSeries.includes('one GD step with the trained ab'), 'no one-step line of the trained ab for two layers');
  console.log(`two-layers:\n  ${[...p.hints, ...p.notes.ab, ...p.notes.ratio, ...p.notes.mesa].join('\n  ')}`);
});

test('softmax-sparse: trains in Chromium to the CLI\'s numbers; its captions are a measured model\'s', { timeout: 900000 }, async () => {
  const preset = PRESETS['softmax-sparse'];
  const cli = cliRun(cliValues(preset.values), {}, 'softmax-sparse');
  const t0 = Date.now();
  const p = await played('preset=softmax-sparse', 'models-softmax-sparse');
  console.log(`softmax-sparse: ${preset.values.epochs} epochs in ${((Date.now() - t0) / 1000).toFixed(1)} s in Chromium (page load included)`);
  assert.match(p.status, /^finished: epoch 300 of 300/);
  assert.match(p.status, /no theory for this model, measured only \(core\/THEORY\.md §11\)/);
  const r = p.runs[0];
  sameRun(r, cli);
  assert.deepEqual(p.figs.map((f) => f.id), ['wkq', 'wpv']);
  assert.equal(p.abTitle, 'ab of the attention blocks (measured only)');
  assert.equal(p.notes.ab[0], `No theory line: ${p.theory.reason}.`);
  checkAb([p.hints[0], ...p.notes.ab], r, cli, { d: preset.values.d, layers: p.weights[0].layers });
  checkLast([p.hints[1], ...p.notes.ratio], cli, true);
  assert.match(p.hints[0], /in softmax attention W_KQ’s block scales the scores and W_PV’s the output/);
  assert.match(p.modelNote, /the runs below train one layer of softmax attention \(core\/THEORY\.md §11\)/);
  assert.match(p.notes.sequence[0], /^Computed in your browser from ŷ\(t\) = W_PV Σ_\{i≤t\} softmax_i/);
  checkMesa(p, cli);
  assert.equal(p.mesaSeries.some((l) => l.startsWith('kernel smoother')), Boolean(cli.mesa.smoother));
  console.log(`softmax-sparse:\n  ${[...p.hints, ...p.notes.ab, ...p.notes.ratio, ...p.notes.mesa].join('\n  ')}`);
});

test('compare=depths: layers 1, 2 and 3 on the same data, each in its colour and legend, each the CLI\'s run', { timeout: 900000 }, async () => {
  const values = { ...PRESETS.quick.values, m: 300, 'test-m': 200, epochs: 30 };
  const hash = 'preset=quick&m=300&test-m=200&epochs=30&compare=depths';
  const p = await played(hash, 'models-depths');
  assert.match(p.status, /^finished: epoch 30 of 30/);
  assert.deepEqual(p.runs.map((r) => [r.layers, r.label]), [[1, 'layers 1'], [2, 'layers 2'], [3, 'layers 3']]);
  const at = p.notes.mesa.find((n) => n.startsWith('At t = '));
  assert.deepEqual(p.mesaSeries.filter((l) => /trained model$/.test(l)), ['layers 1: trained model', 'layers 2: trained model', 'layers 3: trained model']);
  for (const [i, r] of p.runs.entries()) {
    const cli = cliRun(cliValues(values), { layers: r.layers }, `depth-${r.layers}`);
    sameRun(r, cli);
    // Its own mesa view (its model's curve), the CLI's; its worth in GD steps, the CLI's.
    assert.deepEqual(p.mesas[i].model, cli.mesa.model, `layers ${r.layers}: mesa.model`);
    assert.ok(at.includes(`layers ${r.layers} ${num3(lastOf(cli.mesa.model))}`), `${at}: layers ${r.layers}'s ${lastOf(cli.mesa.model)}`);
    const n = cli.mesa.gd_worth == null ? null : Number(cli.mesa.gd_worth.toPrecision(2));
    assert.ok(at.includes(n == null ? `layers ${r.layers}: worth no number of GD steps here: ${cli.mesa.gd_worth_reason}` : `layers ${r.layers}: worth ${n} GD ${n === 1 ? 'step' : 'steps'}`), `${at}: layers ${r.layers} gd_worth ${cli.mesa.gd_worth}`);
    if (i === 0) {
      // The comparators are the first run's view (the same test sequences for every depth), to rounding.
      p.mesas[0].gd_steps.forEach((g, k) => g.error.forEach((x, j) => assert.ok(Math.abs(x - cli.mesa.gd_steps[k].error[j]) <= 1e-12 * Math.max(...cli.mesa.model) + 1e-9 * Math.abs(x), `gd_steps[${k}][${j}]`)));
      assert.ok(at.includes(`K = ${p.mesas[0].gd_steps.map((g) => `${g.k}: ${num3(lastOf(g.error))}`).join(', ')}.`), at);
    }
    assert.equal(r.history.test_loss.at(-1), cli.history.test_loss.at(-1));
    // Its note under chart 1, named by its depth (layer 1's: the paper's theory; the others: measured).
    const note = p.notes.ab.find((s) => s.startsWith(`layers ${r.layers}: `));
    assert.ok(note, `a note for layers ${r.layers}: ${p.notes.ab}`);
    if (r.layers > 1) checkAb([note.replace(/^layers \d: /, '')], r, cli, { d: values.d, layers: cliLayers(cli) });
    else assert.match(note, new RegExp(`^layers 1: ab = ${num(cli.history.ab.at(-1)).replace('.', '\\.')}`));
  }
  // The legend names each run by its depth; the runs' colours are the depths' (model/colours.js DEPTH_COLOURS).
  assert.deepEqual(p.legendAb.filter((t) => /^layers \d/.test(t)).map((t) => t.match(/^layers \d/)[0]), ['layers 1', 'layers 2', 'layers 3']);
  assert.match(p.modelNote, /the runs below train 2 and 3 layers of linear attention/);
});

// final.layers of a CLI document as the page's weights' layers (flat row-major arrays).
const cliLayers = (cli) => cli.final.layers.map((l) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v.flat()])));

test('the budgets\' refusals name layers and attention, in the core\'s words', { timeout: 120000 }, async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&epochs=5&layers=3');
  await waitReady(page);
  // Memory: too many long sequences for three layers; the page refuses before any worker, in the core's words.
  await demo(page, () => {
    const el = document.querySelector('mesaflow-demo');
    el.setAttribute('m', '3000000');
    el.setAttribute('t', '100');
  });
  await page.waitForFunction(() => /^Not started: /.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('alert').textContent), null, { timeout: 30000 });
  const cfg = { ...(await demo(page, () => document.querySelector('mesaflow-demo').config)) };
  const mib = Math.round(mf.estimateBytes(cfg) / 2 ** 20);
  const words = `m, test-m, T, d, layers: this setting needs about ${mib} MiB, more than the budget of 1024 MiB in this browser; reduce m, test-m, T or layers`;
  const memory = await demo(page, () => {
    const root = document.querySelector('mesaflow-demo').shadowRoot;
    return { alert: root.getElementById('alert').textContent, top: root.getElementById('form-problem').textContent, layers: root.getElementById('f-layers-err').textContent };
  });
  assert.equal(memory.alert, `Not started: ${words}`);
  assert.ok(memory.top.startsWith(words) && memory.top.includes('Layers (layers)'), memory.top);
  assert.equal(memory.layers, 'part of the problem above the form');
  const own = mf.validate(cfg); // the module's refusal of the same setting (in GiB): the same fields and request
  assert.deepEqual(own.fields, ['m', 'test-m', 'T', 'd', 'layers']);
  assert.match(own.message, /; reduce m, test-m, T or layers$/);
  await screenshot(page, 'models-budget-memory');
  // Time: softmax at a size that fits the memory but not an hour at its plain rate; the worker's
  // refusal, the module's own words (mf.validate in node gives the same).
  await demo(page, () => {
    const el = document.querySelector('mesaflow-demo');
    el.removeAttribute('m');
    el.setAttribute('layers', '1');
    el.setAttribute('attention', 'softmax');
    el.setAttribute('t', '400');
    el.setAttribute('epochs', '2000');
  });
  await page.waitForFunction(() => /^Not started: epochs, attention: /.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('alert').textContent), null, { timeout: 30000 });
  const slow = { ...(await demo(page, () => document.querySelector('mesaflow-demo').config)) };
  const core = mf.validate(slow);
  assert.deepEqual(core.fields, ['epochs', 'attention']);
  assert.match(core.message, /\(the rate of this model's plain passes\), more than the budget of 60 min in a browser; reduce epochs, m, test-m or T, or use attention linear \(or run it with the command-line tool\)$/);
  const time = await demo(page, () => {
    const root = document.querySelector('mesaflow-demo').shadowRoot;
    return { alert: root.getElementById('alert').textContent, epochs: root.getElementById('f-epochs-err').textContent, attention: root.getElementById('f-attention-err').textContent };
  });
  assert.equal(time.alert, `Not started: ${core.message}`);
  assert.equal(time.epochs, core.message);
  assert.equal(time.attention, 'part of the problem under Epochs (epochs)');
  await screenshot(page, 'models-budget-time');
  assert.deepEqual(page.problems, []);
  await page.close();
});
