// Process fixed with a W of your own (issue 22): a .npy of shape (d, d) dropped on the element is
// read by the core in the training worker with the checks of the command line's --w-file, and the
// runs then train on data drawn with that W, on two workers (every shard service given the file):
// the history is the CLI's for the same W file and settings, bit for bit. Back to the W drawn from
// the seed, it is the CLI's run without --w-file. A W that no longer fits (d changed) stops the run
// with d marked. A W of the wrong shape or dtype, with a non-finite
// entry or a norm whose T steps overflow, is refused with the field named (w-file) in the CLI's
// words, next to the file picker, and the runs shown go on. The files are written here by hand from
// the .npy format.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { setup, teardown, openPage, waitReady, trainToEnd, shadow, screenshot, setField, ROOT } from './helpers.mjs';
import { HISTORY_COLUMNS } from '../node/helpers.mjs';

const CLI = path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow');
// The page's settings and the CLI's for the same run (the quick preset's, made small, process fixed with
// noise; at this step the model leaves the diagonal family: with one W for all it can learn W itself).
const LINK = 'lab.html#preset=quick&process=fixed&noise=0.05&d=3&T=12&m=300&test-m=60&epochs=60&lr=0.02&workers=2';
const RUN = ['train', '--process', 'fixed', '--noise', '0.05', '--d', '3', '--T', '12', '--m', '300', '--test-m', '60', '--epochs', '60',
  '--lr', '0.02', '--x1', 'sparse', '--scale', '1', '--seed', '1', '--eval-every', '1', '--a0', '0.1', '--b0', '0.1', '--quiet'];

let ctx, dir, page;
const file = (name) => path.join(dir, name);

// A .npy file: the header padded to a multiple of 64 bytes (format 1.0), then the data.
function npy(dict, data) {
  let h = dict;
  while ((10 + h.length + 1) % 64) h += ' ';
  h += '\n';
  return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([h.length & 0xff, h.length >> 8]), Buffer.from(h, 'latin1'), data]);
}
const f8 = (d, values) => npy(`{'descr': '<f8', 'fortran_order': False, 'shape': (${d}, ${d}), }`, Buffer.from(new Float64Array(values).buffer));

// The refused files: name, bytes, and words of the core's message.
const BAD = [
  ['shape.npy', f8(2, [1, 0, 0, 1]), 'expected shape (3, 3)'],
  ['dtype.npy', npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3, 3), }", Buffer.from(new Int32Array(9).buffer)), 'i4'],
  ['nan.npy', f8(3, [1, 0, 0, 0, NaN, 0, 0, 0, 1]), 'non-finite entry (1, 1)'],
  ['grows.npy', f8(3, [1000, 0, 0, 0, 1, 0, 0, 0, 1]), '||radius W||_2 = 1000'],
];

// Drops files [{name, bytes}] on the element, as a drag from the desktop does.
function drop(name, bytes) {
  return page.evaluate(({ n, b64 }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], n));
    const el = document.querySelector('mesaflow-demo');
    for (const type of ['dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { n: name, b64: Buffer.from(bytes).toString('base64') });
}

const demo = (f, arg) => page.evaluate(f, arg);
const pick = (h) => Object.fromEntries(HISTORY_COLUMNS.map((k) => [k, h[k]]));
// The CLI's history for RUN (and more args), written by it to a run document.
function cliHistory(...more) {
  const out = file('run.json');
  const r = spawnSync(CLI, [...RUN, ...more, '--out', out], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return pick(JSON.parse(fs.readFileSync(out, 'utf8')).history);
}
// The CLI's first line on stderr for a W file it refuses, without the path it puts before the
// reader's words ("--w-file: 'x.npy': .npy dtype ..."): the page names the file after them.
function cliRefusal(name) {
  const r = spawnSync(CLI, [...RUN, '--w-file', name], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 2, `${name}: refused by the CLI: ${r.stderr}`);
  return r.stderr.split('\n')[0].replace(`--w-file: '${name}': `, '--w-file: ');
}
const wIs = (name) => page.waitForFunction((n) => {
  const el = document.querySelector('mesaflow-demo');
  return (el.data.w?.name ?? null) === n && el.history.epoch.length === 1;
}, name, { timeout: 60000 });

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-wfile-'));
  fs.writeFileSync(file('w.npy'), f8(3, [0.6, -0.3, 0.1, 0.2, 0.7, -0.2, 0.0, 0.4, 0.5]));
  for (const [name, bytes] of BAD) fs.writeFileSync(file(name), bytes);
  ctx = await setup();
  page = await openPage(ctx, LINK);
  await page.evaluate(() => {
    window.__errors = [];
    document.addEventListener('mesaflow-file-error', (e) => window.__errors.push(e.detail));
  });
  await waitReady(page);
});
after(async () => {
  await page?.close();
  await teardown(ctx);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('a W file dropped for process fixed trains with it on two workers: the CLI\'s history for the same --w-file, bit for bit', async () => {
  await drop('w.npy', fs.readFileSync(file('w.npy')));
  await wIs('w.npy');
  assert.deepEqual(await demo(() => document.querySelector('mesaflow-demo').data), { source: 'generated', w: { name: 'w.npy', d: 3, used: true } });
  assert.match(await shadow(page, '#data-source').textContent(), /W: your file w\.npy \(process fixed, d = 3\), the one W of every sequence\.$/);
  // The link holds the settings, not the file: said beside Copy link.
  assert.equal(await shadow(page, '#link-note').textContent(), 'This link holds the settings but not w.npy (a link cannot carry a file): with process fixed it opens on the W drawn from the seed, not the file’s.');
  await trainToEnd(page);
  assert.equal(await demo(() => document.querySelector('mesaflow-demo').workers), 2, 'the parallel path');
  const withFile = cliHistory('--w-file', 'w.npy');
  assert.deepEqual(pick(await demo(() => document.querySelector('mesaflow-demo').history)), withFile, 'the CLI\'s numbers for the file\'s W');
  await screenshot(page, 'w-file');
  // Back to the W drawn from the seed: the CLI's run without a file, a different one.
  await shadow(page, '#w-seed').click();
  await wIs(null);
  assert.equal(await shadow(page, '#w-seed').isVisible(), false);
  assert.equal(await shadow(page, '#link-note').isVisible(), false);
  await trainToEnd(page);
  const seeded = cliHistory();
  assert.deepEqual(pick(await demo(() => document.querySelector('mesaflow-demo').history)), seeded, 'the CLI\'s numbers for the seed\'s W');
  assert.notDeepEqual(seeded.train_loss, withFile.train_loss);
  assert.deepEqual(page.problems, []);
});

test('a W of the wrong shape or dtype, non-finite or overflowing is refused with the field named, in the CLI\'s words; the runs go on', async () => {
  await drop('w.npy', fs.readFileSync(file('w.npy')));
  await wIs('w.npy');
  const before = pick(await demo(() => document.querySelector('mesaflow-demo').history));
  for (const [name, bytes, words] of BAD) {
    const n = await demo(() => window.__errors.length);
    await drop(name, bytes);
    await page.waitForFunction((k) => window.__errors.length > k, n, { timeout: 30000 });
    const e = await demo(() => window.__errors.at(-1));
    assert.equal(e.field, 'w-file', name);
    assert.equal(e.name, name);
    assert.ok(e.message.includes(words), `${name}: ${e.message}`);
    assert.equal(`mesaflow: --${e.message}`, cliRefusal(name), `${name}: the CLI's words`);
    assert.equal(await shadow(page, '#file-problem').textContent(), `${e.message} (${name} is not used: the runs shown go on.)`);
    // The runs shown go on with the accepted W.
    assert.equal((await demo(() => document.querySelector('mesaflow-demo').data)).w?.name, 'w.npy', name);
  }
  assert.deepEqual(pick(await demo(() => document.querySelector('mesaflow-demo').history)).train_loss.slice(0, 1), before.train_loss.slice(0, 1));
  // A W file with another process is read as data, and refused by the data reader (data: complex, (m, d, T)).
  await page.evaluate(() => (location.hash = location.hash.replace('process=fixed', 'process=unitary')));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.process === 'unitary');
  assert.match(await shadow(page, '#data-source').textContent(), /Your W file w\.npy is kept for process fixed \(the process now is another: W is not used\)\.$/);
  const n = await demo(() => window.__errors.length);
  await drop('w.npy', fs.readFileSync(file('w.npy')));
  await page.waitForFunction((k) => window.__errors.length > k, n, { timeout: 30000 });
  const e = await demo(() => window.__errors.at(-1));
  assert.equal(e.field, 'data');
  assert.equal(e.message, "data: .npy dtype '<f8' is not supported: expected complex128 '<c16' or complex64 '<c8'");
  assert.deepEqual(page.problems, []);
});

test('a W that no longer fits (d changed) is said as the run not started, d marked; W from the seed trains again', async () => {
  await page.evaluate(() => (location.hash = location.hash.replace('process=unitary', 'process=fixed')));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.process === 'fixed');
  await drop('w.npy', fs.readFileSync(file('w.npy')));
  await wIs('w.npy');
  await setField(page, 'd', '4');
  await page.waitForFunction(() => /^Not started: /.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), null, { timeout: 30000 });
  assert.equal(await shadow(page, '#status').textContent(), 'Not started: w-file, d: W has shape (3, 3); the run has d = 4: expected shape (4, 4)');
  assert.equal(await shadow(page, '#f-d').getAttribute('aria-invalid'), 'true', 'd is part of the problem');
  await shadow(page, '#w-seed').click();
  await page.waitForFunction(() => {
    const el = document.querySelector('mesaflow-demo');
    return !el.data.w && el.config.d === 4 && el.history.epoch.length === 1;
  }, null, { timeout: 60000 });
  assert.equal(await shadow(page, '#f-d').getAttribute('aria-invalid'), null);
  assert.deepEqual(page.problems, []);
});
