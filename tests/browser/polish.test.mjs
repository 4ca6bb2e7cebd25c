// The polish list of issue 19, each where a test can see it: progress never above 100% when epochs
// are raised while training; "Finished..." said once; hovering a chart does not move it; no empty
// hint bubbles before the first configuration; two URL errors on two lines; the PNG buttons'
// labels without markup.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, teardown, openPage, waitReady, shadow } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup();
});
after(async () => {
  await teardown(ctx);
});

const statusText = (page) => shadow(page, '#status').textContent();

test('epochs raised from 150 to 300 while training: the progress ends at 100%, never above', { timeout: 240000 }, async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick-gaussian&epochs=150');
  await waitReady(page);
  // Every text the progress shows, recorded as it changes.
  await page.evaluate(() => {
    window.__progress = [];
    const n = document.querySelector('mesaflow-demo').shadowRoot.getElementById('progress-text');
    new MutationObserver(() => window.__progress.push(n.textContent)).observe(n, { childList: true, characterData: true, subtree: true });
  });
  await page.evaluate(() => document.querySelector('mesaflow-demo').play());
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').epoch >= 60, null, { timeout: 120000 });
  await page.evaluate(() => document.querySelector('mesaflow-demo').setAttribute('epochs', '300'));
  await page.waitForFunction(() => /^finished: epoch 300 of 300/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), null, { timeout: 200000, polling: 300 });
  const seen = await page.evaluate(() => window.__progress);
  const pcts = seen.map((t) => Number(t.match(/^(\d+)%/)?.[1])).filter(Number.isFinite);
  assert.ok(pcts.length > 3, `progress texts: ${seen.slice(0, 5)}`);
  assert.ok(Math.max(...pcts) <= 100, `at most 100%: ${Math.max(...pcts)}`);
  assert.match(await shadow(page, '#progress-text').textContent(), /^100%/);
  const bar = await page.evaluate(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('progress').value);
  assert.equal(bar, 1);
  // Play on the finished run: said once, in the status line, not in the alert too.
  await page.evaluate(() => document.querySelector('mesaflow-demo').play());
  await page.waitForFunction(() => /^Finished: all 300 epochs/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent));
  assert.equal(await shadow(page, '#alert').isVisible(), false);
  // Hovering the ab chart: its legend keeps its height, the plot does not move.
  const plot = shadow(page, '#plot-ab .u-over');
  const before = await shadow(page, '#plot-ab .u-wrap canvas').boundingBox();
  const box = await plot.boundingBox();
  await page.mouse.move(box.x + box.width * 0.4, box.y + box.height / 2);
  await page.waitForFunction(() => /^epoch /.test(document.querySelector('mesaflow-demo').shadowRoot.querySelector('#plot-ab .legend-at').textContent));
  const hovered = await shadow(page, '#plot-ab .u-wrap canvas').boundingBox();
  assert.equal(hovered.y, before.y, 'the plot stays where it was');
  // The end-of-line labels (training-set optimum 0.1846 just under c*(∞) = 0.2): none overlaps another.
  const tags = await page.evaluate(() => document.querySelector('mesaflow-demo')._views.charts.ab.tagBoxes);
  assert.equal(tags.length, 3, JSON.stringify(tags));
  for (let i = 1; i < tags.length; i++) assert.ok(tags[i].top >= tags[i - 1].top + tags[i - 1].height, JSON.stringify(tags));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('no empty hint bubbles before the first configuration; PNG labels in words', async () => {
  const page = await openPage(ctx, 'embed.html#preset=quick');
  // A second element, just attached: its hints have no text yet and are not shown.
  const shown = await page.evaluate(async () => {
    await customElements.whenDefined('mesaflow-demo');
    const el = document.createElement('mesaflow-demo');
    document.body.append(el);
    const h = el.shadowRoot.getElementById('hints');
    const r = { text: h.textContent.trim().replace(/Got it, hide these/, ''), display: getComputedStyle(h).display };
    el.remove();
    return r;
  });
  assert.deepEqual(shown, { text: '', display: 'none' });
  await waitReady(page);
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('hint-1').textContent.length > 0);
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.querySelector('mesaflow-demo').shadowRoot.getElementById('hints')).display), 'none');
  const labels = await page.evaluate(() => [...document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll('[data-png]')].map((b) => b.getAttribute('aria-label')));
  assert.ok(labels.includes('Download Weights as PNG'), labels.join(' | '));
  for (const l of labels) assert.doesNotMatch(l, /[<>]/);
  await page.close();
});

test('two bad URL values: two lines in the alert', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&lr=abc&epochs=-5');
  await shadow(page, '#alert').waitFor({ state: 'visible', timeout: 30000 });
  await page.waitForTimeout(300);
  const text = await shadow(page, '#alert').innerText();
  const lines = text.split('\n').filter(Boolean);
  assert.ok(lines.length >= 2, `one line per error: ${JSON.stringify(text)}`);
  assert.ok(lines.some((l) => /^lr:/.test(l)) && lines.some((l) => /^epochs:/.test(l)), JSON.stringify(lines));
  await page.close();
});

test('switching to a paper preset: the previous run’s charts, notes and hints go at once', { timeout: 240000 }, async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&epochs=30');
  await waitReady(page);
  await page.evaluate(() => document.querySelector('mesaflow-demo').play());
  await page.waitForFunction(() => /^finished/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), null, { timeout: 120000 });
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll('#notes-ab li').length > 0);
  const after = await page.evaluate(() => {
    const el = document.querySelector('mesaflow-demo');
    const sel = el.shadowRoot.getElementById('preset');
    sel.value = 'gaussian-1';
    sel.dispatchEvent(new Event('change'));
    return new Promise((resolve) => setTimeout(() => resolve({
      notes: el.shadowRoot.querySelectorAll('#notes-ab li').length,
      points: el._views.charts.ab.plot.data[0].length,
      hints: el.shadowRoot.getElementById('hints').hidden,
      status: el.shadowRoot.getElementById('status').textContent,
    }), 150));
  });
  assert.match(after.status, /^Drawing the data: 10,000 training/);
  assert.deepEqual({ notes: after.notes, points: after.points, hints: after.hints }, { notes: 0, points: 0, hints: true });
  await page.close();
});
