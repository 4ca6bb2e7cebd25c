// Your own data in the JS API (issue 13): a .npy file (complex128 or complex64, (m, d, T)) given
// as bytes trains with the CLI's numbers, tests on held-out sequences of the file or on a test file,
// and a malformed file is refused with the CLI's message (e.field 'data').
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { load, ROOT, HISTORY_COLUMNS } from './helpers.mjs';

const CLI = process.env.MESAFLOW_CLI || path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow');
const { mf } = await load();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-data-'));
const cli = (...args) => spawnSync(CLI, args, { encoding: 'utf8' });

test('a .npy file trains as on the command line: same history bit for bit, test set held out of the file', () => {
  const file = path.join(dir, 'train.npy');
  const common = ['--epochs', '4', '--lr', '1e-3', '--seed', '3', '--quiet'];
  assert.equal(cli('train', '--x1', 'sparse', '--d', '3', '--T', '10', '--m', '40', '--save-data', file, ...common).status, 0);
  const out = path.join(dir, 'run.json');
  assert.equal(cli('train', '--data', file, '--test-fraction', '0.25', '--out', out, ...common).status, 0);
  const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
  const s = mf.createSession({ epochs: 4, lr: 1e-3, seed: 3 }, { data: { npy: new Uint8Array(fs.readFileSync(file)), test_fraction: 0.25 } });
  s.run(4);
  const h = s.history();
  // Every column (a value the CLI's JSON cannot hold, NaN, is its null).
  for (const k of HISTORY_COLUMNS) assert.deepEqual(Array.from(h[k], (v) => (Number.isNaN(v) ? null : v)), doc.history[k], k);
  assert.equal(doc.test_set.sequences, 10);
  assert.match(s.theory().assumption_4_1.source, /measured on the first tokens of the 30 training sequences/);
  s.delete();
});

test('a malformed or mismatched file is refused in the command line\'s words', () => {
  const bad = path.join(dir, 'bad.npy');
  fs.writeFileSync(bad, 'hello');
  const line = cli('train', '--data', bad).stderr.split('\n')[0];
  assert.throws(() => mf.createSession({}, { data: { npy: new Uint8Array(fs.readFileSync(bad)) } }), (e) => {
    assert.equal(e.field, 'data');
    assert.equal(`mesaflow: --${e.message}`, line);
    return true;
  });
  assert.throws(() => mf.createSession({}, { data: { npy: 'not bytes' } }), (e) => e.field === 'data');
  assert.throws(() => mf.createSession({}, { data: { npy: new Uint8Array(fs.readFileSync(path.join(dir, 'train.npy'))), test_fraction: 2 } }),
    (e) => e.field === 'test-fraction');
  assert.equal(mf.aborted, '');
});
