// The parallel path: several Web Workers compute the shard sums, and the training is the
// single-worker path's bit for bit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, teardown, openPage, waitReady, trainToEnd } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup();
});
after(async () => {
  await teardown(ctx);
});

async function trainedWith(hash) {
  const page = await openPage(ctx, `lab.html#${hash}`);
  await waitReady(page);
  const status = await trainToEnd(page);
  const r = await page.evaluate(() => {
    const el = document.querySelector('mesaflow-demo');
    return { history: el.history, workers: el.workers, params: el.params, cores: Math.min(8, navigator.hardwareConcurrency || 1) };
  });
  assert.deepEqual(page.problems, []);
  await page.close();
  return { status, ...r };
}

test('workers=2 trains the same history as workers=1, bit for bit', async () => {
  const cfg = 'preset=quick&m=600&test-m=200&epochs=12&eval-every=1';
  const one = await trainedWith(`${cfg}&workers=1`);
  const two = await trainedWith(`${cfg}&workers=2`);
  assert.equal(one.workers, 1);
  assert.equal(two.workers, 2);
  assert.match(two.status, /^finished: epoch 12 of 12/);
  assert.equal(two.history.epoch.length, 13);
  assert.deepEqual(two.history, one.history); // Object.is on every number: the same bits
  assert.match(two.params, /workers=2/, 'a set worker count is part of the link');
});

test('three workers asked for, clip, eval-every and compare mode: the pool\'s workers, still the same numbers', async () => {
  const cfg = 'preset=quick&m=300&test-m=100&epochs=7&eval-every=3&clip=true&compare=true&lr=0.0001';
  const one = await trainedWith(`${cfg}&workers=1`);
  const three = await trainedWith(`${cfg}&workers=3`);
  // The page's pool has one worker per core (pagepool.js): a demo asking for more gets those.
  assert.equal(three.workers, Math.min(3, three.cores));
  assert.match(three.status, /^finished/);
  assert.deepEqual(Array.from(three.history.epoch), [0, 3, 6, 7]);
  assert.deepEqual(three.history, one.history);
});

test('step, pause and divergence work on the parallel path', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&m=200&test-m=50&epochs=30&workers=2');
  await waitReady(page);
  assert.equal(await page.evaluate(() => document.querySelector('mesaflow-demo').workers), 2);
  await page.evaluate(() => document.querySelector('mesaflow-demo').step());
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').history.epoch.length === 2);
  // A step size far too large: the run stops with the divergence message.
  await page.evaluate(() => (location.hash = '#preset=quick&m=200&test-m=50&epochs=30&lr=5&workers=2'));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.lr === 5 && document.querySelector('mesaflow-demo').theory);
  const status = await trainToEnd(page);
  assert.match(status, /^diverged/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('small settings default to the single-worker path; the flow always does', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&d=2&T=20&m=100&test-m=100');
  await waitReady(page);
  assert.equal(await page.evaluate(() => document.querySelector('mesaflow-demo').workers), 1);
  await page.evaluate(() => (location.hash = '#preset=quick&method=flow&m=300&workers=2'));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.method === 'flow' && document.querySelector('mesaflow-demo').workers === 1);
  // The element writes each accepted configuration back to the URL; wait for that before the next
  // edit, so the write-back cannot land on top of it.
  await page.waitForFunction(() => location.hash.includes('method=flow'), null, { timeout: 60000 });
  await page.evaluate(() => (location.hash = '#preset=quick&workers=zero'));
  await page.waitForFunction(() => /workers: 'zero' is not valid; expected auto or an integer in \[1, 8\]/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('alert').textContent), null, { timeout: 60000 });
  assert.deepEqual(page.problems, []);
  await page.close();
});

// Issue 12: compare mode's three runs draw the same data, so each sub-worker holds one copy for
// all three; at the paper's size the memory budget then allows every worker (it allowed one).
async function compareRuns(hash) {
  const page = await openPage(ctx, `lab.html#${hash}`);
  await waitReady(page);
  const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency || 1));
  await trainToEnd(page, 300000);
  const r = await page.evaluate(() => {
    const el = document.querySelector('mesaflow-demo');
    return { workers: el.workers, histories: el.runs.map((x) => x.history) };
  });
  assert.deepEqual(page.problems, []);
  await page.close();
  return { cores, ...r };
}

test('compare mode at the paper\'s size uses every worker, with the numbers of one worker', async () => {
  const cfg = 'preset=gaussian-1&compare=true&epochs=2';
  const all = await compareRuns(cfg);
  assert.ok(all.cores >= 2, 'this machine has two cores or more');
  assert.equal(all.workers, all.cores);
  const one = await compareRuns(`${cfg}&workers=1`);
  assert.equal(one.workers, 1);
  assert.equal(all.histories.length, 3);
  for (const h of all.histories) assert.equal(h.epoch.length, 3);
  assert.deepEqual(all.histories, one.histories); // the three runs, bit for bit
});
