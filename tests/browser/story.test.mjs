// index.html, the story (issue 19): the paper's three results as three figures with their prose. At 1280 x 800
// the table of contents and the first live figure are on the first screen; on a 375 x 740 phone a
// training chart is; the demos start by themselves when in view (autoplay) and not under
// prefers-reduced-motion; each figure's notes are true of the run beside it once it has finished;
// the choices beside figures 2 and 3 set their demo to another law or clip. Screenshots:
// build/artifacts/screenshots/story-*.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { setup, teardown, openPage, SCREENSHOTS, ROOT } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  await teardown(ctx);
});

const shot = (name) => path.join(SCREENSHOTS, `${name}.png`);
const notes = (page, id, card) => page.evaluate(([i, c]) => [...document.getElementById(i).shadowRoot.querySelectorAll(`#notes-${c} li`)].map((n) => n.textContent), [id, card]);
const status = (page, id) => page.evaluate((i) => document.getElementById(i).shadowRoot.getElementById('status').textContent, id);
const finished = (page, id, timeout = 240000) => page.waitForFunction((i) => /^finished/.test(document.getElementById(i)?.shadowRoot.getElementById('status').textContent), id, { timeout, polling: 300 });
const trained = (page, id) => page.evaluate((i) => document.getElementById(i).history.epoch.length, id);
// The bounding box of a demo's card plot (its canvas), in the viewport.
const plotBox = (page, id, card) => page.evaluate(([i, c]) => {
  const r = document.getElementById(i).shadowRoot.querySelector(`#plot-${c} canvas`)?.getBoundingClientRect();
  return r && { top: r.top, bottom: r.bottom, height: r.height };
}, [id, card]);

test('1280 x 800: the contents and the first figure training on the first screen; each figure true of its run', { timeout: 600000 }, async () => {
  const page = await openPage(ctx, 'index.html', { width: 1280, height: 800 });
  const toc = await page.locator('nav.toc').boundingBox();
  assert.ok(toc.y + toc.height < 800, `the contents end at ${toc.y + toc.height}`);
  for (const n of [1, 2, 3]) assert.ok(await page.locator(`nav.toc a[href="#result-${n}"]`).isVisible());
  // Autoplay: demo 1 trains with no click.
  await page.waitForFunction(() => document.getElementById('demo-1').history.epoch.length > 5, null, { timeout: 60000 });
  assert.doesNotMatch(await status(page, 'demo-1'), /^Drawing the data/, 'the status line is not still drawing the data while it trains');
  const box = await plotBox(page, 'demo-1', 'ab');
  assert.ok(box && box.top < 800 && box.top + 0.6 * box.height < 800, `figure 1's chart at ${JSON.stringify(box)}`);
  // Demo 2, out of view, has not started (autoplay starts when in view).
  assert.ok((await trained(page, 'demo-2')) <= 1, 'demo 2 has only its epoch-0 row'); // the evaluation at epoch 0
  assert.match(await status(page, 'demo-2'), /^(ready|Drawing)/);
  // The status line says what the charts beside it say: its epoch is the run's, give or take the
  // epochs of its 200 ms interval and a chunk (not the 2 s of the screen reader's announcements).
  await page.waitForTimeout(700);
  const { said, epoch } = await page.evaluate(() => {
    const el = document.getElementById('demo-1');
    return { said: el.shadowRoot.getElementById('status').textContent, epoch: el.epoch };
  });
  const shown = Number(/epoch (\d+) of/.exec(said)?.[1]);
  assert.ok(epoch > 0 && shown > 0 && epoch - shown <= 100, `status '${said}' at epoch ${epoch}`);
  await page.screenshot({ path: shot('story-1280-first-screen') });
  await finished(page, 'demo-1');
  const r1 = (await page.evaluate(() => document.getElementById('demo-1').runs))[0];
  const ab1 = await notes(page, 'demo-1', 'ab');
  const opt = r1.theory.c_star_empirical;
  const ab = r1.history.ab.at(-1);
  const claim = ab1.find((n) => /^ab = .*this training set’s optimum/.test(n));
  if (Math.abs(ab - opt) / opt <= 0.01) assert.match(claim, /within .* of this training set’s optimum/);
  else assert.doesNotMatch(claim, /within/);
  // Figure 1 is the paper's process (diagonal W, no noise, radius 1), where the baselines sentence
  // ("At t = N: ...") is not said (the legend names the lines); the demo is compact, so the mesa
  // card's note is the one GD step's alone and its only K-step GD line is K = 1 (its one layer),
  // without the causal one (the laboratory's card has them all).
  const mesaNotes = await notes(page, 'demo-1', 'mesa');
  assert.equal(mesaNotes.length, 1, mesaNotes.join(' | '));
  assert.match(mesaNotes[0], /one gradient-descent step/);
  const legend = await page.evaluate(() => [...document.getElementById('demo-1').shadowRoot.querySelectorAll('#plot-mesa .legend .legend-item')].map((e) => e.textContent));
  const gd = legend.filter((l) => /step (causal )?GD/.test(l));
  assert.deepEqual(gd.map((l) => l.replace(/ \(η.*$/, '')), ['1-step GD'], legend.join(' | '));
  await page.locator('#result-1').screenshot({ path: shot('story-1280-result-1') });
  // Figures 2 and 3 start when scrolled into view.
  for (const id of ['demo-2', 'demo-3']) {
    await page.locator(`#${id}`).scrollIntoViewIfNeeded();
    await page.waitForFunction((i) => document.getElementById(i).history.epoch.length > 1, id, { timeout: 120000 });
    await finished(page, id);
    await page.waitForTimeout(500);
  }
  const r2 = (await page.evaluate(() => document.getElementById('demo-2').runs))[0];
  const verdict = (await notes(page, 'demo-2', 'ratio')).join(' ');
  assert.match(verdict, new RegExp(`measured ${String(Number(r2.history.ratio.at(-1).toPrecision(4))).replace('.', '\\.')} at epoch ${r2.history.epoch.at(-1)}`));
  await page.waitForFunction(() => document.getElementById('demo-2').shadowRoot.querySelector('#notes-capability li'), null, { timeout: 60000 });
  await page.locator('#result-2').screenshot({ path: shot('story-1280-result-2') });
  const ab3 = await notes(page, 'demo-3', 'ab');
  assert.match(ab3[0], /^No theory line: Assumption 4\.1 fails/);
  await page.locator('#result-3').screenshot({ path: shot('story-1280-result-3') });
  // The choice beside figure 3: with clip the theory applies again, and the demo says so.
  await page.locator('#result-3 .choices button[data-clip="true"]').click();
  await page.waitForFunction(() => document.getElementById('demo-3').theory?.applies === true && document.getElementById('demo-3').config.clip === true, null, { timeout: 60000 });
  assert.equal(await page.locator('#result-3 .choices button[data-clip="true"]').getAttribute('aria-pressed'), 'true');
  await finished(page, 'demo-3');
  await page.waitForTimeout(500);
  const clipped = await notes(page, 'demo-3', 'ab');
  assert.ok(clipped.every((n) => !/^No theory line/.test(n)), clipped.join(' | '));
  assert.match(clipped.join(' '), /clip keeps the red blocks diagonal, so the theory applies again/);
  await page.locator('#result-3').screenshot({ path: shot('story-1280-result-3-clip') });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('375 x 740 phone: a training chart on the first screen', { timeout: 120000 }, async () => {
  const page = await openPage(ctx, 'index.html', { width: 375, height: 740 });
  await page.waitForFunction(() => document.getElementById('demo-1').history.epoch.length > 5, null, { timeout: 60000 });
  const box = await plotBox(page, 'demo-1', 'ab');
  assert.ok(box && box.top < 740 && box.top + 0.6 * box.height < 740, `figure 1's chart at ${JSON.stringify(box)}`);
  await page.waitForFunction(() => /^(training|finished)/.test(document.getElementById('demo-1').shadowRoot.getElementById('status').textContent), null, { timeout: 10000 });
  // Nothing wider than the phone.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), 'no horizontal scroll');
  await page.screenshot({ path: shot('story-375-first-screen') });
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('prefers-reduced-motion: no demo starts by itself, Play is there', { timeout: 120000 }, async () => {
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
  const page = await context.newPage();
  await page.goto(new URL('index.html', ctx.url).href);
  await page.waitForFunction(() => document.getElementById('demo-1').theory, null, { timeout: 60000 });
  await page.waitForTimeout(2500);
  assert.ok((await trained(page, 'demo-1')) <= 1, 'only the epoch-0 row');
  assert.match(await status(page, 'demo-1'), /^ready: .* press Play$/);
  const play = page.locator('#demo-1').locator('#play');
  assert.ok(await play.isVisible());
  await play.click();
  await page.waitForFunction(() => document.getElementById('demo-1').history.epoch.length > 1, null, { timeout: 60000 });
  await context.close();
});

test('the story is the landing page (/ and index.html), linked to the laboratory (lab.html) and back; an old configuration link goes on to lab.html', { timeout: 120000 }, async () => {
  const page = await openPage(ctx, '', { width: 1280, height: 800 });
  assert.equal(await page.locator('nav.toc').count(), 1, '/ serves the story');
  assert.equal(await page.locator('mesaflow-demo').count(), 3);
  const lab = page.locator('nav.toc li.lab a');
  assert.equal(await lab.getAttribute('href'), 'lab.html');
  await lab.click();
  await page.waitForURL(/\/lab\.html/);
  await page.waitForFunction(() => document.querySelector('mesaflow-demo')?.theory, null, { timeout: 60000 });
  assert.equal(await page.locator('nav.toc').count(), 0, 'lab.html is the laboratory');
  // Its link to this view is a link to the laboratory, not to the story.
  await page.waitForFunction(() => /lab\.html#.*preset=quick/.test(document.getElementById('share-link').href));
  const back = page.locator('.story-link a');
  assert.equal(await back.getAttribute('href'), 'index.html');
  await back.click();
  await page.waitForURL(/\/index\.html$/);
  assert.equal(await page.locator('nav.toc').count(), 1);
  // The story's own anchors stay on it.
  await page.locator('nav.toc a[href="#result-2"]').click();
  await page.waitForTimeout(300);
  assert.match(page.url(), /\/index\.html#result-2$/);
  assert.equal(await page.locator('nav.toc').count(), 1);
  assert.deepEqual(page.problems, []);
  await page.close();
  // A configuration link of the laboratory from before it moved, opened afresh and typed into the
  // story's address bar (a hash change only).
  for (const how of ['load', 'hash']) {
    const p = await openPage(ctx, how === 'load' ? 'index.html#preset=quick-gaussian&epochs=7' : 'index.html');
    if (how === 'hash') await p.evaluate(() => (location.hash = '#preset=quick-gaussian&epochs=7'));
    await p.waitForURL(/\/lab\.html#preset=quick-gaussian&epochs=7$/);
    await p.waitForFunction(() => document.querySelector('mesaflow-demo')?.config?.epochs === 7, null, { timeout: 60000 });
    assert.equal(await p.evaluate(() => document.querySelector('mesaflow-demo').config.x1), 'gaussian', how);
    assert.equal(await p.locator('nav.toc').count(), 0, how);
    assert.deepEqual(p.problems, [], how);
    await p.close();
  }
});

test('make demo\'s server (node site/serve.mjs) prints the story\'s URL first, then the laboratory\'s, and serves each', { timeout: 60000 }, async () => {
  const server = spawn(process.execPath, [path.join(ROOT, 'site', 'serve.mjs')], { env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    let out = '';
    await new Promise((resolve, reject) => {
      server.stdout.on('data', (d) => {
        out += d;
        if (/lab\.html/.test(out)) resolve();
      });
      server.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}`)));
      setTimeout(() => reject(new Error(`serve.mjs printed ${JSON.stringify(out)}`)), 20000);
    });
    const [first, second] = out.trim().split('\n');
    const story = /^mesaflow demo: (http:\/\/localhost:\d+\/) \(the story: the paper's three results, trained live\)$/.exec(first);
    assert.ok(story, first);
    assert.equal(second, `  the laboratory (every setting, compare, your own data, exports): ${story[1]}lab.html`);
    const page = await ctx.browser.newPage();
    await page.goto(story[1]);
    assert.equal(await page.locator('nav.toc a[href="#result-1"]').count(), 1, 'the printed URL is the story');
    await page.goto(`${story[1]}lab.html`);
    assert.equal(await page.locator('#share-link').count(), 1, 'and lab.html the laboratory');
    await page.close();
  } finally {
    server.kill();
  }
});
