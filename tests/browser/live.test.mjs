// Changing things while it trains (issue 10): lr, epochs, eval-every, clip and method go to the
// running runs from their current epoch on (no restart: the epochs keep counting, the history marks
// the change); raising epochs after the end goes on; Play on a finished run says what to do; a
// script's setAttribute('lr') during play goes on; a field that defines the data starts again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, teardown, openPage, waitReady, trainUntil, shadow } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup();
});
after(async () => {
  await teardown(ctx);
});

const demo = (page, f, arg) => page.evaluate(([src, a]) => new Function('el', 'a', `return (${src})(el, a)`)(document.querySelector('mesaflow-demo'), a), [f.toString(), arg]);

// Edits a field of the settings form as a reader does (the form opened if it is folded away).
async function edit(page, name, value) {
  await demo(page, (el) => el.shadowRoot.querySelectorAll('details').forEach((d) => (d.open = true)));
  const input = shadow(page, `#f-${name}`);
  if ((await input.getAttribute('type')) === 'checkbox') await input.setChecked(value === 'true');
  else {
    await input.fill(value);
    await input.press('Enter');
    await input.blur();
  }
}

test('an lr edit while training goes on from the current epoch: no restart, the change is in the history', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick-gaussian&epochs=200&eval-every=1');
  await waitReady(page);
  await trainUntil(page, 40);
  await edit(page, 'lr', '0.0002');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').runs[0].history.changes.length === 1, null, { timeout: 20000 });
  const at = await demo(page, (el) => el.runs[0].history.changes[0]);
  assert.equal(at.field, 'lr');
  assert.equal(at.from, '0.0004');
  assert.equal(at.to, '0.0002');
  assert.ok(at.epoch >= 40, `changed at epoch ${at.epoch}`);
  await page.waitForFunction((e) => document.querySelector('mesaflow-demo').history.epoch.at(-1) >= e + 20, at.epoch, { timeout: 30000 });
  const h = await demo(page, (el) => el.history);
  // One history from epoch 0: no restart (every epoch once, in order).
  assert.deepEqual(h.epoch.slice(0, 60), Array.from({ length: 60 }, (_, i) => i));
  assert.equal(await demo(page, (el) => el.config.lr), 0.0002);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('raising epochs after the end goes on; Play on a finished run says what to do', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&epochs=30');
  await waitReady(page);
  await trainUntil(page, 30);
  await page.waitForFunction(() => /^finished/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), null, { timeout: 20000 });
  await demo(page, (el) => el.play());
  const said = await demo(page, (el) => el.shadowRoot.getElementById('status').textContent);
  assert.match(said, /Raise epochs/);
  await edit(page, 'epochs', '60');
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config.epochs === 60, null, { timeout: 20000 });
  await trainUntil(page, 60);
  const h = await demo(page, (el) => el.history);
  assert.deepEqual(h.epoch, Array.from({ length: 61 }, (_, i) => i));
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("a script's setAttribute('lr') during play goes on; a field that defines the data starts again", async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick-gaussian&epochs=300');
  await waitReady(page);
  await trainUntil(page, 20);
  await demo(page, (el) => el.setAttribute('lr', '0.0003'));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').runs[0].history.changes.length === 1, null, { timeout: 20000 });
  assert.ok((await demo(page, (el) => el.epoch)) >= 20, 'no restart');
  await demo(page, (el) => el.setAttribute('t', '12'));
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').config.T === 12, null, { timeout: 20000 });
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').history.epoch.length >= 1, null, { timeout: 20000 });
  assert.ok((await demo(page, (el) => el.history.epoch[0])) === 0, 'a new run from epoch 0');
  const note = await demo(page, (el) => (el.shadowRoot.getElementById('notice-text') ?? el.shadowRoot.getElementById('alert')).textContent);
  assert.match(note, /Started again from epoch 0: T changed/);
  assert.deepEqual(page.problems, []);
  await page.close();
});
