// The site's field list is generated, not written by hand: site/build.mjs writes
// build/site/js/fields.js from mf.fields(), and the page's attributes, URL keys, defaults and
// settings form come from it (site/js/model/config-text.js). Runs `node site/build.mjs` first if the site
// is not built.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ROOT, load } from './helpers.mjs';

const JS = path.join(ROOT, 'build', 'site', 'js');
if (!fs.existsSync(path.join(JS, 'fields.js'))) execFileSync(process.execPath, [path.join(ROOT, 'site', 'build.mjs')], { stdio: 'ignore' });
const { FIELDS } = await import(pathToFileURL(path.join(JS, 'fields.js')).href);
const state = await import(pathToFileURL(path.join(JS, 'model', 'config-text.js')).href);
const { mf } = await load();

test('build/site/js/fields.js holds the rows of mf.fields(), every field by name', () => {
  assert.deepEqual(FIELDS, mf.fields());
  const names = FIELDS.map((f) => f.name);
  assert.deepEqual(names.slice().sort(), ['T', 'a0', 'attention', 'b0', 'clip', 'd', 'epochs', 'eval-every', 'init', 'layers', 'lr', 'm', 'magnitude', 'method', 'model', 'noise', 'precision', 'process', 'radius', 'ridge', 'scale', 'seed', 'sigma-w', 'test-m', 'x1']);
  // One row for every key of the config object, and every name read by the core's parser.
  assert.deepEqual(FIELDS.map((f) => f.key).sort(), Object.keys(mf.defaults()).sort());
  for (const f of FIELDS) {
    assert.deepEqual(mf.parseField(f.name, String(f.default)), { field: f.name, value: f.default }, f.name);
    assert.ok(['integer', 'number', 'choice', 'flag', 'text'].includes(f.kind), `${f.name}: kind ${f.kind}`);
    assert.ok(f.label && f.help, `${f.name} has a label and help`);
  }
});

test('the page takes its attributes, URL keys and defaults from the generated rows', () => {
  assert.deepEqual(state.FIELD_ATTRS, FIELDS.map((f) => f.name.toLowerCase()));
  assert.ok(state.FIELD_ATTRS.includes('t') && !state.FIELD_ATTRS.includes('T'), 'HTML lower-cases attributes: T -> t');
  assert.deepEqual(state.DEFAULTS, mf.defaults());
  for (const f of FIELDS) {
    assert.equal(state.isFieldKey(f.name), true, f.name);
    assert.equal(state.attributeOf(f.name), f.name.toLowerCase());
  }
  const { texts, extras, unknown } = state.readPairs([['t', '20'], ['T', '30'], ['sigma-w', '0.5'], ['preset', 'quick'], ['Lr', '1']]);
  assert.deepEqual(texts, [['T', '20'], ['T', '30'], ['sigma-w', '0.5']]);
  assert.deepEqual(extras, { preset: 'quick' });
  assert.deepEqual(unknown, ['Lr']);
});

test("the page's own keys: values, and what is wrong with them for mf.invalid", () => {
  assert.deepEqual(state.readExtras({}), { values: { preset: 'quick', compare: false, workers: null }, bad: [] });
  assert.deepEqual(state.readExtras({ preset: 'sparse-1', compare: '', workers: '3' }).values, { preset: 'sparse-1', compare: true, workers: 3 });
  const { values, bad } = state.readExtras({ preset: 'toString', compare: 'maybe', workers: '0' });
  assert.deepEqual(values, { preset: 'quick', compare: false, workers: null });
  assert.deepEqual(bad.map(([key, text]) => [key, text]), [['preset', 'toString'], ['compare', 'maybe'], ['workers', '0']]);
  const words = bad.map(([key, text, expected]) => mf.invalid(key, text, expected));
  assert.deepEqual(words[2], { field: 'workers', fields: ['workers'], message: "workers: '0' is not valid; expected auto or an integer in [1, 8]" });
  assert.match(words[0].message, /^preset: 'toString' is not valid; expected one of quick, quick-gaussian, sparse-two, gaussian-init, gaussian-0\.5, /);
});
