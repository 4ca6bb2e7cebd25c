// The page's field checks (site/js/model/field-parse.js, from the generated tables) against the
// core's: the same texts fed to the JS parser and to the core's set_field through the module
// (mf.parseField) give the same value or the same refusal, word for word; the refusals read as
// the CLI's (build/native's mesaflow, when built); and the generated js/model/core-tables.js is
// what the current module's tables() give (regenerated and compared).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { load, ROOT, TABLES_FILE } from './helpers.mjs';

const JS = path.join(ROOT, 'build', 'site', 'js');
if (!fs.existsSync(path.join(JS, 'fields.js'))) execFileSync(process.execPath, [path.join(ROOT, 'site', 'build.mjs')], { stdio: 'ignore' });
const { parseField, shortestText, readNumber } = await import(pathToFileURL(path.join(JS, 'model', 'field-parse.js')).href);
const { FIELDS } = await import(pathToFileURL(path.join(JS, 'fields.js')).href);
const { mf } = await load();

// Texts in the number grammar, and texts outside it that both parsers refuse as they are today.
const NUMBERS = ['0', '1', '-1', '1.', '.5', '0.5', '-0.5', '-.5', '1e3', '1E3', '1e-3', '1e+3', '2.5e-7', '1e400', '-1e400', '1e-400',
  '-0', '00012', '1.0', '1.5', '3', '32', '33', '100000', '100001', '10000000', '10000001', '9007199254740991', '9007199254740992',
  '9007199254740993', '1e16', '1e-5', '0.001', '0.00099', '1000', '1000.0000001', '10', '10.000000000000002', '100', '-100', '-100.5',
  '5e-324', '2e-324', '1.7976931348623157e308', '1'.repeat(64), '1'.repeat(65), '0.' + '0'.repeat(61) + '1',
  'abc', '', '.', '-', '--1', '1..2', '1,5', '1e', 'e3', '1e+', '1.5e+', '1 2', '1 ', 'inf', 'nan', 'Infinity', '-inf', 'NaN',
  '1f', '1d', '0b1', '1_000', '\u0661', '１'];
// Outside the grammar, yet taken by C's strtod (leading blanks, a plus sign, hex): refused by the
// page, and by the core once its parser follows the grammar too (the strict parser of issue 18).
const STRTOD_ONLY = [' 1', '\t1', '\n1', '+1', '+.5', '0x10', '0X1A', '0x1p3', ' +1e2'];
const CHOICE_TEXTS = (f) => [...f.choices, f.choices[0].toUpperCase(), ` ${f.choices[0]}`, `${f.choices[0]} `, '', 'x', '0'];
const FLAGS = ['', 'true', 'false', '1', '0', 'yes', 'no', 'on', 'off', 'TRUE', 'True', ' true', 'maybe', '2', 'y'];
const LAWS = ['const', 'Const', ' const', 'uniform:0.5:1', 'uniform:1:0.5', 'uniform:1:1', 'uniform:0.5', 'uniform:0:1', 'uniform:-1:1',
  'uniform:0.5:1001', 'uniform:0.5:1000', 'uniform:.5:1.', 'uniform:1e-5:1', 'uniform:0.00001:0.0001', 'uniform:1e-7:2.5e2',
  'uniform:0.1:0.30000000000000004', 'uniform:1,2:3', 'uniform::1', 'uniform:1:', 'uniform:1:2:3', 'uniform', 'uniform:',
  `uniform:0.${'1'.repeat(30)}:1`, `uniform:0.${'1'.repeat(31)}:1`, 'uniform:1e400:1', 'uniform:nan:1', 'uniform:inf:inf',
  'values:1,2@0.5,0.5', 'values:1,2@0.3,0.7', 'values:1,2@0.5', 'values:1@1', 'values:0.1,0.2,0.3@0.1,0.2,0.7', 'values:1,2@0.5,0.5000000001',
  'values:1,2@0.5,0.5000000009', 'values:1,2@0.5,0.50001', 'values:1001@1', 'values:1000@1', 'values:1,,2@0.5,0,0.5', 'values:@',
  'values:1@1e0', 'values:1@', 'values:@1', 'values:1@1@1', 'values:0@1', 'values:1,2@1,0', 'values:1,2@1,-0', 'values:3e-5,7@.25,.75',
  `values:${Array(16).fill(1).join(',')}@${Array(16).fill(0.0625).join(',')}`, `values:${Array(17).fill(1).join(',')}@${Array(17).fill(1 / 17).join(',')}`,
  `values:1@${'0'.repeat(390)}1`, 'values', 'gaussian', ''];
const LAWS_STRTOD_ONLY = ['uniform: 1:2', 'uniform:+1:2', 'uniform:0x1:0x2', 'values:+1@1', 'values: 1@1'];

// Every bad and good text of every field the page offers (threads is not one: WebAssembly runs one thread).
function cases(strict) {
  const out = [];
  for (const f of FIELDS) {
    if (strict && (f.kind === 'choice' || f.kind === 'flag')) continue; // the number grammar: numbers and laws only
    const texts = f.kind === 'choice' ? CHOICE_TEXTS(f) : f.kind === 'flag' ? FLAGS : f.kind === 'text' ? (strict ? LAWS_STRTOD_ONLY : LAWS)
      : strict ? STRTOD_ONLY : [...NUMBERS, String(f.min), String(f.max), String(f.min - 1), String(f.max + 1), String(f.min / 2)];
    for (const t of texts) out.push([f.name, t]);
    if (!strict) out.push([f.key, texts[0]], [f.name, 'é'.repeat(30)], [f.name, 'x'.repeat(41)]);
  }
  if (!strict) out.push(['nope', '1'], ['Lr', '1'], ['', ''], ['é', '1'], ['x'.repeat(50), '1']);
  return out;
}

test('the page parses every text of every field as the core does: the same value or the same refusal', () => {
  const all = cases(false);
  assert.ok(all.length > 600, String(all.length));
  let refused = 0;
  for (const [name, text] of all) {
    const core = mf.parseField(name, text);
    const js = parseField(name, text);
    assert.deepEqual(js, { ...core, ...(core.fields ? { fields: Array.from(core.fields) } : {}) }, `${name} = ${JSON.stringify(text)}`);
    if ('message' in core) refused++;
  }
  // Both kinds of answer are exercised, in numbers.
  assert.ok(refused > 200 && refused < all.length - 200, `${refused} of ${all.length} refused`);
});

test('texts outside the number grammar (blanks, a plus sign, hex) are refused by the page and by the core alike', () => {
  for (const [name, text] of cases(true)) {
    const js = parseField(name, text);
    assert.ok('message' in js, `page took ${name} = ${JSON.stringify(text)}`);
    assert.deepEqual(js, { ...mf.parseField(name, text), fields: [name] }, `core takes ${name} = ${JSON.stringify(text)}`);
  }
});

test('readNumber follows the grammar ^-?(digits[.digits*]|.digits)([eE][-+]?digits)?$ and reads as Number does', () => {
  for (const t of ['0', '-0', '1.', '.5', '12.5e-3', '1E+9', '007']) assert.equal(readNumber(t), Number(t), t);
  for (const t of ['', '.', '-', '+1', ' 1', '1 ', '0x1', '1e', 'e1', '--1', '1.2.3', 'Infinity', 'NaN']) assert.equal(readNumber(t), null, t);
});

test('shortestText is C\'s shortest %g that reads back: the core\'s text of the numbers of a magnitude law', () => {
  const vals = [0.5, 0.1, 1 / 3, 2 / 3, 1e-5, 1.5e-5, 0.0001, 0.00012345, 1e-300, 5e-324, Math.PI / 4, 0.30000000000000004, 0.999999999999,
    1e-17, 0.1 + 0.2, 7e-7, 0.25, 0.125, 0.0625];
  for (let i = 0; i < 60; i++) vals.push(Number((Math.exp(-i * 0.6) * (1 - i / 70)).toPrecision(1 + (i % 17)))); // 1 to 17 digits
  let compared = 0;
  for (const p of vals) {
    // A law of two values with probabilities p and 1 - p: the core writes both as get_field does.
    const q = 1 - p;
    const core = mf.parseField('magnitude', `values:1,2@${p},${q}`);
    if ('message' in core) continue; // q rounds to 1 (p tiny): the sum test is the core's, compared in the first test
    assert.equal(core.value, `values:1,2@${shortestText(p)},${shortestText(q)}`, String(p));
    compared++;
  }
  assert.ok(compared > 60, String(compared));
  // Large values (a law's are at most 1000), by C's printf rules: the exponent form from 17 digits on.
  const want = { 2.5e20: '2.5e+20', 1e17: '1e+17', 123456: '123456', 1e5: '1e+05', 1234567.125: '1234567.125', 1e16: '1e+16', 12345678901234567: '12345678901234568' };
  for (const [v, text] of Object.entries(want)) assert.equal(shortestText(Number(v)), text, v);
});

test('the page\'s refusals read as the command line\'s (mesaflow train --FIELD TEXT)', { skip: !fs.existsSync(path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow')) && 'build/native has no CLI' }, () => {
  const cli = path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow');
  const bad = [['lr', '0'], ['lr', '50'], ['lr', 'abc'], ['d', '2.5'], ['d', '0'], ['d', '33'], ['T', '2'], ['m', '1e8'], ['scale', '1e-4'],
    ['a0', '101'], ['sigma-w', '-1'], ['epochs', '1.5'], ['eval-every', '0'], ['test-m', 'x'], ['seed', '9007199254740992'], ['x1', 'normal'],
    ['init', 'Diagonal'], ['method', 'sgd'], ['precision', 'half'], ['clip', 'maybe'], ['magnitude', 'uniform:2:1'], ['magnitude', 'normal'],
    ['magnitude', 'values:1@0.5'], ['lr', '1e400'], ['T', 'é']];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-cli-'));
  try {
    for (const [name, text] of bad) {
      const js = parseField(name, text);
      assert.ok('message' in js, `${name} ${text}`);
      const r = spawnSync(cli, ['train', `--${name}=${text}`, '--epochs', '0', '--out', path.join(dir, 'run.json')], { encoding: 'utf8' });
      assert.notEqual(r.status, 0, `${name} ${text}: ${r.stderr}`);
      // The CLI adds a hint to a text that looks like a list or a range (core/cli/options.cpp).
      const hint = /[,:]/.test(text) ? " (lists and ranges go with 'mesaflow sweep')" : '';
      assert.equal(r.stderr.split('\n')[0], `mesaflow: --${js.message}${hint}`, `${name} ${text}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('js/model/core-tables.js is what the current module\'s tables() give', async () => {
  const { coreTablesText } = await import(pathToFileURL(path.join(ROOT, 'site', 'core-tables.mjs')).href);
  const { createRequire } = await import('node:module');
  const raw = await createRequire(import.meta.url)(path.join(ROOT, 'build', 'wasm', 'mesaflow_node.js'))();
  assert.equal(fs.readFileSync(TABLES_FILE, 'utf8'), coreTablesText(raw.tables(), path.join('build', 'wasm', 'mesaflow_node.js')));
  const built = path.join(JS, 'model', 'core-tables.js');
  if (built !== TABLES_FILE) assert.equal(fs.readFileSync(built, 'utf8'), fs.readFileSync(TABLES_FILE, 'utf8'));
});
