// Presets, exports, the iframe embed, and the sparse family's view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, teardown, openPage, waitReady, trainToEnd, shadow, SCREENSHOTS, scrollThrough } from './helpers.mjs';
import { HISTORY_COLUMNS } from '../node/helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup();
});
after(async () => {
  await teardown(ctx);
});

test('every preset of the paper table configures without error', async () => {
  const page = await openPage(ctx, 'lab.html');
  await waitReady(page);
  const names = await shadow(page, '#preset option:not([disabled])').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(names, ['quick', 'quick-gaussian', 'sparse-two', 'gaussian-init', 'rotated-sparse', 'noisy-ar', 'contracting', 'two-layers', 'softmax-sparse', 'gaussian-0.5', 'gaussian-1', 'gaussian-2', 'sparse-0.5', 'sparse-1', 'sparse-2', 'full-one', 'full-one-clip']);
  // Labels that fit the menu; the paper's settings in a group of their own.
  const labels = await shadow(page, '#preset option').evaluateAll((os) => os.map((o) => o.textContent));
  assert.ok(labels.every((l) => l.length <= 28), `short labels: ${labels}`);
  assert.deepEqual(await shadow(page, '#preset optgroup').evaluateAll((gs) => gs.map((g) => g.children.length)), [9, 8]);
  const expect = { 'gaussian-1': { lr: 1e-4, epochs: 150, m: 10000, T: 100 }, 'sparse-2': { lr: 1e-4, epochs: 120 }, 'full-one': { lr: 5e-4, epochs: 200 } };
  for (const name of names) {
    await shadow(page, '#preset').selectOption(name);
    await page.waitForFunction((n) => location.hash === `#preset=${n}` && document.querySelector('mesaflow-demo').theory, name, { timeout: 20000 });
    const cfg = await page.evaluate(() => document.querySelector('mesaflow-demo').config);
    for (const [k, v] of Object.entries(expect[name] || {})) assert.equal(cfg[k], v, `${name}: ${k}`);
    assert.equal(await shadow(page, '#alert').isVisible(), false, `${name}: no message`);
    assert.equal(await shadow(page, '#preset').inputValue(), name, `${name}: the menu shows the preset, not custom`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('sparse first tokens: recovery predicted, last-position MSE view', async () => {
  const page = await openPage(ctx, 'lab.html#preset=sparse-1&m=500&test-m=200&T=30&lr=0.01&epochs=40');
  await waitReady(page);
  assert.match(await trainToEnd(page), /^finished: .*recovery predicted: yes/);
  assert.equal(await shadow(page, '#h-ratio').textContent(), 'Error at the last position');
  // The two curves named exactly: the last position, and the authors' "MSE loss at T_te".
  const legend = await shadow(page, '#plot-ratio .legend-item span:not(.v)').evaluateAll((s) => s.map((n) => n.textContent));
  assert.deepEqual(legend.slice(0, 2), ['last-position MSE (t = T−1)', 'test loss: the authors’ curve “MSE loss at T_te”']);
  const r = await page.evaluate(() => {
    const el = document.querySelector('mesaflow-demo');
    return { mse: el.history.last_mse, th: el.theory };
  });
  assert.equal(r.th.recovery, true);
  assert.equal(r.th.moment_ratio, 1);
  assert.ok(r.mse.at(-1) < r.mse[0], 'the last-position MSE falls');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('history exports as CSV and JSON, charts as PNG', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&epochs=10');
  await waitReady(page);
  await trainToEnd(page);
  const save = async (selector) => {
    const [download] = await Promise.all([page.waitForEvent('download'), shadow(page, selector).click()]);
    return { name: download.suggestedFilename(), body: fs.readFileSync(await download.path()) };
  };
  const csv = await save('#csv');
  assert.equal(csv.name, 'mesaflow-quick.csv');
  const lines = csv.body.toString().trim().split('\n');
  assert.equal(lines[0], ['a0', 'b0', ...HISTORY_COLUMNS, 'changed', 'layers'].join(','));
  assert.ok(lines.slice(1).every((l) => l.endsWith(',1')), 'layers 1 on every row');
  assert.equal(lines.length, 12);
  const json = JSON.parse((await save('#json')).body.toString());
  assert.equal(json.config.epochs, 10);
  assert.equal(json.runs[0].history.ab.length, 11);
  const png = await save('[data-png="ab"]');
  assert.equal(png.name, 'mesaflow-quick-ab.png');
  assert.deepEqual([...png.body.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  fs.writeFileSync(path.join(SCREENSHOTS, 'export-ab.png'), png.body);
  const heat = await save('[data-png="weights"]');
  assert.deepEqual([...heat.body.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  fs.writeFileSync(path.join(SCREENSHOTS, 'export-weights.png'), heat.body);
  // What the heatmaps (the canvases the PNG is made of) show: the pixel at the centre of every
  // cell, with the weights the worker sent.
  const shown = await page.evaluate(() => {
    const wv = document.querySelector('mesaflow-demo')._views.weightsView;
    const w = wv.weights[wv.run];
    const out = { d: w.d, wkq: w.wkq_re, wpv: w.wpv_re, mode: wv.mode };
    for (const k of ['wkq', 'wpv']) {
      const h = wv.heat[k];
      const dpr = devicePixelRatio;
      const ctx = h.canvas.getContext('2d');
      const px = [];
      for (let r = 0; r < h.m.rows; r++) {
        for (let c = 0; c < h.m.cols; c++) {
          const at = ctx.getImageData(Math.floor((22 + (c + 0.5) * h.cell) * dpr), Math.floor((16 + (r + 0.5) * h.cell) * dpr), 1, 1).data;
          px.push([at[0], at[1], at[2]]);
        }
      }
      out[`${k}_px`] = px;
    }
    return out;
  });
  assert.equal(shown.mode, 're');
  const d = shown.d;
  const white = [247, 247, 247];
  // The diagonal family (init diagonal, sparse x1): W_KQ = a on the diagonal of its red block
  // (rows d+1..2d, columns 1..d), W_PV = b on the diagonal of its own (columns 1..d), about 0 elsewhere;
  // the map is white at 0, red (RdBu 178, 24, 43) for a positive entry, blue (33, 102, 172) for a
  // negative one, as deep as its share of the matrix's largest modulus.
  const expect = (v, vmax) => {
    const end = v < 0 ? [33, 102, 172] : [178, 24, 43];
    const t = Math.min(1, Math.abs(v) / vmax);
    return white.map((x, i) => Math.round(x + (end[i] - x) * t));
  };
  for (const [k, rows, inBlock] of [['wkq', 2 * d, (r, c) => r === d + c], ['wpv', d, (r, c) => r === c]]) {
    const cols = 2 * d;
    const values = shown[k];
    const vmax = Math.max(...values.map(Math.abs));
    assert.ok(vmax > 0.1, `${k}: largest entry ${vmax}`);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        const px = shown[`${k}_px`][i];
        const where = `${k}[${r + 1}, ${c + 1}] = ${values[i]}: pixel ${px}`;
        if (inBlock(r, c)) {
          assert.ok(Math.abs(values[i]) > 0.5 * vmax, where); // the red block's diagonal carries the weights
          assert.ok(px[0] !== px[2] && (values[i] > 0) === (px[0] > px[2]), `${where}: the colour of its sign`);
        } else {
          // Off the red blocks' diagonals the weights stay near 0 (the diagonal family, up to the
          // spread of the start): drawn all but white.
          assert.ok(Math.abs(values[i]) < 0.05 * vmax, where);
          assert.ok(px.every((x) => x >= 235), `${where}: near white`);
        }
        assert.ok(px.every((x, j) => Math.abs(x - expect(values[i], vmax)[j]) <= 1), `${where}, expected ${expect(values[i], vmax)}`);
      }
    }
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('embed.html works inside an iframe on another page', async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 420, height: 900 } });
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.setContent(`<iframe src="${new URL('embed.html#preset=quick&epochs=12&text=hide', ctx.url).href}" width="400" height="800" title="demo"></iframe>`);
  await page.waitForFunction(() => document.querySelector('iframe').contentWindow, null, { timeout: 10000 });
  const frame = await (await page.$('iframe')).contentFrame();
  await frame.waitForFunction(() => document.querySelector('mesaflow-demo')?.theory, null, { timeout: 20000 });
  await frame.evaluate(() => document.querySelector('mesaflow-demo').play());
  await frame.waitForFunction(() => document.querySelector('mesaflow-demo').history.epoch.at(-1) === 12, null, { timeout: 30000 });
  assert.deepEqual(problems, []);
  await page.close();
});
