// The page's uses of the generated tables against what the module does: model/protocol.js's
// dataKey (from DATA_FIELDS) says two configurations hold the same sequences exactly when the
// module draws the same training sequences for them (s.samples of every sequence) and the same
// number of test sequences; every field the page offers is tried with another value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { load, ROOT } from './helpers.mjs';

const JS = path.join(ROOT, 'build', 'site', 'js');
if (!fs.existsSync(path.join(JS, 'fields.js'))) execFileSync(process.execPath, [path.join(ROOT, 'site', 'build.mjs')], { stdio: 'ignore' });
const { dataKey } = await import(pathToFileURL(path.join(JS, 'model', 'protocol.js')).href);
const { FIELDS } = await import(pathToFileURL(path.join(JS, 'fields.js')).href);
const { LIVE_FIELDS } = await import(pathToFileURL(path.join(JS, 'model', 'core-tables.js')).href);
const { mf } = await load();

const BASE = { d: 2, T: 6, m: 9, test_m: 5, x1: 'sparse', epochs: 3, eval_every: 1 };

// Another allowed value of field f than v.
function other(f, v) {
  if (f.kind === 'choice') return f.choices[(f.choices.indexOf(v) + 1) % f.choices.length];
  if (f.kind === 'flag') return !v;
  if (f.kind === 'text') return 'uniform:0.5:1';
  if (f.kind === 'integer') return v + 1 <= f.max ? v + 1 : v - 1;
  return (v + f.max) / 2;
}

function drawn(cfg) {
  const s = mf.createSession(cfg);
  const x = s.samples(cfg.m);
  const out = { re: Array.from(x.re), im: Array.from(x.im), test_m: cfg.test_m };
  s.delete();
  return out;
}

test('dataKey is equal exactly when the module draws the same sequences, for every field', () => {
  const base = { ...mf.defaults(), ...BASE };
  const ref = drawn(base);
  let differ = 0;
  for (const f of FIELDS) {
    const cfg = { ...base, [f.key]: other(f, base[f.key]) };
    assert.equal(mf.validate(cfg), null, f.name);
    const same = JSON.stringify(drawn(cfg)) === JSON.stringify(ref);
    assert.equal(dataKey(cfg) === dataKey(base), same, `${f.name}: ${base[f.key]} -> ${cfg[f.key]}`);
    if (!same) differ++;
  }
  assert.ok(differ >= 8 && differ < FIELDS.length, `${differ} of ${FIELDS.length}`);
});

test('the page\'s live fields are the ones a session changes while it runs', () => {
  const base = { ...mf.defaults(), ...BASE, epochs: 5 };
  for (const f of FIELDS) {
    const s = mf.createSession(base);
    s.run(2);
    let taken = true;
    try {
      s.change(f.name, String(other(f, base[f.key])));
    } catch {
      taken = false;
    }
    s.delete();
    assert.equal(taken, LIVE_FIELDS.includes(f.name), f.name);
  }
});
