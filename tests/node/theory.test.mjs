// theory(cfg) against the numbers derived in core/THEORY.md §3 and §6.
import test from 'node:test';
import assert from 'node:assert/strict';
import { load } from './helpers.mjs';

const { mf } = await load();
const paper = { d: 5, T: 100, scale: 1 };

test('gaussian d=5 T=100 sigma=1: c*(T) = 0.1919, c*(inf) = 1/(5 sigma^2), no recovery', () => {
  const th = mf.theory({ ...paper, x1: 'gaussian' });
  assert.equal(th.c_star_T.toFixed(4), '0.1919');
  assert.ok(Math.abs(th.c_star_inf - 0.2) < 1e-15);
  assert.equal(th.recovery, false);
  assert.ok(th.moment_ratio < 1);
  assert.equal(th.c_star_empirical, null);
});

test('gaussian c*(inf) = 1/(5 sigma^2) for sigma = 0.5 and 2', () => {
  for (const sigma of [0.5, 2]) {
    const th = mf.theory({ ...paper, x1: 'gaussian', scale: sigma });
    assert.ok(Math.abs(th.c_star_inf - 1 / (5 * sigma * sigma)) < 1e-12, `sigma ${sigma}: ${th.c_star_inf}`);
  }
});

test('full-one d=5 T=100 with clip: c*(T) = 0.8258 = (T-2)/((T-2)+(d-1)H_{T-2}), recovery as T grows', () => {
  const th = mf.theory({ ...paper, x1: 'full-one', clip: true });
  assert.equal(th.c_star_T.toFixed(4), '0.8258');
  let H = 0;
  for (let k = 1; k <= 98; k++) H += 1 / k;
  assert.ok(Math.abs(th.c_star_T - 98 / (98 + 4 * H)) < 1e-12);
  assert.equal(th.recovery, true);
  assert.match(th.verdict, /^recovers as T -> infinity/);
  // Without clip, Assumption 4.1 fails: no prediction, and the reason.
  const free = mf.theory({ ...paper, x1: 'full-one' });
  assert.equal(free.assumption_4_1.holds, false);
  assert.equal(free.applies, false);
  for (const k of ['c_star_T', 'c_star_inf', 'ratio_pred', 'recovery', 'verdict', 'last_mse_pred']) assert.equal(free[k], null, k);
  assert.match(free.reason, /^Assumption 4.1 fails/);
  assert.equal(mf.capability({ ...paper, x1: 'full-one' }), null);
});

test('capability: the predictions over T; sparse recovers at every T, rademacher as T grows, gaussian never', () => {
  const at = (x1) => mf.capability({ d: 5, x1 }, 10, 100000);
  const sparse = at('sparse'), rad = at('rademacher'), gauss = at('gaussian');
  assert.equal(sparse.T[0], 10);
  assert.equal(sparse.T.at(-1), 100000);
  assert.ok(sparse.last_mse_pred.every((v) => v === 0));
  assert.ok(rad.relative_error_pred[0] > 0.1 && rad.relative_error_pred.at(-1) < 1e-4);
  for (let i = 1; i < rad.T.length; i++) assert.ok(rad.relative_error_pred[i] < rad.relative_error_pred[i - 1]);
  assert.ok(gauss.relative_error_pred.every((v) => v > 0.35));
  assert.ok(Math.abs(gauss.ratio_pred.at(-1) - 0.2) < 1e-3);  // c*(inf) sigma^2
});

test('a magnitude law: parsed by the field table, refused with gaussian, its moments in the theory', () => {
  assert.deepEqual(mf.parseField('magnitude', 'values:1,2@0.5,0.5'), { field: 'magnitude', value: 'values:1,2@0.5,0.5' });
  assert.match(mf.parseField('magnitude', 'uniform:2:1').message, /^magnitude: 'uniform:2:1' is not valid; expected const, uniform:LO:HI/);
  const v = mf.validate({ magnitude: 'uniform:1:2' });
  assert.equal(v.field, 'magnitude');
  assert.deepEqual(v.fields, ['magnitude', 'x1']);
  const th = mf.theory({ x1: 'sparse', scale: 1, magnitude: 'values:1,2@0.5,0.5' });
  assert.ok(Math.abs(th.c_star_T - 8.5 / 32.5) < 1e-12);
  assert.equal(th.recovery, false);
  assert.equal(th.assumption_4_1.holds, true);
  assert.ok(Math.abs(th.last_mse_pred - (2.5 - (8.5 * 8.5) / 32.5) / 5) < 1e-12);
});

test('sparse(c): M24 = 0 and c* = 1/c^2 for every T', () => {
  for (const [c, T] of [[0.5, 10], [1, 100], [2, 1000]]) {
    const th = mf.theory({ d: 5, T, x1: 'sparse', scale: c });
    assert.equal(th.M24, 0);
    assert.ok(Math.abs(th.c_star_T - 1 / (c * c)) < 1e-12, `c ${c} T ${T}: ${th.c_star_T}`);
    assert.equal(th.recovery, true);
  }
});

test("a session's theory has the same population numbers plus an empirical optimum", () => {
  const cfg = { d: 3, T: 20, m: 256, test_m: 8, epochs: 1, x1: 'gaussian' };
  const s = mf.createSession(cfg);
  const a = s.theory();
  const b = mf.theory(cfg);
  s.delete();
  for (const k of ['M2', 'M4', 'M6', 'M24', 'c_star_T', 'c_star_inf', 'ratio_pred', 'moment_ratio', 'recovery']) {
    assert.equal(a[k], b[k], k);
  }
  assert.ok(Number.isFinite(a.c_star_empirical) && a.c_star_empirical > 0);
});

test('theory(cfg) throws on an invalid config but not on one over the browser memory budget', () => {
  assert.throws(() => mf.theory({ x1: 'normal' }), /x1: .*one of gaussian, sparse, full-one/);
  assert.ok(mf.theory({ m: 10000000, T: 1000 }).c_star_T > 0);
});
