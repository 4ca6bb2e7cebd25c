// The main page: training converges to the theory, views get data, URL state, validation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, teardown, openPage, waitReady, trainUntil, trainToEnd, shadow, screenshot, openSettings } from './helpers.mjs';
import { HISTORY_COLUMNS } from '../node/helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup();
});
after(async () => {
  await teardown(ctx);
});

test('quick preset trains until ab is at the theory, and every view has data', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick');
  await waitReady(page);
  const epochs = await page.evaluate(() => document.querySelector('mesaflow-demo').config.epochs);
  // The rows of the last epoch and the end of training are two messages: the status says
  // 'finished' as soon as the last rows are in (read below without waiting for it).
  await trainUntil(page, epochs);
  const r = await page.evaluate(() => {
    const el = document.querySelector('mesaflow-demo');
    const h = el.history;
    const ode = el.odeCurve;
    const root = el.shadowRoot;
    const canvases = [...root.querySelectorAll('#card-ab .uplot canvas, #card-ratio .uplot canvas, #card-loss .uplot canvas, #card-mesa .uplot canvas, .heat canvas')].map((c) => [c.width, c.height]);
    return { n: h.epoch.length, last: h.epoch.at(-1), ab: h.ab.at(-1), theory: el.theory, odeEnd: ode.ab.at(-1), odeEmpEnd: ode.ab_empirical.at(-1),
      finite: h.ab.every(Number.isFinite) && h.test_loss.every(Number.isFinite), canvases,
      status: root.getElementById('status').textContent, plots: root.querySelectorAll('.uplot').length };
  });
  assert.equal(r.last, epochs);
  assert.equal(r.n, epochs + 1, 'one history row per epoch (eval-every 1), epoch 0 included');
  assert.ok(r.finite, 'history is finite');
  // The finite training set moves the optimum by sampling noise (core/THEORY.md §3): accept the population
  // c*(T), the population ODE or the ODE / optimum computed from the training set itself.
  const refs = [r.theory.c_star_T, r.odeEnd, r.odeEmpEnd, r.theory.c_star_empirical].filter(Number.isFinite);
  const rel = Math.min(...refs.map((c) => Math.abs(r.ab - c) / c));
  assert.ok(rel < 0.05, `ab = ${r.ab} should be within 5% of one of ${refs.join(', ')}`);
  assert.ok(r.plots >= 4, 'four uPlot charts at least (more once the views further down are loaded)');
  assert.equal(r.canvases.length, 6, 'four chart canvases and two heatmaps');
  for (const [w, h] of r.canvases) assert.ok(w > 0 && h > 0, 'every canvas has a size');
  assert.match(r.status, /finished: epoch \d+ of \d+/);
  await screenshot(page, 'desktop-quick-trained');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the URL reflects the configuration and a link restores it', async () => {
  const page = await openPage(ctx, 'lab.html');
  await waitReady(page);
  assert.match(await page.evaluate(() => location.hash), /preset=quick/);
  await openSettings(page);
  const lr = shadow(page, '#f-lr');
  await lr.fill('0.0015');
  await lr.press('Enter');
  await lr.blur();
  await page.waitForFunction(() => location.hash.includes('lr=0.0015'));
  await shadow(page, '#f-x1').selectOption('rademacher'); // quick is sparse
  await page.waitForFunction(() => location.hash.includes('x1=rademacher'));
  const link = await page.evaluate(() => location.href);

  const again = await openPage(ctx, link.slice(link.indexOf('lab.html')));
  await waitReady(again);
  const cfg = await again.evaluate(() => document.querySelector('mesaflow-demo').config);
  assert.equal(cfg.lr, 0.0015);
  assert.equal(cfg.x1, 'rademacher');
  assert.equal(await shadow(again, '#f-lr').inputValue(), '0.0015');
  // Editing the hash by hand (or going back) reconfigures the demo.
  await again.evaluate(() => (location.hash = '#preset=full-one&m=300&test-m=100'));
  await again.waitForFunction(() => document.querySelector('mesaflow-demo').config?.x1 === 'full-one' && document.querySelector('mesaflow-demo').config.m === 300);
  assert.deepEqual(page.problems, []);
  assert.deepEqual(again.problems, []);
  await page.close();
  await again.close();
});

test('an invalid field shows a message naming the field and its range', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick');
  await waitReady(page);
  await openSettings(page);
  const lr = shadow(page, '#f-lr');
  await lr.fill('abc');
  await lr.press('Enter');
  await lr.blur();
  const err = shadow(page, '#f-lr-err');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('f-lr-err').textContent !== '');
  // The core's message, as the CLI and the JS API say it.
  assert.equal(await err.textContent(), "lr: 'abc' is not valid; expected a number in (0, 10]");
  assert.equal(await lr.getAttribute('aria-invalid'), 'true');

  const d = shadow(page, '#f-d');
  await d.fill('100000');
  await d.press('Enter');
  await d.blur();
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('f-d-err').textContent !== '');
  assert.equal(await shadow(page, '#f-d-err').textContent(), "d: '100000' is not valid; expected an integer in [1, 32]");
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a configuration too large for the browser is refused before a session is created', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick');
  await waitReady(page);
  const big = await page.evaluate(async () => {
    const el = document.querySelector('mesaflow-demo');
    el.setAttribute('m', '1000000');
    el.setAttribute('test-m', '1000000');
    el.setAttribute('t', '1000');
    await new Promise((r) => setTimeout(r, 500));
    return { alert: el.shadowRoot.getElementById('alert').textContent, n: el.history.epoch.length };
  });
  assert.match(big.alert, /Not started: .*(MiB|GiB|GB|out of range)/);
  assert.equal(big.n, 0);
  // The problem is shown once at the top of the form, naming every field it involves, and each of
  // them is marked (and only them).
  const errs = () => page.evaluate(() => Object.fromEntries([...document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll('.err')]
    .filter((e) => e.textContent).map((e) => [e.id.replace(/^f-|-err$/g, ''), e.textContent])));
  const budget = await errs();
  assert.deepEqual(Object.keys(budget).sort(), ['T', 'd', 'm', 'test-m']);
  for (const text of Object.values(budget)) assert.equal(text, 'part of the problem above the form');
  const top = await shadow(page, '#form-problem').textContent();
  assert.ok(top.startsWith(big.alert.replace(/^Not started: /, '')), top);
  for (const f of ['Training sequences (m)', 'Test sequences (test-m)', 'Sequence length (T)', 'Token dimension (d)']) assert.ok(top.includes(f), `${f} in ${top}`);
  // Past the time budget: refused too, the message on the epochs field.
  const long = await page.evaluate(async () => {
    const el = document.querySelector('mesaflow-demo');
    for (const a of ['m', 'test-m', 't']) el.removeAttribute(a);
    el.setAttribute('preset', 'gaussian-1');
    el.setAttribute('epochs', '100000');
    await new Promise((r) => setTimeout(r, 500));
    return { alert: el.shadowRoot.getElementById('alert').textContent, field: el.shadowRoot.getElementById('f-epochs-err').textContent, n: el.history.epoch.length };
  });
  assert.match(long.alert, /^Not started: epochs: this run needs about .* more than the budget of 60 min in a browser; reduce epochs/);
  assert.match(long.field, /^epochs: this run needs about/);
  assert.equal(long.n, 0);
  assert.deepEqual(Object.keys(await errs()), ['epochs'], 'the budget problem is gone from m, test-m, T and d');
  // A setting that fits: no problem left anywhere.
  await page.evaluate(() => document.querySelector('mesaflow-demo').setAttribute('epochs', '10'));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config?.epochs === 10 && document.querySelector('mesaflow-demo').theory);
  assert.equal(await shadow(page, '#form-problem').isVisible(), false);
  assert.deepEqual(await errs(), {});
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a diverging run dispatches mesaflow-diverged, pauses, says so and plots no NaN', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick-gaussian&lr=0.9');
  await waitReady(page);
  const detail = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const el = document.querySelector('mesaflow-demo');
        el.addEventListener('mesaflow-diverged', (e) => resolve(e.detail));
        el.play();
      }),
  );
  assert.ok(detail.epoch >= 1);
  const alert = shadow(page, '#alert');
  await alert.waitFor({ state: 'visible' });
  const said = await alert.textContent();
  assert.match(said, /^Training paused: .* diverged at epoch \d+/);
  assert.match(said, /smaller step/);
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('play').textContent === 'Play');
  const plotted = await page.evaluate(() => {
    const root = document.querySelector('mesaflow-demo').shadowRoot;
    return [...root.querySelectorAll('.uplot')].length;
  });
  assert.ok(plotted >= 4);
  const nanPlotted = await page.evaluate(() => {
    const v = document.querySelector('mesaflow-demo')._views;
    return Object.values(v.charts).some((c) => c.plot.data.some((s) => s.some((x) => typeof x === 'number' && !Number.isFinite(x))));
  });
  assert.equal(nanPlotted, false);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('controls are keyboard operable and the summary is announced', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&epochs=30');
  await waitReady(page);
  await shadow(page, '#step').focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').epoch === 1);
  assert.match(await shadow(page, '#status').textContent(), /^paused: epoch 1 of 30/);
  await shadow(page, '#play').focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').history.epoch.at(-1) === 30);
  // The visible line follows the run; the hidden live region says it to screen readers (at most
  // every 2 s while training) and ends on the same words.
  const live = await shadow(page, '#status-live').getAttribute('aria-live');
  assert.equal(live, 'polite');
  assert.equal(await shadow(page, '#status').getAttribute('aria-live'), null);
  await page.waitForFunction(() => /finished/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent));
  await page.waitForFunction(() => {
    const r = document.querySelector('mesaflow-demo').shadowRoot;
    return r.getElementById('status-live').textContent === r.getElementById('status').textContent;
  });
  for (const f of ['lr', 'epochs', 'x1', 'clip', 'sigma-w', 'test-m', 'eval-every', 'T']) {
    const label = await page.evaluate((n) => document.querySelector('mesaflow-demo').shadowRoot.querySelector(`label[for="f-${n}"]`)?.textContent, f);
    assert.ok(label && label.endsWith(` ${f}`) && label.length > f.length + 2, `field ${f} is named in words with its option name as a hint: ${label}`);
  }
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('compare mode: el.runs holds the three runs, each history grows, mesaflow-step comes for each run', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&compare=true&epochs=20');
  await waitReady(page);
  await page.evaluate(() => {
    window.__steps = [];
    document.querySelector('mesaflow-demo').addEventListener('mesaflow-step', (e) => window.__steps.push(e.detail));
  });
  const before = await page.evaluate(() => document.querySelector('mesaflow-demo').runs.map((r) => r.history.epoch.length));
  assert.equal(before.length, 3);
  for (const n of before) assert.ok(n <= 1, `at most epoch 0 before training (${n} rows)`);
  assert.match(await trainToEnd(page), /^finished: epoch 20 of 20/);
  const { runs, history, steps } = await page.evaluate(() => {
    const el = document.querySelector('mesaflow-demo');
    el.runs[0].history.ab.push(42); // a copy: the element's record does not change
    return { runs: el.runs, history: el.history, steps: window.__steps };
  });
  assert.deepEqual(runs.map((r) => [r.a0, r.b0]), [[0.1, 0.1], [0.5, 1.5], [2, 2]]);
  assert.deepEqual(runs.map((r) => r.label), ['(0.1, 0.1)', '(0.5, 1.5)', '(2, 2)']);
  assert.deepEqual(runs[0].history, history, 'history is the first run\'s');
  for (const [i, r] of runs.entries()) {
    assert.deepEqual(r.history.epoch, Array.from({ length: 21 }, (_, e) => e), `run ${i}: one row per epoch`);
    assert.ok(r.history.ab.every(Number.isFinite), `run ${i}: finite`);
    assert.ok(Number.isFinite(r.theory.c_star_T) && Array.isArray(r.ode.ab), `run ${i}: theory and ODE`);
    const mine = steps.filter((s) => s.run === i);
    assert.deepEqual(mine.map((s) => s.epoch).filter((e) => e > 0), Array.from({ length: 20 }, (_, e) => e + 1), `run ${i}: one event per epoch`);
    for (const s of mine) {
      assert.deepEqual([s.a0, s.b0], [r.a0, r.b0]);
      const row = r.history.epoch.indexOf(s.epoch);
      for (const k of HISTORY_COLUMNS) assert.equal(s[k], r.history[k][row], `run ${i}, epoch ${s.epoch}: ${k}`);
    }
  }
  assert.notEqual(runs[1].history.ab[20], runs[2].history.ab[20], 'the runs differ');
  assert.deepEqual(page.problems, []);
  await page.close();
});
