// Faults in the browser: a training worker that throws, one that is terminated without a word,
// a worker of the page's pool that computes shard sums for the run (parallel path) and throws, and an element moved in the DOM. Each time the
// page says so, keeps (and exports) the history recorded so far, and Resume goes on from the last
// checkpoint to exactly the numbers of a run never interrupted; Restart starts again.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { setup, teardown, openPage, waitReady, shadow } from './helpers.mjs';

let ctx;
let want; // the history of the uninterrupted run
const LINK = 'lab.html#preset=quick&epochs=60';

before(async () => {
  ctx = await setup();
  const page = await openPage(ctx, `${LINK}&workers=1`);
  await waitReady(page);
  await page.evaluate(() => document.querySelector('mesaflow-demo').play());
  await page.waitForFunction(() => /^finished/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent));
  want = await page.evaluate(() => document.querySelector('mesaflow-demo').history);
  assert.equal(want.epoch.length, 61);
  await page.close();
});
after(() => teardown(ctx));

// Plays at 50 epochs per second (so there is time to break something) until epoch `e`; records
// every mesaflow-step epoch and mesaflow-fault in window.__steps / window.__faults.
async function playUntil(page, e) {
  await page.evaluate(() => {
    const el = document.querySelector('mesaflow-demo');
    window.__steps = [];
    window.__faults = [];
    el.addEventListener('mesaflow-step', (ev) => window.__steps.push(ev.detail.epoch));
    el.addEventListener('mesaflow-fault', (ev) => window.__faults.push(ev.detail));
    el.shadowRoot.getElementById('speed').value = '50';
    el.play();
  });
  await page.waitForFunction((n) => document.querySelector('mesaflow-demo').history.epoch.length > n, e, { polling: 20 });
}

const faultShown = (page, timeout = 30000) =>
  page.waitForFunction(() => !document.querySelector('mesaflow-demo').shadowRoot.getElementById('fault').hidden, null, { timeout });
const finished = (page) =>
  page.waitForFunction(() => /^finished/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), null, { timeout: 60000 });
const history = (page) => page.evaluate(() => document.querySelector('mesaflow-demo').history);
// The page's pool starts its workers in order (pool/page-pool.js); the demo's runs are a tenant of the
// first, and on the parallel path the second computes shard sums for them.
async function poolWorker(page, i) {
  for (const w of page.workers()) if ((await w.evaluate(() => self.name)) === `mesaflow pool ${i}`) return w;
  throw new Error(`no worker ${i} in the page's pool`);
}

test('a worker that throws mid-training: message, history kept and exported, Resume gives the uninterrupted numbers', async () => {
  const page = await openPage(ctx, `${LINK}&workers=1`);
  await waitReady(page);
  await playUntil(page, 15);
  await (await poolWorker(page, 0)).evaluate(() => setTimeout(() => {
    throw new Error('injected fault');
  }, 0));
  await faultShown(page);
  const text = await shadow(page, '#fault-text').textContent();
  assert.match(text, /^Training stopped: the training worker failed \(.*injected fault\)\. The history up to epoch \d+ is kept/);
  const kept = await history(page);
  assert.ok(kept.epoch.length >= 16, `${kept.epoch.length} rows kept`);
  for (const k of Object.keys(kept)) assert.deepEqual(kept[k], want[k].slice(0, kept[k].length), `kept ${k} is a prefix of the run`);
  await page.waitForTimeout(300);
  assert.equal((await history(page)).epoch.length, kept.epoch.length, 'nothing trains after the fault');
  const faults = await page.evaluate(() => window.__faults);
  assert.equal(faults.length, 1);
  assert.equal(faults[0].resumable, true);
  assert.match(await shadow(page, '#status').textContent(), /^Training stopped/);
  assert.equal(await shadow(page, '#play').textContent(), 'Play');

  // The export holds every recorded row.
  const [download] = await Promise.all([page.waitForEvent('download'), shadow(page, '#csv').click()]);
  const lines = fs.readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(lines.length, kept.epoch.length + 1);
  assert.equal(lines.at(-1).split(',')[2], String(kept.epoch.at(-1)));

  await shadow(page, '#resume').click();
  await finished(page);
  assert.equal(await shadow(page, '#fault').isHidden(), true);
  assert.deepEqual(await history(page), want);
  // mesaflow-step: once per epoch, none repeated by the resume.
  assert.deepEqual(await page.evaluate(() => window.__steps), want.epoch.filter((e) => e > 0));
  assert.deepEqual(page.problems.filter((p) => !/injected fault/.test(p)), []);
  await page.close();
});

test('a worker terminated without a word is noticed; Restart trains again from epoch 0', async () => {
  const page = await openPage(ctx, `${LINK}&workers=1`);
  await waitReady(page);
  await playUntil(page, 10);
  await (await poolWorker(page, 0)).evaluate(() => self.close());
  await faultShown(page);
  assert.match(await shadow(page, '#fault-text').textContent(), /^Training stopped: the training worker stopped answering \(for \d+ s\)\. The history up to epoch/);
  assert.ok((await history(page)).epoch.length >= 11);
  await shadow(page, '#restart').click();
  await finished(page);
  assert.deepEqual(await history(page), want);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a sub-worker of the parallel path that throws: the same, and Resume trains on new workers', async () => {
  const page = await openPage(ctx, `${LINK}&workers=2`);
  await waitReady(page);
  assert.equal(await page.evaluate(() => document.querySelector('mesaflow-demo').workers), 2);
  await playUntil(page, 12);
  await (await poolWorker(page, 1)).evaluate(() => setTimeout(() => {
    throw new Error('injected sub-worker fault');
  }, 0));
  await faultShown(page);
  assert.match(await shadow(page, '#fault-text').textContent(), /^Training stopped: a training sub-worker failed \(.*injected sub-worker fault\)\. The history up to epoch/);
  const kept = await history(page);
  for (const k of Object.keys(kept)) assert.deepEqual(kept[k], want[k].slice(0, kept[k].length));
  await page.evaluate(() => document.querySelector('mesaflow-demo').resume());
  await finished(page);
  assert.deepEqual(await history(page), want);
  assert.equal(await page.evaluate(() => document.querySelector('mesaflow-demo').workers), 2);
  assert.deepEqual(page.problems.filter((p) => !/injected sub-worker fault/.test(p)), []);
  await page.close();
});

test('a sub-worker terminated without a word fails the pool in time; Resume finishes the run', async () => {
  const page = await openPage(ctx, `${LINK}&workers=2`);
  await waitReady(page);
  await playUntil(page, 12);
  await (await poolWorker(page, 1)).evaluate(() => self.close());
  await faultShown(page);
  assert.match(await shadow(page, '#fault-text').textContent(), /^Training stopped: a training sub-worker did not answer in \d+ s\. The history up to epoch/);
  await shadow(page, '#resume').click();
  await finished(page);
  assert.deepEqual(await history(page), want);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('an element moved in the DOM mid-training goes on where it was', async () => {
  const page = await openPage(ctx, `${LINK}&workers=1`);
  await waitReady(page);
  await playUntil(page, 10);
  await page.evaluate(() => {
    const el = document.querySelector('mesaflow-demo');
    const box = document.createElement('div');
    document.body.append(box);
    box.append(el); // disconnected, then connected: a new worker
  });
  await finished(page);
  assert.deepEqual(await history(page), want);
  assert.deepEqual(await page.evaluate(() => window.__steps), want.epoch.filter((e) => e > 0));
  assert.deepEqual(page.problems, []);
  await page.close();
});
