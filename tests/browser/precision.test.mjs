// Precision on the page (issue 12): the toolbar shows the run's precision and offers the other;
// single trains to the command line's history in single bit for bit, the link carries it, and
// another preset keeps the precision the reader picked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { setup, teardown, openPage, waitReady, trainToEnd, shadow, ROOT } from './helpers.mjs';
import { historyColumns } from '../node/helpers.mjs';

const CLI = path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow');

let ctx;
before(async () => {
  ctx = await setup();
});
after(async () => {
  await teardown(ctx);
});

// The quick preset (sparse, d 3, T 20, m 1000, test-m 500, lr 2e-3, seed 1, 500 epochs).
function cliHistory(precision) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-'));
  const out = path.join(dir, 'run.json');
  execFileSync(CLI, ['train', '--x1', 'sparse', '--scale', '1', '--d', '3', '--T', '20', '--m', '1000', '--test-m', '500',
    '--lr', '2e-3', '--epochs', '500', '--seed', '1', '--precision', precision, '--quiet', '--out', out]);
  const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  return doc.history;
}

const config = (page) => page.evaluate(() => document.querySelector('mesaflow-demo').config);

test('the toolbar offers single; it trains to the CLI\'s single history bit for bit, is in the link, and a preset keeps it', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick');
  await waitReady(page);
  assert.equal(await shadow(page, '#precision-pick').inputValue(), 'double');
  assert.equal((await config(page)).precision, 'double');
  await shadow(page, '#precision-pick').selectOption('single');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.precision === 'single' && document.querySelector('mesaflow-demo').theory);
  await page.waitForFunction(() => location.hash.includes('precision=single'));
  assert.equal(await shadow(page, '#f-precision').inputValue(), 'single', 'the settings form shows it too');
  assert.equal(await shadow(page, '#preset').inputValue(), 'quick', 'precision does not make a preset custom');
  assert.match(await trainToEnd(page), /^finished: epoch 500 of 500/);
  const single = await page.evaluate(() => document.querySelector('mesaflow-demo').history);
  const native = cliHistory('single');
  // Every column of the CLI's history (taken from its document: a new column is compared too).
  assert.deepEqual(historyColumns(single), historyColumns(native));
  assert.ok(historyColumns(native).length >= 11, String(historyColumns(native)));
  for (const k of historyColumns(native)) assert.deepEqual(Array.from(single[k]), native[k], k);
  // Another preset: its values, in the precision picked.
  await shadow(page, '#preset').selectOption('quick-gaussian');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.x1 === 'gaussian');
  assert.equal((await config(page)).precision, 'single');
  assert.equal(await shadow(page, '#precision-pick').inputValue(), 'single');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a link with precision=single opens in single', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&epochs=15&precision=single');
  await waitReady(page);
  assert.equal(await shadow(page, '#precision-pick').inputValue(), 'single');
  assert.equal((await config(page)).precision, 'single');
  assert.deepEqual(page.problems, []);
  await page.close();
});
