// The element on a course page (issue 19): a 700 px column in Georgia 19 px with three differently
// configured demos (views, compact, autoplay, controls="hide", custom properties, ::part). Each
// takes the page's font, the set properties and parts; each compact one fits the column in under
// 900 px; the one without controls has Play; autoplay starts the one in view only. Legends are never
// cut, on the course page and on lab.html at 375 and 1280 px. Screenshots:
// build/artifacts/screenshots/course-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, teardown, openPage, waitReady, SITE, SCREENSHOTS } from './helpers.mjs';

// The course page, written into the built site for this test (it is not part of the site).
const COURSE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Week 7: transformers that learn to optimize</title>
<style>
  body { margin: 0; background: #fffdf8; color: #2b2118; font: 19px/1.6 Georgia, "DejaVu Serif", serif; }
  article { max-width: 700px; margin: 0 auto; padding: 0 20px; }
  #b { --mesaflow-accent: #8a2be2; --mesaflow-font-size: 16px; }
  #b::part(card) { border-color: rgb(216, 204, 232); }
  #c::part(notes) { font-style: italic; }
</style>
<script type="module" src="js/element.js"></script></head>
<body><article>
  <h1>Week 7: a transformer that learns gradient descent</h1>
  <p>Train the model and watch its step size settle where the theory says it should.</p>
  <mesaflow-demo id="a" preset="quick" views="ab,mesa" compact autoplay></mesaflow-demo>
  <p>Gaussian first tokens are not recovered: the ratio stays far below 1, at any context length.</p>
  <mesaflow-demo id="b" preset="quick-gaussian" views="ratio,capability" compact></mesaflow-demo>
  <p>Two magnitudes of the first token: the optimum is learned, the sequence is not recovered.</p>
  <mesaflow-demo id="c" preset="sparse-two" views="ab" controls="hide" text="hide"></mesaflow-demo>
  <p>Exercise: which first-token laws satisfy M₄² = M₂M₆?</p>
</article></body></html>`;

let ctx;
before(async () => {
  fs.writeFileSync(path.join(SITE, 'course-test.html'), COURSE);
  ctx = await setup();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  await teardown(ctx);
  fs.rmSync(path.join(SITE, 'course-test.html'), { force: true });
});

const ready = (page, id) => page.waitForFunction((i) => document.getElementById(i)?.theory, id, { timeout: 60000 });
const rows = (page, id) => page.evaluate((i) => document.getElementById(i).history.epoch.length, id);
const style = (page, id, sel, props) => page.evaluate(([i, s, p]) => {
  const n = document.getElementById(i).shadowRoot.querySelector(s);
  const cs = getComputedStyle(n);
  return Object.fromEntries(p.map((k) => [k, cs.getPropertyValue(k)]));
}, [id, sel, props]);

// Every visible legend entry of a demo lies inside its card (nothing cut at the right edge).
const cutLegends = (page, id) => page.evaluate((i) => {
  const root = document.getElementById(i)?.shadowRoot ?? document.querySelector('mesaflow-demo').shadowRoot;
  const out = [];
  for (const it of root.querySelectorAll('.legend-item')) {
    const card = it.closest('.card');
    if (!it.getClientRects().length || !card) continue;
    const r = it.getBoundingClientRect();
    const c = card.getBoundingClientRect();
    if (r.right > c.right + 0.5 || r.left < c.left - 0.5) out.push(`${card.id}: ${it.textContent} (${Math.round(r.left)}..${Math.round(r.right)} in ${Math.round(c.left)}..${Math.round(c.right)})`);
  }
  return out;
}, id);

test('three demos in a 700 px Georgia column: fonts, properties, parts, heights, Play, autoplay', { timeout: 300000 }, async () => {
  const page = await openPage(ctx, 'course-test.html', { width: 760, height: 900 });
  for (const id of ['a', 'b', 'c']) await ready(page, id);
  // The page's font inside the element; #b's size and accent from its custom properties.
  const a = await style(page, 'a', '.notes', ['font-family']);
  assert.match(a['font-family'], /Georgia/);
  assert.match((await style(page, 'a', '.status', ['font-family']))['font-family'], /Georgia/);
  assert.equal((await page.evaluate(() => getComputedStyle(document.getElementById('b')).fontSize)), '16px');
  assert.equal((await page.evaluate(() => getComputedStyle(document.getElementById('a')).fontSize)), '19px');
  assert.equal((await style(page, 'b', '#play', ['background-color']))['background-color'], 'rgb(138, 43, 226)');
  assert.equal((await style(page, 'b', '#card-ratio', ['border-top-color']))['border-top-color'], 'rgb(216, 204, 232)');
  assert.equal((await style(page, 'c', '#notes-ab', ['font-style']))['font-style'], 'italic');
  // Only the named cards; compact hides the settings and exports; controls="hide" keeps Play only.
  const shown = (id) => page.evaluate((i) => [...document.getElementById(i).shadowRoot.querySelectorAll('.card')].filter((c) => c.getClientRects().length).map((c) => c.id), id);
  assert.deepEqual(await shown('a'), ['card-ab', 'card-mesa']);
  assert.deepEqual(await shown('b'), ['card-ratio', 'card-capability']);
  assert.deepEqual(await shown('c'), ['card-ab']);
  for (const id of ['a', 'b', 'c']) {
    assert.equal(await page.locator(`#${id}`).locator('#settings').isVisible(), false, `${id}: settings hidden`);
    assert.equal(await page.locator(`#${id}`).locator('#csv').isVisible(), false, `${id}: exports hidden`);
  }
  assert.ok(await page.locator('#c').locator('#play').isVisible(), 'controls="hide" keeps Play');
  assert.equal(await page.locator('#c').locator('#reset').isVisible(), false);
  // Autoplay: #a (in view) trains by itself; #b has no autoplay and #c is started by its Play.
  await page.waitForFunction(() => document.getElementById('a').history.epoch.length > 5, null, { timeout: 60000 });
  assert.ok((await rows(page, 'b')) <= 1, '#b waits for Play');
  await page.locator('#c').scrollIntoViewIfNeeded();
  await page.locator('#c').locator('#play').click();
  await page.waitForFunction(() => /^finished/.test(document.getElementById('c').shadowRoot.getElementById('status').textContent), null, { timeout: 240000, polling: 300 });
  await page.locator('#b').scrollIntoViewIfNeeded();
  await page.locator('#b').locator('#play').click();
  await page.waitForFunction(() => /^finished/.test(document.getElementById('b').shadowRoot.getElementById('status').textContent), null, { timeout: 240000, polling: 300 });
  await page.waitForTimeout(800);
  // Heights in the 700 px column (the notes included).
  for (const id of ['a', 'b', 'c']) {
    await page.locator(`#${id}`).screenshot({ path: path.join(SCREENSHOTS, `course-demo-${id}.png`) });
    const box = await page.locator(`#${id}`).boundingBox();
    console.log(`course demo ${id}: ${box.width} x ${box.height} px`);
    assert.ok(box.width <= 700, `${id}: ${box.width} px wide`);
    assert.ok(box.height < 900, `${id}: ${box.height} px tall`);
    assert.deepEqual(await cutLegends(page, id), [], `${id}: legends inside their cards`);
  }
  await page.screenshot({ path: path.join(SCREENSHOTS, 'course-page.png'), fullPage: true });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('an unknown view is said on the element with the allowed names', { timeout: 120000 }, async () => {
  const page = await openPage(ctx, 'course-test.html', { width: 760, height: 900 });
  await ready(page, 'c');
  await page.evaluate(() => document.getElementById('c').setAttribute('views', 'ab,charts'));
  const alert = page.locator('#c').locator('#alert');
  await alert.waitFor({ state: 'visible' });
  assert.equal(await alert.textContent(), "views: 'charts' is not a view; allowed: ab, ratio, loss, weights, mesa, sequence, capability, structure.");
  await page.close();
});

for (const [w, h] of [[375, 740], [1280, 900]]) {
  test(`lab.html at ${w} px: no legend is cut at its card's edge`, { timeout: 300000 }, async () => {
    const page = await openPage(ctx, 'lab.html#preset=quick-gaussian&epochs=40', { width: w, height: h });
    await waitReady(page);
    await page.evaluate(() => document.querySelector('mesaflow-demo').play());
    await page.waitForFunction(() => /^finished/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), null, { timeout: 120000 });
    await page.waitForTimeout(500);
    assert.deepEqual(await cutLegends(page, null), []);
    await page.close();
  });
}
