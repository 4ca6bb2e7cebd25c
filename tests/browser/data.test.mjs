// Your own data on the page: a .npy file written by the command line (complex128) and the same
// numbers as complex64 (written here), chosen with the file input or dropped on the element, are
// read by the core's reader in the training worker and trained on with the history the command
// line gives for the same file, bit for bit; the twelve malformed files of the CLI's own tests
// (tests/native/test_io.cpp, built here the same way) each get the CLI's message on the page and
// the runs stay; a run.json of the CLI is drawn beside the live run, and a malformed one is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { setup, teardown, openPage, waitReady, trainToEnd, shadow, ROOT } from './helpers.mjs';
import { HISTORY_COLUMNS } from '../node/helpers.mjs';

const CLI = path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow');
// The page's settings and the CLI's for the same run (quick: seed 1, eval-every 1, diagonal, gd).
const LINK = 'lab.html#preset=quick&epochs=30&lr=0.01&a0=0.5&b0=0.5';
const RUN = ['--lr', '0.01', '--epochs', '30', '--a0', '0.5', '--b0', '0.5', '--quiet'];
const COLUMNS = HISTORY_COLUMNS; // every column the core records (generated)

let ctx, dir, page;
const file = (name) => path.join(dir, name);

// The command line on args (in dir): {status, stderr}.
function cli(...args) {
  const r = spawnSync(CLI, args, { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

// A .npy file written by hand from the format description, as test_io.cpp's hand_npy.
function handNpy(dict, data) {
  let h = dict;
  while ((10 + h.length + 1) % 64) h += ' ';
  h += '\n';
  return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([h.length & 0xff, h.length >> 8]), Buffer.from(h, 'latin1'), data]);
}

// The complex128 file at from, as complex64 (the same header otherwise), at to.
function toComplex64(from, to) {
  const bytes = fs.readFileSync(from);
  const start = 10 + bytes.readUInt16LE(8);
  const header = bytes.subarray(10, start).toString('latin1');
  const f64 = new Float64Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + bytes.length));
  fs.writeFileSync(to, handNpy(header.trim().replace("'<c16'", "'<c8'"), Buffer.from(Float32Array.from(f64).buffer)));
}

// Drops files [{name, bytes, type}] on the element, as a drag from the desktop does.
function drop(files) {
  return page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const { name, b64, type } of list) dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type }));
    const el = document.querySelector('mesaflow-demo');
    for (const type of ['dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files.map(({ name, bytes, type = '' }) => ({ name, b64: Buffer.from(bytes).toString('base64'), type })));
}

const demo = (f, arg) => page.evaluate(f, arg);
const history = () => demo(() => document.querySelector('mesaflow-demo').history);
const cliHistory = (json) => {
  const h = JSON.parse(fs.readFileSync(file(json), 'utf8')).history;
  return Object.fromEntries(COLUMNS.map((k) => [k, h[k]]));
};
const pick = (h) => Object.fromEntries(COLUMNS.map((k) => [k, h[k]]));
const dataIs = (name) => page.waitForFunction((n) => {
  const el = document.querySelector('mesaflow-demo');
  return el.data.name === n && el.config.m === el.data.m && el.history.epoch.length === 1;
}, name, { timeout: 30000 });

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-data-'));
  // A training set of sparse sequences written by the CLI, its complex64 copy, a test set.
  assert.equal(cli('train', '--d', '3', '--T', '16', '--m', '300', '--test-m', '10', '--x1', 'sparse', '--epochs', '0', '--quiet', '--save-data', 'c16.npy').status, 0);
  assert.equal(cli('train', '--d', '3', '--T', '16', '--m', '80', '--test-m', '10', '--x1', 'sparse', '--seed', '7', '--epochs', '0', '--quiet', '--save-data', 'test.npy').status, 0);
  toComplex64(file('c16.npy'), file('c8.npy'));
  for (const f of ['c16', 'c8']) assert.equal(cli('train', '--data', `${f}.npy`, '--test-fraction', '0.1', ...RUN, '--out', `${f}.json`).status, 0);
  assert.equal(cli('train', '--data', 'c16.npy', '--test-data', 'test.npy', ...RUN, '--out', 'with-test.json').status, 0);
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

test('a complex128 file chosen and a complex64 file dropped train to the CLI\'s history for the same file, bit for bit', async () => {
  await shadow(page, '#data-file').setInputFiles(file('c16.npy'));
  await dataIs('c16.npy');
  const doc = JSON.parse(fs.readFileSync(file('c16.json'), 'utf8'));
  const data = await demo(() => document.querySelector('mesaflow-demo').data);
  assert.deepEqual(data, { source: 'file', name: 'c16.npy', test_name: null, dtype: 'complex128', file_m: 300, m: doc.config.m, d: 3, T: 16,
    test_m: doc.test_set.sequences, test: 'held out', moments: doc.theory.assumption_4_1.source });
  assert.equal(data.m, 270);
  assert.equal(await shadow(page, '#data-source').textContent(), 'Data: your file c16.npy (complex128, 300 sequences, d = 3, T = 16): 270 for training, ' +
    '30 held out for testing (chosen by the seed). Theory: moments measured on the first tokens of the 270 training sequences.');
  for (const f of ['d', 'T', 'm', 'test-m', 'x1']) assert.equal(await shadow(page, `#f-${f}`).isDisabled(), true, `${f} is set by the file`);
  assert.equal(await shadow(page, '#f-T').inputValue(), '16');
  assert.equal(await shadow(page, '#f-lr').isDisabled(), false);
  assert.equal((await demo(() => document.querySelector('mesaflow-demo').theory)).assumption_4_1.source, doc.theory.assumption_4_1.source);
  await trainToEnd(page);
  assert.deepEqual(pick(await history()), cliHistory('c16.json'), 'complex128: the CLI\'s numbers');

  await drop([{ name: 'c8.npy', bytes: fs.readFileSync(file('c8.npy')) }]);
  await dataIs('c8.npy');
  assert.equal(await demo(() => document.querySelector('mesaflow-demo').data.dtype), 'complex64');
  await trainToEnd(page);
  assert.deepEqual(pick(await history()), cliHistory('c8.json'), 'complex64: the CLI\'s numbers');

  // A second file as the test set.
  await shadow(page, '#data-file').setInputFiles(file('c16.npy'));
  await dataIs('c16.npy');
  await shadow(page, '#test-file').setInputFiles(file('test.npy'));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').data.test === 'file' && document.querySelector('mesaflow-demo').history.epoch.length === 1);
  assert.deepEqual(await demo(() => (({ m, test_m, test_name }) => ({ m, test_m, test_name }))(document.querySelector('mesaflow-demo').data)), { m: 300, test_m: 80, test_name: 'test.npy' });
  await trainToEnd(page);
  assert.deepEqual(pick(await history()), cliHistory('with-test.json'), 'with a test file: the CLI\'s numbers');
  assert.deepEqual(page.problems, []);
});

test('a run.json of the CLI is drawn beside the live run, with the same numbers; a malformed one is refused', async () => {
  // The live run trains on c16.npy with test.npy: the CLI's with-test.json is the same run.
  await drop([{ name: 'run.json', bytes: fs.readFileSync(file('with-test.json')), type: 'application/json' }]);
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').comparison?.label === 'CLI: run.json');
  const r = await demo(() => {
    const el = document.querySelector('mesaflow-demo');
    const charts = el._views.charts;
    const series = (id, label) => {
      const plot = charts[id].plot;
      const i = plot.series.findIndex((s) => s.label === label);
      return i < 0 ? null : plot.data[i];
    };
    return {
      legends: ['ab', 'ratio', 'loss'].map((id) => el.shadowRoot.querySelector(`#plot-${id} .legend`).textContent),
      overlay: series('ab', 'CLI: run.json'), live: series('ab', 'model: ab (0.5, 0.5)'),
      colours: el._views.defs.ab.opts.series.filter((s) => s.label === 'CLI: run.json' || s.label === 'model: ab (0.5, 0.5)').map((s) => s.colour),
      comparison: el.comparison.history.ab, ab: el.history.ab,
    };
  });
  for (const legend of r.legends) assert.match(legend, /CLI: run\.json/);
  assert.ok(r.overlay && r.live, 'both series are on the ab chart');
  assert.deepEqual(r.overlay, r.live, 'the CLI\'s curve and the live one are the same numbers');
  assert.deepEqual(r.comparison, r.ab);
  assert.equal(new Set(r.colours).size, 2, 'a colour of its own');

  const refused = async (name, text, message) => {
    const n = await demo(() => window.__errors.length);
    await drop([{ name, bytes: Buffer.from(text), type: 'application/json' }]);
    await page.waitForFunction((k) => window.__errors.length > k, n);
    assert.match(await shadow(page, '#file-problem').textContent(), message); // next to the file pickers
    assert.equal(await shadow(page, '#alert').isVisible(), false, 'not in the banner above too');
    assert.equal(await demo(() => document.querySelector('mesaflow-demo').comparison.name), 'run.json', 'the drawn run stays');
  };
  await refused('broken.json', '{"history": {"epoch": [0, 1', /^broken\.json: not valid JSON \(.+\)\. The charts are unchanged\.$/);
  await refused('sweep.json', '{"config": {}, "final": {}}', /^sweep\.json: not a run document of the command line \(mesaflow train \.\.\. --out run\.json\): it has no "history" object/);
  await refused('short.json', '{"history": {"epoch": [0, 1], "train_loss": [1], "test_loss": [1, 2], "ab": [1, 2], "ratio": [1, 2], "last_mse": [1, 2]}}',
    /^short\.json: history\.train_loss has 1 entries, history\.epoch 2/);
  await shadow(page, '#run-remove').click();
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').comparison === null);
  assert.doesNotMatch(await shadow(page, '#plot-ab .legend').textContent(), /CLI:/);
});

test('the twelve malformed .npy files of the CLI\'s tests: each gets the CLI\'s message on the page, and the runs stay', async () => {
  await shadow(page, '#data-generated').click();
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').data.source === 'generated' && document.querySelector('mesaflow-demo').config.m === 1000);
  assert.equal(await shadow(page, '#f-m').isDisabled(), false, 'the fields are editable again');
  await demo(() => document.querySelector('mesaflow-demo').step());
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').history.epoch.length === 2);
  const before = await history();

  const ok = "{'descr': '<c16', 'fortran_order': False, 'shape': (2, 1, 3), }";
  const data = Buffer.alloc(2 * 1 * 3 * 16);
  const nan = Buffer.from(data);
  nan.writeDoubleLE(NaN, 16 * 4);
  const cases = [
    ['not-npy', Buffer.from('hello')],
    ['dtype', handNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1, 3), }", data)],
    ['fortran', handNpy("{'descr': '<c16', 'fortran_order': True, 'shape': (2, 1, 3), }", data)],
    ['two-dims', handNpy("{'descr': '<c16', 'fortran_order': False, 'shape': (6, 3), }", data)],
    ['size', handNpy(ok, data.subarray(10))],
    ['d0', handNpy("{'descr': '<c16', 'fortran_order': False, 'shape': (2, 0, 3), }", Buffer.alloc(0))],
    ['T2', handNpy("{'descr': '<c16', 'fortran_order': False, 'shape': (2, 1, 2), }", data)],
    ['no-shape', handNpy("{'descr': '<c16', 'fortran_order': False}", data)],
    ['too-large', handNpy("{'descr': '<c16', 'fortran_order': False, 'shape': (99999999999999, 1, 3), }", data)],
    ['nan', handNpy(ok, nan)],
    ['truncated', handNpy(ok, data).subarray(0, 20)],
  ];
  const seen = [];
  const expectMessage = async (name, k) => {
    const { status, stderr } = cli('train', '--data', name, '--epochs', '1', '--quiet');
    assert.equal(status, 2, name);
    const want = stderr.split('\n')[0].replace(/^mesaflow: --data: /, 'data: ');
    await page.waitForFunction((n) => window.__errors.length > n, k);
    const shown = await shadow(page, '#file-problem').textContent();
    assert.equal(shown, `${want} (${name} is not used: the runs shown go on.)`, name);
    seen.push(want);
  };
  for (const [kind, bytes] of cases) {
    const name = `bad-${kind}.npy`;
    fs.writeFileSync(file(name), bytes);
    const k = await demo(() => window.__errors.length);
    await shadow(page, '#data-file').setInputFiles(file(name));
    await expectMessage(name, k);
  }
  // The twelfth: a file that is gone when it is read (the CLI's: a path that does not exist).
  fs.writeFileSync(file('gone.npy'), handNpy(ok, data));
  await demo(() => document.body.append(Object.assign(document.createElement('input'), { type: 'file', id: 'pick' })));
  await page.setInputFiles('#pick', file('gone.npy'));
  fs.rmSync(file('gone.npy'));
  const k = await demo(() => window.__errors.length);
  await demo(() => {
    const dt = new DataTransfer();
    dt.items.add(document.getElementById('pick').files[0]);
    const el = document.querySelector('mesaflow-demo');
    for (const type of ['dragover', 'drop']) el.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  await expectMessage('gone.npy', k);

  console.log(`the CLI's messages, shown on the page:\n  ${seen.join('\n  ')}`);
  assert.equal(seen.length, 12);
  assert.equal(new Set(seen).size, 12, 'twelve different messages');
  assert.deepEqual(await history(), before, 'the runs stay as they were');
  assert.equal(await demo(() => document.querySelector('mesaflow-demo').data.source), 'generated');
  assert.deepEqual(page.problems, []);
});

test('a file of huge values: the page reports the divergence as the command line does, never "Finished" with no rows', async () => {
  // Shape (m, d, T) = (50, 16, 3), every real and imaginary part 1e300: |x|^4 overflows a double.
  const huge = handNpy("{'descr': '<c16', 'fortran_order': False, 'shape': (50, 16, 3), }", Buffer.from(new Float64Array(50 * 16 * 3 * 2).fill(1e300).buffer));
  fs.writeFileSync(file('huge.npy'), huge);
  const c = cli('train', '--data', 'huge.npy', '--test-fraction', '0.1', ...RUN);
  assert.equal(c.status, 3, c.stderr);
  assert.match(c.stderr, /the data overflow: values up to 1e\+300/);
  await demo(() => {
    window.__diverged = [];
    document.querySelector('mesaflow-demo').addEventListener('mesaflow-diverged', (e) => window.__diverged.push(e.detail));
  });
  await drop([{ name: 'huge.npy', bytes: huge }]);
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').data?.name === 'huge.npy', null, { timeout: 30000 });
  await demo(() => document.querySelector('mesaflow-demo').play());
  await page.waitForFunction(() => window.__diverged.length > 0, null, { timeout: 30000 });
  const status = await shadow(page, '#status').textContent();
  assert.doesNotMatch(status, /^Finished/, status);
  assert.match(status, /^diverged: epoch 0 of 30/, status);
  const alert = await shadow(page, '#alert').textContent();
  assert.match(alert, /the data overflow: values up to 1e\+300/, alert);
  assert.doesNotMatch(alert, /step size/, alert);
});
