// The linear-map baseline (core/THEORY.md §9) on the page: chosen by the URL or by the element's
// `model` attribute, it trains, the weights card draws its one block A (and no W_KQ, W_PV), and the
// attention model's cards and theory lines are not shown for it.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, teardown, openPage, waitReady, trainToEnd, shadow, screenshot } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup();
});
after(async () => {
  await teardown(ctx);
});

// The weights view's block A: its entries as sent and the colour at the centre of each cell.
async function shownA(page) {
  return page.evaluate(() => {
    const wv = document.querySelector('mesaflow-demo')._views.weightsView;
    const w = wv.weights[wv.run];
    const h = wv.heat.a;
    if (!h) return { keys: Object.keys(wv.heat) };
    const ctx2 = h.canvas.getContext('2d');
    const px = [];
    for (let r = 0; r < h.m.rows; r++)
      for (let c = 0; c < h.m.cols; c++) {
        const at = ctx2.getImageData(Math.floor((22 + (c + 0.5) * h.cell) * devicePixelRatio), Math.floor((16 + (r + 0.5) * h.cell) * devicePixelRatio), 1, 1).data;
        px.push([at[0], at[1], at[2]]);
      }
    const root = document.querySelector('mesaflow-demo').shadowRoot;
    return {
      keys: Object.keys(wv.heat), d: w.d, model: w.model, a_re: Array.from(w.a_re), px, rows: h.m.rows, cols: h.m.cols,
      canvases: [...root.querySelectorAll('#wfigs canvas')].map((c) => c.id), title: root.getElementById('h-weights').textContent,
      caption: root.querySelector('#wfigs figcaption').textContent,
    };
  });
}

test('the URL model=linear-map trains the baseline and the weights card shows its block A', async () => {
  const page = await openPage(ctx, 'lab.html#model=linear-map&d=3&T=20&m=200&test-m=100&epochs=15&lr=0.02&init=gaussian');
  await waitReady(page);
  const cfg = await page.evaluate(() => document.querySelector('mesaflow-demo').config);
  assert.equal(cfg.model, 'linear-map');
  const status = await trainToEnd(page);
  assert.match(status, /^finished: epoch 15 of 15/);
  assert.match(status, /no theory for this model/);
  assert.doesNotMatch(status, /Assumption 4\.1 fails|c\*\(T\)|ab /);
  const h = await page.evaluate(() => document.querySelector('mesaflow-demo').history);
  assert.ok(h.train_loss[h.train_loss.length - 1] < h.train_loss[0], 'the loss fell');
  const s = await shownA(page);
  assert.deepEqual(s.keys, ['a']);
  assert.deepEqual(s.canvases, ['a']);
  assert.equal(s.model, 'linear-map');
  assert.equal(s.rows, 3);
  assert.equal(s.cols, 3);
  assert.equal(s.title, 'Weights A');
  assert.match(s.caption, /^A \(3 × 3\), largest \|·\| /);
  // Each cell is red for a positive entry, blue for a negative one (the real part is shown).
  s.a_re.forEach((v, i) => {
    const [r, , b] = s.px[i];
    if (Math.abs(v) > 0.05 * Math.max(...s.a_re.map(Math.abs))) assert.ok(v > 0 ? r > b : b > r, `entry ${i} = ${v}: pixel ${s.px[i]}`);
  });
  // The attention model's cards are not shown; its theory claims are not made.
  for (const id of ['card-ab', 'card-mesa', 'card-structure']) assert.equal(await shadow(page, `#${id}`).isVisible(), false, id);
  assert.match(await shadow(page, '#hint-3').textContent(), /its population optimum is A = 0/);
  await screenshot(page, 'linear-map');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the model attribute of <mesaflow-demo> switches the page to the baseline and back', async () => {
  const page = await openPage(ctx, 'lab.html#d=2&T=12&m=100&test-m=50&epochs=6&lr=0.02');
  await waitReady(page);
  await page.evaluate(() => document.querySelector('mesaflow-demo').setAttribute('model', 'linear-map'));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config.model === 'linear-map', null, { timeout: 20000 });
  assert.match(await trainToEnd(page), /^finished: epoch 6 of 6/);
  assert.deepEqual((await shownA(page)).keys, ['a']);
  await page.evaluate(() => document.querySelector('mesaflow-demo').setAttribute('model', 'attention'));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config.model === 'attention', null, { timeout: 20000 });
  assert.match(await trainToEnd(page), /^finished: epoch 6 of 6/);
  const keys = await page.evaluate(() => Object.keys(document.querySelector('mesaflow-demo')._views.weightsView.heat));
  assert.deepEqual(keys, ['wkq', 'wpv']);
  assert.equal(await shadow(page, '#card-ab').isVisible(), true);
  assert.deepEqual(page.problems, []);
  await page.close();
});
