// One owner of the page's state (issue 18): attribute changes and method calls apply in the
// order they are made, and a chunk of training sends the rows it trained, not the history before.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, teardown, openPage, waitReady, trainUntil, trainToEnd } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup();
});
after(async () => {
  await teardown(ctx);
});

const demo = (page, f, arg) => page.evaluate(([src, a]) => new Function('el', 'a', `return (${src})(el, a)`)(document.querySelector('mesaflow-demo'), a), [f.toString(), arg]);
const lastEpoch = () => document.querySelector('mesaflow-demo').history.epoch.at(-1);

test("after a finished run, setAttribute('epochs', '90') then play() at once trains on to 90", async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick&epochs=30');
  await waitReady(page);
  assert.match(await trainToEnd(page), /^finished/i);
  assert.equal(await page.evaluate(lastEpoch), 30);
  // The two calls in one task: the attribute is read (on the page, by the core's generated rules) before Play.
  await demo(page, (el) => {
    el.setAttribute('epochs', '90');
    el.play();
  });
  await page.waitForFunction((e) => document.querySelector('mesaflow-demo').history.epoch.at(-1) >= e, 90, { timeout: 30000, polling: 100 });
  const h = await demo(page, (el) => el.history);
  // Went on from epoch 30 (a live change, no restart): every epoch once, in order.
  assert.deepEqual(h.epoch, Array.from({ length: 91 }, (_, i) => i));
  assert.deepEqual(h.changes.map((c) => [c.field, c.from, c.to, c.epoch]), [['epochs', '30', '90', 30]]);
  assert.equal(await demo(page, (el) => el.config.epochs), 90);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('play() then pause() in one task leaves the demo paused; pause() then play() leaves it training', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick-gaussian&epochs=20000&eval-every=1');
  await waitReady(page);
  await demo(page, (el) => {
    el.play();
    el.pause();
  });
  await page.waitForTimeout(1500);
  const pressed = () => demo(page, (el) => el.shadowRoot.getElementById('play').getAttribute('aria-pressed'));
  assert.equal(await pressed(), 'false');
  const at = await demo(page, (el) => el.epoch);
  await page.waitForTimeout(1000);
  assert.equal(await demo(page, (el) => el.epoch), at, 'no epochs after the pause');
  await demo(page, (el) => {
    el.pause();
    el.play();
  });
  await page.waitForFunction((e) => document.querySelector('mesaflow-demo').epoch > e + 20, at, { timeout: 30000, polling: 100 });
  assert.equal(await pressed(), 'true');
  await demo(page, (el) => el.pause());
  assert.deepEqual(page.problems, []);
  await page.close();
});

// Every message a pool worker posts of type 'rows' (a chunk's history rows and the run's state),
// measured as the structured clone carries it (a number: 8 bytes and a tag; a string or key: its
// characters and a length): what a chunk costs to send does not grow with the rows before it.
async function countRows(page) {
  for (const w of page.workers()) {
    await w.evaluate(() => {
      if (self.__rows) return;
      self.__rows = [];
      const size = (v) => {
        if (typeof v === 'number' || typeof v === 'boolean' || v == null) return 9;
        if (typeof v === 'string') return 5 + v.length;
        if (ArrayBuffer.isView(v)) return 9 + v.byteLength;
        return 5 + Object.entries(v).reduce((n, [k, x]) => n + 5 + k.length + size(x), 0);
      };
      const post = self.postMessage.bind(self);
      self.postMessage = (msg, transfer) => {
        if (msg?.type === 'rows') self.__rows.push({ bytes: size(msg), rows: msg.rows.epoch.length, epoch: msg.epoch });
        return post(msg, transfer);
      };
    });
  }
}
const rowsMessages = async (page) => (await Promise.all(page.workers().map((w) => w.evaluate(() => self.__rows ?? [])))).flat();

// One step (one epoch, one row) of a paused run: the size of the message it sent.
async function stepSize(page) {
  const before = (await rowsMessages(page)).length;
  const at = await demo(page, (el) => el.epoch);
  await demo(page, (el) => el.step());
  await page.waitForFunction((e) => document.querySelector('mesaflow-demo').epoch === e + 1, at, { timeout: 20000, polling: 50 });
  await page.waitForTimeout(200);
  const sent = (await rowsMessages(page)).slice(before);
  assert.equal(sent.length, 1, `one rows message for one step, got ${JSON.stringify(sent)}`);
  assert.equal(sent[0].rows, 1);
  return sent[0];
}

test('the bytes a chunk sends do not grow with the rows already trained', async () => {
  const page = await openPage(ctx, 'lab.html#preset=quick-gaussian&epochs=5000&eval-every=1');
  await waitReady(page);
  await countRows(page);
  const pauseAt = async (epoch) => {
    await trainUntil(page, epoch);
    await demo(page, (el) => el.pause());
    await page.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('play').getAttribute('aria-pressed') === 'false');
    await page.waitForTimeout(300); // the last chunk's rows
  };
  await pauseAt(50);
  const early = await stepSize(page);
  await pauseAt(500);
  const late = await stepSize(page);
  const rows = await demo(page, (el) => el.history.epoch.length);
  assert.ok(rows > 500 && late.epoch > 500 && early.epoch < 100, `${early.epoch}, ${late.epoch}, ${rows}`);
  // The same message (a message that carried the history would be longer by 11 columns x 8 bytes
  // for each of the 450 rows trained in between, about 40 kB).
  console.log(`a one-row chunk at epoch ${early.epoch}: ${early.bytes} B; at epoch ${late.epoch} (${rows} rows): ${late.bytes} B`);
  assert.ok(Math.abs(late.bytes - early.bytes) <= 16, `${early.bytes} B at epoch ${early.epoch}, ${late.bytes} B at epoch ${late.epoch}`);
  assert.deepEqual(page.problems, []);
  await page.close();
});
