// Bad configurations are refused with an Error naming the field and its allowed range,
// through every entry point (validate, createSession, estimateBytes, theory).
import test from 'node:test';
import assert from 'node:assert/strict';
import { load } from './helpers.mjs';

const { mf } = await load();
const fields = mf.fields();
const small = { d: 2, T: 5, m: 8, test_m: 8, epochs: 1 };

// The message names the field first and then what is allowed.
function expectRange(f, message) {
  assert.ok(message.startsWith(`${f.name}: `), `"${message}" should start with "${f.name}: "`);
  if (f.kind === 'choice') assert.ok(message.includes(`one of ${f.choices.join(', ')}`), message);
  else if (f.kind === 'text') assert.ok(message.includes('expected const, uniform:LO:HI'), message);
  else if (f.kind === 'flag') assert.ok(message.includes('true or false'), message);
  else assert.match(message, f.kind === 'integer' ? /expected an integer in [[(]\S+, \S+\]$/ : /expected a number in [[(]\S+, \S+\]$/);
}

function expectRefused(f, cfg) {
  const v = mf.validate(cfg);
  assert.ok(v, `${f.name}: validate(${JSON.stringify(cfg)}) should fail`);
  assert.equal(v.field, f.name);
  expectRange(f, v.message);
  assert.throws(
    () => mf.createSession(cfg),
    (e) => e instanceof Error && e.message === v.message && e.field === f.name,
  );
  assert.throws(() => mf.estimateBytes(cfg), (e) => e instanceof Error && e.message === v.message);
  assert.throws(() => mf.theory(cfg), (e) => e instanceof Error && e.message === v.message);
}

// Values outside each numeric field's range, and ones that are not numbers at all.
function badValues(f) {
  if (f.kind === 'choice') return ['nope', 3, true, ''];
  if (f.kind === 'flag') return ['maybe', 2, 'TRUE '];
  if (f.kind === 'text') return ['nope', 3, true, '', 'uniform:2:1', 'values:1,2@0.5'];
  const bad = [f.max * 2 + 1, f.min_open ? f.min : f.min - 1, NaN, Infinity, 'abc', '', null, true, {}, [1, 2]];
  if (f.kind === 'integer') bad.push(f.min + 0.5);
  return bad;
}

test('fields() lists every config field of API.md with type, range and default', () => {
  const keys = fields.map((f) => f.key);
  assert.deepEqual(keys, ['d', 'T', 'm', 'x1', 'scale', 'magnitude', 'process', 'radius', 'noise', 'ridge', 'model', 'attention', 'layers', 'init', 'a0', 'b0', 'sigma_w', 'method',
    'lr', 'epochs', 'eval_every', 'test_m', 'clip', 'precision', 'seed']);
  const defaults = mf.defaults();
  for (const f of fields) {
    assert.equal(f.default, defaults[f.key], f.key);
    if (f.kind === 'integer' || f.kind === 'number') assert.ok(f.min <= f.max, f.key);
    if (f.kind === 'choice') assert.ok(f.choices.includes(f.default), f.key);
  }
  assert.deepEqual(defaults, {
    d: 5, T: 100, m: 10000, x1: 'gaussian', scale: 1, magnitude: 'const', process: 'diagonal', radius: 1, noise: 0, ridge: 0.1, model: 'attention', attention: 'linear', layers: 1, init: 'diagonal', a0: 0.1, b0: 0.1, sigma_w: 0.1,
    method: 'gd', lr: 1e-4, epochs: 150, eval_every: 1, test_m: 10000, clip: false, precision: 'double', seed: 1,
  });
});

test('the defaults and every boundary value are valid', () => {
  assert.equal(mf.validate({}), null);
  assert.equal(mf.validate(mf.defaults()), null);
  for (const f of fields) {
    if (f.kind !== 'integer' && f.kind !== 'number') continue;
    const edges = f.min_open ? [f.max] : [f.min, f.max];
    for (const v of edges) {
      const e = mf.validate({ ...small, [f.key]: v });
      // Large m, T, test_m hit the memory budget instead, many epochs the time budget (below).
      if (e) assert.ok(e.field === 'm' || (f.key === 'epochs' && e.field === 'epochs'), `${f.key} = ${v}: ${e.message}`);
    }
  }
});

for (const f of fields) {
  test(`${f.name}: out of range, non-number and unknown values throw an Error naming ${f.name} and its range`, () => {
    for (const bad of badValues(f)) {
      expectRefused(f, { ...small, [f.key]: bad });
      if (f.name !== f.key) expectRefused(f, { ...small, [f.name]: bad });
    }
  });
}

test('CLI-style names are accepted; undefined means the default', () => {
  const a = mf.theory({ 'sigma-w': 0.5, 'eval-every': 3, 'test-m': 5, scale: undefined });
  assert.ok(a.c_star_T > 0);
  assert.equal(mf.validate({ 'sigma-w': 0.5, 'eval-every': 3, 'test-m': 5 }), null);
});

test('unknown keys are refused by name', () => {
  const v = mf.validate({ learning_rate: 1e-3 });
  assert.equal(v.field, 'learning_rate');
  assert.match(v.message, /unknown option 'learning_rate'/);
  assert.throws(() => mf.createSession({ ...small, learning_rate: 1e-3 }), /unknown option 'learning_rate'/);
});

test('a config that is not an object is refused', () => {
  for (const bad of [5, 'd=3', true]) {
    assert.throws(() => mf.createSession(bad), /config: expected a plain object/);
  }
});

test('over the browser memory budget: validate and createSession refuse, naming m', () => {
  const big = { m: 10000000, test_m: 10000, T: 100, d: 5 };
  const v = mf.validate(big);
  assert.equal(v.field, 'm');
  assert.match(v.message, /needs about .* GiB, more than the budget/);
  assert.throws(() => mf.createSession(big), (e) => e.field === 'm' && /budget/.test(e.message));
  assert.ok(mf.estimateBytes(big) > mf.browserMemoryBudget);
  assert.ok(mf.estimateBytes(small) < mf.estimateBytes({ ...small, m: 800 }));
});

test('over the browser time budget: validate and createSession refuse, naming epochs and how to reduce', () => {
  const paper = { d: 5, T: 100, m: 10000, test_m: 10000 };
  assert.equal(mf.validate({ ...paper, epochs: 1000 }), null);
  const long = { ...paper, epochs: 100000 };
  const v = mf.validate(long);
  assert.equal(v.field, 'epochs');
  assert.match(v.message, /^epochs: this run needs about 6\.8e\+14 floating-point operations, 47\.2 hours at 4 GFLOP\/s, more than the budget of 60 min in a browser; reduce epochs, m, test-m or T \(or run it with the command-line tool\)$/);
  assert.throws(() => mf.createSession(long), (e) => e.field === 'epochs');
  // The estimates themselves answer for any valid config.
  assert.ok(mf.theory(long).c_star_T > 0);
  assert.ok(mf.estimateBytes(long) > 0);
});

// Per test sequence 8 x 99 x 2dD (W_PV S_t carried) + 98 x (8 (D^2 + dD) + 8d) = 200,720 flops.
test('epochFlops is the hand count of flops.hpp: gradient 4.7966e9 + test evaluation 2.0072e9 at the paper setting', () => {
  assert.equal(mf.epochFlops({ d: 5, T: 100, m: 10000, test_m: 10000 }), 4796600000 + 2007200000);
  assert.equal(mf.epochFlops({ d: 5, T: 100, m: 10000, test_m: 1 }), 4796600000 + 200720);
  assert.throws(() => mf.epochFlops({ d: 0 }), (e) => e.field === 'd');
});
