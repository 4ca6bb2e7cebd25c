// A field is checked on the page (issue 18): a bad value typed into the settings form is refused
// at once, in the same task, with no message to any worker, in the command line's words (the
// generated rules of site/js/model/field-parse.js); a bad attribute is refused with the same words.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { setup, teardown, openPage, waitReady, openSettings, ROOT } from './helpers.mjs';

const CLI = path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow');
let ctx;
before(async () => {
  ctx = await setup();
});
after(async () => {
  await teardown(ctx);
});

// What `mesaflow train --name=text` says of the value: its first line, without "mesaflow: --" and
// the hint the CLI adds to a text that looks like a list or a range.
function cliWords(name, text, dir) {
  const r = spawnSync(CLI, ['train', `--${name}=${text}`, '--epochs', '0', '--out', path.join(dir, 'run.json')], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, `${name}=${text}: ${r.stdout}`);
  return r.stderr.split('\n')[0].replace(/^mesaflow: --/, '').replace(" (lists and ranges go with 'mesaflow sweep')", '');
}

const BAD = [['lr', '0'], ['lr', '50'], ['lr', '1e400'], ['lr', '0x10'], ['d', '2.5'], ['T', '2'], ['m', 'many'], ['scale', '1e4'], ['a0', '101'],
  ['sigma-w', '-1'], ['epochs', '1.5'], ['eval-every', '0'], ['test-m', '0'], ['seed', '-1'], ['magnitude', 'uniform:2:1'], ['magnitude', 'values:1@0.5']];

test('a bad value in the settings form is refused in the same task, without a worker, in the CLI\'s words', { skip: !fs.existsSync(CLI) && 'build/native has no CLI' }, async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&epochs=20');
  // Every message the page posts to a worker, by type.
  await page.evaluate(() => {
    window.__posted = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (msg, transfer) {
      window.__posted.push(msg?.type);
      return post.call(this, msg, transfer);
    };
  });
  await waitReady(page);
  await openSettings(page);
  await page.waitForTimeout(500); // the created runs' first messages
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-validate-'));
  try {
    for (const [name, text] of BAD) {
      const seen = await page.evaluate(([n, t]) => {
        const root = document.querySelector('mesaflow-demo').shadowRoot;
        const input = root.getElementById(`f-${n}`);
        const before = window.__posted.length;
        input.value = t;
        input.dispatchEvent(new Event('change'));
        // Read in the same task: no answer from a worker could have come yet.
        return { error: root.getElementById(`f-${n}-err`).textContent, posted: window.__posted.slice(before), invalid: input.getAttribute('aria-invalid') };
      }, [name, text]);
      assert.equal(seen.error, cliWords(name, text, dir), `${name} = ${JSON.stringify(text)}`);
      assert.deepEqual(seen.posted, [], `${name}: no message to a worker`);
      assert.equal(seen.invalid, 'true');
    }
    // A good value clears the problem, also at once.
    const cleared = await page.evaluate(() => {
      const root = document.querySelector('mesaflow-demo').shadowRoot;
      const input = root.getElementById('f-lr');
      input.value = '0.02';
      input.dispatchEvent(new Event('change'));
      return root.getElementById('f-lr-err').textContent;
    });
    assert.equal(cleared, '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a bad attribute is refused in the same words, and the rest of the configuration still applies', { skip: !fs.existsSync(CLI) && 'build/native has no CLI' }, async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&epochs=20');
  await waitReady(page);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-validate-'));
  try {
    await page.evaluate(() => {
      const el = document.querySelector('mesaflow-demo');
      el.setAttribute('lr', '50');
      el.setAttribute('epochs', '25');
    });
    await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.epochs === 25, null, { timeout: 30000 });
    const alert = await page.evaluate(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('alert').textContent);
    assert.match(alert, new RegExp(cliWords('lr', '50', dir).replace(/[()[\]]/g, '\\$&')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  await page.close();
});

// Issue 18: the memory a setting needs is checked on the page too (site/js/model/memory.js, the
// core's estimate from its generated terms): runs that would not fit are refused in the same task,
// with the core's words naming the fields, and no create is sent to a worker (only `clear`, which
// drops the old runs there and is answered by nothing the page waits for).
test('a setting too large for the memory budget is refused in the same task, without a create to any worker', async () => {
  const { load } = await import('../node/helpers.mjs');
  const { mf } = await load();
  const page = await openPage(ctx, 'lab.html#preset=quick&epochs=20');
  await page.evaluate(() => {
    window.__posted = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (msg, transfer) {
      window.__posted.push(msg?.type);
      return post.call(this, msg, transfer);
    };
  });
  await waitReady(page);
  await openSettings(page);
  await page.waitForTimeout(500);
  const seen = await page.evaluate(() => {
    const el = document.querySelector('mesaflow-demo');
    const root = el.shadowRoot;
    const input = root.getElementById('f-m');
    const before = window.__posted.length;
    input.value = '10000000';
    input.dispatchEvent(new Event('change'));
    // Read in the same task: no answer from a worker could have come yet.
    return { posted: window.__posted.slice(before), alert: root.getElementById('alert').textContent, status: root.getElementById('status').textContent,
      top: root.getElementById('form-problem').textContent, cfg: el.config };
  });
  assert.equal(seen.cfg.m, 10000000);
  assert.ok(!seen.posted.includes('create'), `posted ${seen.posted}`);
  assert.deepEqual(seen.posted.filter((t) => t === 'clear'), ['clear']);
  const mib = Math.round(mf.estimateBytes(seen.cfg) / 2 ** 20); // the core's own estimate, through the module in node
  const words = `m, test-m, T, d: this setting needs about ${mib} MiB, more than the budget of 1024 MiB in this browser; reduce m, test-m or T`;
  assert.equal(seen.alert, `Not started: ${words}`);
  assert.equal(seen.status, `Not started: ${words}`);
  assert.ok(seen.top.startsWith(words), seen.top);
  // Nothing trains, and later nothing from a worker overrides the refusal.
  await page.waitForTimeout(1000);
  const later = await page.evaluate(() => ({ n: document.querySelector('mesaflow-demo').history.epoch.length, alert: document.querySelector('mesaflow-demo').shadowRoot.getElementById('alert').textContent }));
  assert.equal(later.n, 0);
  assert.equal(later.alert, `Not started: ${words}`);
  // A setting that fits is created by the worker again, and the problem is gone.
  await page.evaluate(() => {
    const input = document.querySelector('mesaflow-demo').shadowRoot.getElementById('f-m');
    input.value = '200';
    input.dispatchEvent(new Event('change'));
  });
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').history?.epoch.length > 0, null, { timeout: 30000 });
  assert.equal(await page.evaluate(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('form-problem').textContent), '');
  assert.deepEqual(page.problems, []);
  await page.close();
});
