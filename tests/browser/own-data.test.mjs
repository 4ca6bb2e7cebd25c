// Own data says what it is (issue 19, item 4): with a .npy file loaded, the fields the file sets
// show the file's values (d, T, m, test-m) and the ones it makes moot (the first-token law) say
// "from the file", with why under each; where the link is offered (the element's Copy link, the
// laboratory's "Link to this view") it says that the file is not in it, and Copy link's message
// too; a malformed file's message sits next to the file picker, not in the alert at the top; back
// on generated data every field shows its own value again and the notes go. The file is written
// here by hand from the .npy format (sequences x_{t+1} = W x_t, W diagonal and unitary).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setup, teardown, waitReady, shadow, openSettings, SCREENSHOTS } from './helpers.mjs';

let ctx, dir;

// A .npy file: the header padded to a multiple of 64 bytes (format 1.0), then the data.
function npy(dict, data) {
  let h = dict;
  while ((10 + h.length + 1) % 64) h += ' ';
  h += '\n';
  return Buffer.concat([Buffer.from('\x93NUMPY\x01\x00', 'latin1'), Buffer.from([h.length & 0xff, h.length >> 8]), Buffer.from(h, 'latin1'), data]);
}

// m sequences of d coordinates and T tokens, complex128 in C order, shape (m, d, T): gaussian first
// tokens (a fixed LCG and Box-Muller), each sequence its own diagonal unitary W.
function sequences(m, d, T) {
  let s = 12345;
  const u = () => ((s = (s * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
  const gauss = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const out = new Float64Array(m * d * T * 2);
  for (let i = 0; i < m; ++i) {
    for (let j = 0; j < d; ++j) {
      const theta = 2 * Math.PI * u();
      let re = gauss() / Math.SQRT2, im = gauss() / Math.SQRT2;
      for (let t = 0; t < T; ++t) {
        const k = ((i * d + j) * T + t) * 2;
        out[k] = re;
        out[k + 1] = im;
        [re, im] = [re * Math.cos(theta) - im * Math.sin(theta), re * Math.sin(theta) + im * Math.cos(theta)];
      }
    }
  }
  return npy(`{'descr': '<c16', 'fortran_order': False, 'shape': (${m}, ${d}, ${T}), }`, Buffer.from(out.buffer));
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-own-'));
  fs.writeFileSync(path.join(dir, 'mine.npy'), sequences(200, 2, 12));
  fs.writeFileSync(path.join(dir, 'broken.npy'), npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1, 3), }", Buffer.alloc(48)));
  ctx = await setup();
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});
after(async () => {
  await teardown(ctx);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const NOTE = 'This link holds the settings but not mine.npy (a link cannot carry a file): it opens on data generated from the settings, ' +
  'with their own d, T and m, not the file’s.';

test('a loaded file: its values in the locked fields, "from the file" in the moot ones, the link says the file is not in it; a bad file\'s message by the picker', { timeout: 180000 }, async () => {
  const context = await ctx.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(ctx.url).origin });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.goto(new URL('lab.html#preset=quick&epochs=20', ctx.url).href);
  await waitReady(page);
  await openSettings(page);
  const field = (name) => page.evaluate((n) => {
    const input = document.querySelector('mesaflow-demo').shadowRoot.getElementById(`f-${n}`);
    const help = input.closest('.field').querySelector('.help').textContent;
    const shown = input instanceof HTMLSelectElement ? input.selectedOptions[0]?.textContent : input.value;
    return { shown, disabled: input.disabled, help };
  }, name);
  const before = { x1: await field('x1'), scale: await field('scale'), magnitude: await field('magnitude') };
  assert.deepEqual([before.x1.shown, before.scale.shown, before.magnitude.shown], ['sparse', '1', 'const'], 'quick: sparse, scale 1');
  assert.equal(await shadow(page, '#link-note').isVisible(), false);
  assert.equal(await page.locator('#share-note').isVisible(), false);

  await shadow(page, '#data-file').setInputFiles(path.join(dir, 'mine.npy'));
  await page.waitForFunction(() => {
    const el = document.querySelector('mesaflow-demo');
    return el.data.name === 'mine.npy' && el.config.m === el.data.m && el.history.epoch.length === 1;
  }, null, { timeout: 60000 });
  const data = await page.evaluate(() => document.querySelector('mesaflow-demo').data);
  const picked = () => page.evaluate(() => [...document.querySelector('mesaflow-demo').shadowRoot.getElementById('data-file').files].map((f) => f.name));
  assert.deepEqual(await picked(), ['mine.npy'], 'the picker shows the file trained on');
  assert.deepEqual([data.d, data.T, data.file_m, data.m + data.test_m], [2, 12, 200, 200]);
  // The shape: the file's numbers.
  for (const [name, want] of [['d', '2'], ['T', '12'], ['m', String(data.m)], ['test-m', String(data.test_m)]]) {
    const f = await field(name);
    assert.deepEqual([f.shown, f.disabled], [want, true], name);
    assert.equal(f.help, 'from mine.npy; “Use generated data” to edit it', name);
  }
  // The first-token law: the file's own first tokens, not the form's "sparse, scale 1".
  for (const name of ['x1', 'scale', 'magnitude']) {
    const f = await field(name);
    assert.deepEqual([f.shown, f.disabled], ['from the file', true], name);
    assert.equal(f.help, 'from mine.npy; “Use generated data” to edit it', name);
  }
  assert.deepEqual(await field('lr'), { shown: '0.002', disabled: false, help: (await field('lr')).help }, 'lr stays editable');
  assert.notEqual((await field('lr')).help, 'from mine.npy; “Use generated data” to edit it');

  // Where the link is offered, it says the file is not in it: the element's Copy link and the page's.
  assert.equal(await shadow(page, '#copy-link').isVisible(), true);
  assert.equal(await shadow(page, '#link-note').isVisible(), true);
  assert.equal(await shadow(page, '#link-note').textContent(), NOTE);
  assert.equal(await page.locator('#share-note').isVisible(), true);
  assert.equal(await page.locator('#share-note').textContent(), NOTE);
  assert.equal(await page.locator('#share-link').getAttribute('title'), NOTE);
  await shadow(page, '#settings').screenshot({ path: path.join(SCREENSHOTS, 'own-data-locked.png') });
  await page.locator('main > .share').scrollIntoViewIfNeeded();
  await page.waitForTimeout(800); // the views near it load (lazy.js) and the page settles
  await page.locator('main > .share').screenshot({ path: path.join(SCREENSHOTS, 'own-data-share.png') });
  await shadow(page, '#copy-link').click();
  await page.waitForFunction(() => /^link copied/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('copy-state').textContent));
  assert.equal(await shadow(page, '#copy-state').textContent(), 'link copied, without mine.npy (a link cannot carry a file)');
  // The link copied opens the settings (quick's own d = 3, T = 20, m = 1000) on generated data: what the note says.
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, await page.evaluate(() => location.href));
  const other = await context.newPage();
  await other.goto(copied);
  await waitReady(other);
  const opened = await other.evaluate(() => {
    const el = document.querySelector('mesaflow-demo');
    return { data: el.data.source, d: el.config.d, T: el.config.T, m: el.config.m };
  });
  assert.deepEqual(opened, { data: 'generated', d: 3, T: 20, m: 1000 });
  await other.close();

  // A malformed file: its message next to the picker (the settings are open), not at the top.
  await shadow(page, '#data-file').setInputFiles(path.join(dir, 'broken.npy'));
  await page.waitForFunction(() => !document.querySelector('mesaflow-demo').shadowRoot.getElementById('file-problem').hidden, null, { timeout: 30000 });
  const text = await shadow(page, '#file-problem').textContent();
  assert.match(text, /^data: .*\(broken\.npy is not used: the runs shown go on\.\)$/);
  // Right under the block of file pickers (the data file's, the test set's, the CLI run's).
  const picker = await shadow(page, '#data-file').boundingBox();
  const files = await shadow(page, '#data .files').boundingBox();
  const message = await shadow(page, '#file-problem').boundingBox();
  assert.ok(picker.y >= files.y && picker.y + picker.height <= files.y + files.height + 1, 'the picker is in the block');
  const gap = message.y - (files.y + files.height);
  assert.ok(gap >= 0 && gap < 24, `the message ${gap} px under the pickers, ${message.y - picker.y} px under the data file's`);
  await shadow(page, '#data').screenshot({ path: path.join(SCREENSHOTS, 'own-data-file-problem.png') });
  assert.equal(await shadow(page, '#alert').isVisible(), false, 'not in the alert at the top');
  assert.equal(await page.evaluate(() => document.querySelector('mesaflow-demo').data.name), 'mine.npy', 'the file trained on stays');
  assert.deepEqual(await picked(), ['mine.npy'], 'the picker shows the file trained on, not the refused one');

  // Generated data again: every field its own value, no note.
  await shadow(page, '#data-generated').click();
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').data.source === 'generated' && document.querySelector('mesaflow-demo').config.m === 1000);
  assert.deepEqual(await field('x1'), before.x1);
  assert.deepEqual(await field('scale'), before.scale);
  assert.deepEqual(await field('magnitude'), before.magnitude);
  assert.equal(await page.evaluate(() => document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll('#f-x1 option.locked').length), 0);
  assert.equal(await shadow(page, '#link-note').isVisible(), false);
  assert.equal(await page.locator('#share-note').isVisible(), false);
  assert.equal(await page.locator('#share-link').getAttribute('title'), '');
  assert.deepEqual(await picked(), [], 'no file in the picker');
  assert.deepEqual(problems, []);
  await context.close();
});
