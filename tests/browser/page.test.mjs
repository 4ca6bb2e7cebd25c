// What the page claims and how it draws it (issue 10): the quick preset at the theory, the
// stability sentence, legends with values, numbered log axes, settings problems, the views where
// the theory does not apply and the capability view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, teardown, openPage, waitReady, trainToEnd, shadow, setField, scrollThrough, screenshot } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup();
});
after(async () => {
  await teardown(ctx);
});

const el = (page, f, arg) => page.evaluate(f, arg);
const texts = (page, selector) => el(page, (s) => [...document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll(s)].map((n) => n.textContent), selector);
// A chart's axis tick labels as drawn (uPlot's computed values), the y axis by default.
const ticks = (page, chart, axis = 1) => el(page, ([c, a]) => document.querySelector('mesaflow-demo')._views.charts[c].plot.axes[a]._values, [chart, axis]);
const NUMBER = /^-?\d+(\.\d+)?(e-?\d+)?$/;

// The page at hash, ready (and trained to the end if train).
async function opened(hash, { train = false, viewport } = {}) {
  const page = await openPage(ctx, `lab.html#${hash}`, viewport);
  await waitReady(page);
  if (train) await trainToEnd(page, 120000);
  return page;
}

// No console error, page error or CSP violation; then closed.
async function closed(page) {
  assert.deepEqual(page.problems, []);
  await page.close();
}

test('quick, three initialisations: ab ends within 1% of the training-set optimum and stays within 2% of its ODE', async () => {
  const page = await opened('preset=quick&compare=true');
  // While it trains: progress, epochs per second and the time left.
  await page.evaluate(() => document.querySelector('mesaflow-demo').play());
  await page.waitForFunction(() => /^\d+% · [\d.]+ epochs\/s per run · about .* left$/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('progress-text').textContent));
  await page.waitForFunction(() => /^finished/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), null, { timeout: 120000 });
  assert.match(await shadow(page, '#status').textContent(), /^finished: epoch 500 of 500/);
  assert.match(await shadow(page, '#progress-text').textContent(), /^100% · 1500 epochs in /);
  const runs = await el(page, () => document.querySelector('mesaflow-demo').runs);
  assert.equal(runs.length, 3);
  for (const r of runs) {
    const h = r.history;
    const opt = r.theory.c_star_empirical;
    const end = Math.abs(h.ab.at(-1) - opt) / opt;
    assert.ok(end < 0.01, `run ${r.label}: ab ${h.ab.at(-1)} is ${(100 * end).toFixed(2)}% from the optimum ${opt}`);
    const at = new Map(r.ode.epoch.map((e, i) => [e, r.ode.ab_empirical[i]]));
    let worst = 0;
    let compared = 0;
    h.epoch.forEach((e, i) => {
      if (!at.has(e)) return;
      compared++;
      worst = Math.max(worst, Math.abs(h.ab[i] - at.get(e)) / Math.abs(at.get(e)));
    });
    assert.ok(compared > 100, `run ${r.label}: ${compared} epochs compared`);
    assert.ok(worst < 0.02, `run ${r.label}: ab leaves its ODE by ${(100 * worst).toFixed(2)}%`);
  }
  const notes = await texts(page, '#notes-ab li');
  for (const r of runs) assert.ok(notes.some((n) => n.startsWith(`(a0, b0) = ${r.label}: ab = `) && /within .* of this training set’s optimum/.test(n)), `a note for ${r.label}: ${notes}`);
  await closed(page);
});

test('a step too large for the gradient flow is said next to the ODE curves (ode.stability)', async (t) => {
  const page = await opened('preset=quick-gaussian&compare=true');
  const odes = await el(page, () => document.querySelector('mesaflow-demo').runs.map((r) => r.ode));
  if (!odes.every((o) => 'stability' in o)) {
    t.skip('ode.stability is not in the data yet (the stability computation comes from the issue 9 branch)');
    await page.close();
    return;
  }
  const worst = Math.max(...odes.flatMap((o) => o.stability));
  const notes = (await texts(page, '#notes-ab li')).filter((n) => /too large for gradient descent to follow the gradient flow/.test(n));
  if (worst > 0.2) {
    assert.equal(notes.length, 1, 'one stability sentence');
    assert.match(notes[0], /^This step \(lr = 0\.0004\) is too large for gradient descent to follow the gradient flow: lr × curvature reaches [\d.]+/);
  } else assert.deepEqual(notes, [], `largest lr × curvature ${worst}: no sentence`);
  // The quick preset's step is small: no sentence.
  await page.evaluate(() => (location.hash = '#preset=quick&compare=true'));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.x1 === 'sparse' && document.querySelector('mesaflow-demo').runs.length === 3);
  const quick = await el(page, () => document.querySelector('mesaflow-demo').runs.map((r) => Math.max(...r.ode.stability)));
  if (Math.max(...quick) <= 0.2) assert.ok((await texts(page, '#notes-ab li')).every((n) => !/too large/.test(n)));
  await closed(page);
});

test('legends show values before any hover; theory lines carry their labels; compare mode has a compact legend', async () => {
  const page = await opened('preset=quick&compare=true&epochs=40');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').runs.every((r) => r.history.epoch.length > 0));
  await page.waitForTimeout(200);
  const before = await texts(page, '#plot-ab .legend-item .v');
  assert.ok(before.length >= 6, `values in the ab legend: ${before}`);
  for (const v of before) assert.match(v, NUMBER, 'a number, not –, at epoch 0');
  // Compact: one entry per initialisation, a line-style key for model and ODE, the theory lines.
  const labels = await texts(page, '#plot-ab .legend-item span:not(.v)');
  assert.deepEqual(labels.slice(0, 5), ['(a0, b0) = (0.1, 0.1)', '(a0, b0) = (0.5, 1.5)', '(a0, b0) = (2, 2)', 'model: ab', 'gradient-flow ODE']);
  assert.ok(labels.includes('c*(T)') && labels.includes('training-set optimum'));
  const swatches = await el(page, () => [...document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll('#plot-ab .legend-item canvas')].map((c) => c.dataset.dash));
  assert.ok(swatches.includes('6 4') && swatches.includes('2 3') && swatches.includes('solid'), `swatches drawn solid, dashed and dotted: ${swatches}`);
  const tags = await el(page, () => document.querySelector('mesaflow-demo')._views.charts.ab.series.filter((s) => s.tag).map((s) => s.tag));
  assert.deepEqual(tags, ['training-set optimum', 'c*(T)', 'c*(∞)']);
  // Epoch 0 alone is drawn as a marker.
  const single = await el(page, () => document.querySelector('mesaflow-demo')._views.charts.loss.single.slice(0, 3));
  assert.deepEqual(single, [true, true, true]);
  await trainToEnd(page);
  const after = await texts(page, '#plot-loss .legend-item .v');
  assert.ok(after.length === 3 && after.every((v) => NUMBER.test(v)), `loss legend: ${after}`);
  await closed(page);
});

test('log axes carry numeric labels; the sparse last-position MSE is on a log axis; positions t are whole', async () => {
  const page = await opened('preset=quick&epochs=60', { train: true });
  await page.waitForFunction(() => document.querySelector('mesaflow-demo')._views.charts.mesa.plot.data[0].length > 0);
  const distr = await el(page, () => ['ratio', 'loss', 'mesa'].map((c) => document.querySelector('mesaflow-demo')._views.charts[c].plot.scales.y.distr));
  assert.deepEqual(distr, [3, 3, 3], 'log y axes: last-position MSE, loss, error by position');
  for (const c of ['ratio', 'loss', 'mesa']) {
    const labels = (await ticks(page, c)).filter((v) => v !== '');
    assert.ok(labels.length >= 3, `${c}: ${labels.length} labels (${labels})`);
    for (const v of labels) assert.match(v, NUMBER, `${c}: tick label ${v}`);
  }
  const t = await el(page, () => document.querySelector('mesaflow-demo')._views.charts.mesa.plot.axes[0]._splits);
  assert.ok(t.length >= 3 && t.every(Number.isInteger), `positions: ${t}`);
  // The legend says every value, those under the log axis's floor too: on sparse data least
  // squares and the true W are 0 up to rounding, drawn as gaps, not said as '–'.
  await page.waitForFunction(() => {
    const c = document.querySelector('mesaflow-demo')._views.charts.mesa;
    return c.raw?.[c.series.findIndex((s) => s.label === 'least squares on the context')]?.some((v) => v != null);
  });
  const mesa = await texts(page, '#plot-mesa .legend-item .v');
  // The model, its one GD step, K-step GD and its causal variant for K = 1..4, least squares, ridge, the true W.
  assert.ok(mesa.length === 13 && mesa.every((v) => NUMBER.test(v)), `error-by-position legend: ${mesa}`);
  // A loss between 20 and 41 (full-one, T = 20) still has three labelled ticks or more.
  await page.evaluate(() => (location.hash = '#preset=full-one&m=200&test-m=100&T=20&epochs=30&lr=0.002'));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.x1 === 'full-one');
  await trainToEnd(page);
  const loss = await el(page, () => document.querySelector('mesaflow-demo').history.test_loss);
  const labels = (await ticks(page, 'loss')).filter((v) => v !== '');
  assert.ok(labels.length >= 3 && labels.every((v) => NUMBER.test(v)), `loss from ${Math.min(...loss)} to ${Math.max(...loss)}: labels ${labels}`);
  await closed(page);
});

test('T = 100000 then T = 20 leaves no error on the page; an invalid field disables Play and names it', async () => {
  const page = await opened('preset=quick');
  await setField(page, 'T', '100000');
  await page.waitForFunction(() => {
    const root = document.querySelector('mesaflow-demo').shadowRoot;
    return !root.getElementById('form-problem').hidden || root.getElementById('f-T-err').textContent;
  });
  assert.equal(await shadow(page, '#play').isDisabled(), true, 'Play is off');
  await setField(page, 'T', '20');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.T === 20 && document.querySelector('mesaflow-demo').theory);
  await page.waitForTimeout(200);
  const left = await el(page, () => {
    const root = document.querySelector('mesaflow-demo').shadowRoot;
    const shown = (n) => n.checkVisibility() && n.textContent.trim() !== '';
    return [...root.querySelectorAll('.err, #form-problem, #alert, #play-why, [aria-invalid="true"]')].filter((n) => shown(n) || n.getAttribute('aria-invalid')).map((n) => `${n.id}: ${n.textContent}`);
  });
  assert.deepEqual(left, [], 'no error anywhere');
  assert.equal(await shadow(page, '#play').isDisabled(), false);

  await setField(page, 'lr', 'abc');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('f-lr-err').textContent !== '');
  assert.equal(await shadow(page, '#play').isDisabled(), true);
  assert.match(await shadow(page, '#play-why').textContent(), /Step size \(lr\)/);
  assert.equal(await shadow(page, '#f-lr-err').textContent(), "lr: 'abc' is not valid; expected a number in (0, 10]", 'under the field');
  await setField(page, 'lr', '0.001');
  await page.waitForFunction(() => !document.querySelector('mesaflow-demo').shadowRoot.getElementById('play').disabled);
  assert.equal(await shadow(page, '#play-why').isVisible(), false);
  assert.match(await shadow(page, '#preset option:checked').textContent(), /^custom \(from quick/, 'the menu says custom after an edit');
  await closed(page);
});

test('full-one without clip: no theory line, the reason, and the view beyond the assumption with three runs', async () => {
  const page = await opened('preset=full-one&compare=true&m=300&test-m=100&T=20&epochs=40&lr=0.002');
  const th = await el(page, () => document.querySelector('mesaflow-demo').theory);
  assert.equal(th.applies, false);
  await trainToEnd(page);
  const series = await el(page, () => Object.fromEntries(['ab', 'ratio'].map((c) => [c, document.querySelector('mesaflow-demo')._views.charts[c].series.map((s) => s.label)])));
  for (const [c, labels] of Object.entries(series)) {
    // The measured optimum within the diagonal family (issue 22: a line to compare with on every run) is
    // on the ab chart, labelled as measured; no line of the theory is on either chart.
    const theory = labels.filter((l) => l !== 'training-set optimum (diagonal family)');
    assert.equal(labels.length - theory.length, c === 'ab' ? 1 : 0, `${c}: ${labels}`);
    assert.ok(theory.every((l) => !/c\*|ODE|predicted|optimum/.test(l)), `${c}: no theory line (${labels})`);
  }
  const notes = await texts(page, '#notes-ab li');
  assert.match(notes[0], /^No theory line: Assumption 4\.1 fails \(the mixed moments of x₁ do not vanish/);
  assert.match((await texts(page, '#notes-ratio li')).join(' '), /No prediction/);
  assert.equal(await shadow(page, '#card-structure').isVisible(), true);
  await shadow(page, '#card-structure').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('mesaflow-demo')._views.lazy.structure.view?.charts().length === 2);
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll('#heat-row figure canvas[width]').length === 6);
  const legend = await texts(page, '#plot-structure .legend-item span:not(.v)');
  assert.deepEqual(legend.slice(0, 3), ['(a0, b0) = (0.1, 0.1)', '(a0, b0) = (0.5, 1.5)', '(a0, b0) = (2, 2)']);
  const vanilla = await texts(page, '#plot-vanilla .legend-item span:not(.v)');
  assert.ok(vanilla.some((l) => /^best one-step GD \(η = /.test(l)), `a reference line for the best vanilla GD: ${vanilla}`);
  const masses = await el(page, () => document.querySelector('mesaflow-demo').runs.map((r) => r.history.offdiag_kq.at(-1)));
  assert.ok(masses.every((m) => m > 0.01), `off-diagonal entries grow: ${masses}`);
  // Its capability view says why there is no curve.
  await shadow(page, '#card-capability').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.querySelector('#notes-capability li'));
  assert.match((await texts(page, '#notes-capability li'))[0], /^No capability curve: Assumption 4\.1 fails/);
  await screenshot(page, 'desktop-full-one-compare');
  await closed(page);
});

test('the capability view draws the theory over T: sparse recovers at every T, rademacher only as T grows, gaussian never', async () => {
  const page = await opened('preset=quick&epochs=10');
  const cases = [['preset=quick&epochs=10', /^Recovers at every T/], ['preset=quick&x1=rademacher&epochs=10', /^Recovers only as T grows/], ['preset=quick-gaussian&epochs=10', /^Never recovers/]];
  for (const [hash, verdict] of cases) {
    await page.evaluate((h) => (location.hash = `#${h}`), hash);
    await page.waitForFunction((x) => document.querySelector('mesaflow-demo').config?.x1 === x && document.querySelector('mesaflow-demo').theory, hash.includes('rademacher') ? 'rademacher' : hash.includes('gaussian') ? 'gaussian' : 'sparse');
    await shadow(page, '#card-capability').scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector('mesaflow-demo')._views.lazy.capability.view?.chart?.plot.data[1].filter((v) => v != null).length >= 10);
    const r = await el(page, () => {
      const v = document.querySelector('mesaflow-demo')._views.lazy.capability.view;
      const [x, curve] = v.chart.plot.data;
      return { x: [x[0], x.at(-1)], n: curve.filter((y) => y != null && Number.isFinite(y)).length, note: v.notes.textContent, log: v.chart.plot.scales.x.distr };
    });
    assert.ok(r.n >= 10, `${hash}: ${r.n} points of the curve`);
    assert.deepEqual(r.x, [3, 100000], `${hash}: T from 3 to 100000`);
    assert.equal(r.log, 3, 'log T axis');
    assert.match(r.note, verdict, hash);
    // The measured points (issue 9): a training to convergence at each of T = 4, 8, 16, 32 in the
    // capability worker; each within 5% of its prediction (or, where the prediction is 0, within
    // 0.5% of E|x|^2 per coordinate: sparse recovers).
    await page.waitForFunction(() => document.querySelector('mesaflow-demo')._views.measured.length >= 4, null, { timeout: 120000 });
    const points = await el(page, () => document.querySelector('mesaflow-demo')._views.measured);
    assert.deepEqual(points.map((p) => p.T), [4, 8, 16, 32], hash);
    for (const p of points) {
      assert.equal(p.diverged, false, `${hash} T = ${p.T}`);
      const off = Math.abs(p.relative_error - p.relative_error_pred);
      assert.ok(off <= 0.05 * p.relative_error_pred + 0.005, `${hash} T = ${p.T}: measured ${p.relative_error}, predicted ${p.relative_error_pred}`);
    }
  }
  await closed(page);
});

test('gaussian initialisation: the phase-invariant ab with its spread, and the structure view', async () => {
  const page = await opened('preset=gaussian-init&epochs=60', { train: true });
  const labels = await texts(page, '#plot-ab .legend-item span:not(.v)');
  assert.ok(labels.includes('phase-invariant ab ± spread over j'), `${labels}`);
  const bands = await el(page, () => document.querySelector('mesaflow-demo')._views.charts.ab.plot.bands.length);
  assert.equal(bands, 1);
  assert.match((await texts(page, '#notes-ab li')).join(' '), /phase-invariant mean of Re\(W_KQ\[d\+j, j\] W_PV\[j, j\]\) = [\d.e-]+ ± [\d.e-]+ over j/);
  assert.equal(await shadow(page, '#card-structure').isVisible(), true);
  await shadow(page, '#card-structure').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('mesaflow-demo')._views.lazy.structure.view?.charts().length === 2);
  await closed(page);
});

test('one training sequence: the prediction computed on the page follows the next token once sparse is learned', async () => {
  const page = await opened('preset=quick', { train: true });
  await shadow(page, '#card-sequence').scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelector('mesaflow-demo')._views.lazy.sequence.view?.chart?.plot.data[2].some((v) => v != null));
  const [next, pred] = await el(page, () => document.querySelector('mesaflow-demo')._views.lazy.sequence.view.chart.plot.data.slice(1));
  const err = Math.max(...next.map((v, i) => Math.abs(v - pred[i])).slice(-5));
  assert.ok(err < 0.01, `the last predictions are within ${err} of the next tokens`);
  assert.ok(next.some((v) => Math.abs(v) > 0.1), 'the coordinate shown is a non-zero one');
  // The notice bar the live-editing logic drives is in place, hidden.
  const notice = await el(page, () => ['notice', 'notice-text', 'notice-yes', 'notice-no'].map((id) => Boolean(document.querySelector('mesaflow-demo').shadowRoot.getElementById(id))));
  assert.deepEqual(notice, [true, true, true, true]);
  assert.equal(await shadow(page, '#notice').isVisible(), false);
  await scrollThrough(page);
  await closed(page);
});
