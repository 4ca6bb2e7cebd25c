// Embedding, hostile URLs, narrow screens, first-load size, screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { setup, teardown, openPage, waitReady, trainUntil, trainToEnd, shadow, screenshot, openSettings, SITE } from './helpers.mjs';
import { HISTORY_COLUMNS } from '../node/helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup();
});
after(async () => {
  await teardown(ctx);
});

test('embed.html reads the URL keys and trains', async () => {
  const page = await openPage(ctx, 'embed.html#preset=quick&epochs=20&controls=hide', { width: 400, height: 900 });
  await waitReady(page);
  const cfg = await page.evaluate(() => document.querySelector('mesaflow-demo').config);
  assert.equal(cfg.epochs, 20);
  // controls="hide" hides the controls but Play (issue 19: a demo that can be started has Play).
  assert.equal(await shadow(page, '.bar .share').isVisible(), false, 'controls="hide" hides the controls');
  for (const id of ['#step', '#reset', '#speed', '#preset', '#compare']) assert.equal(await shadow(page, id).isVisible(), false, id);
  assert.equal(await shadow(page, '#play').isVisible(), true, 'Play stays');
  assert.equal(await shadow(page, '#settings').isVisible(), false);
  assert.match(await page.evaluate(() => location.hash), /controls=hide/, 'the URL keeps controls=hide');
  await trainUntil(page, 20);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a custom element added by script trains, with play() called as soon as it is attached', async () => {
  const page = await openPage(ctx, 'embed.html');
  await waitReady(page);
  const globalsBefore = await page.evaluate(() => Object.keys(window).length);
  const steps = await page.evaluate(async () => {
    document.querySelector('mesaflow-demo').remove();
    const el = document.createElement('mesaflow-demo');
    el.setAttribute('preset', 'quick');
    el.setAttribute('epochs', '15');
    el.setAttribute('text', 'hide');
    const seen = [];
    el.addEventListener('mesaflow-step', (e) => seen.push(e.detail));
    document.body.append(el);
    el.play();
    await new Promise((resolve) => {
      const poll = () => (seen.length && seen.at(-1).epoch >= 15 ? resolve() : setTimeout(poll, 100));
      poll();
    });
    return seen;
  });
  assert.equal(steps.length, 16, 'one mesaflow-step per recorded evaluation, epoch 0 included');
  assert.equal(await page.evaluate(() => Object.keys(window).length), globalsBefore, 'no globals added');
  assert.equal(await page.evaluate(() => 'uPlot' in window), false);
  assert.deepEqual(Object.keys(steps[0]).sort(), ['a0', 'b0', 'layers', 'run', ...HISTORY_COLUMNS].sort());
  assert.ok(steps.every((s) => s.layers === 1), 'the run\'s layers');
  assert.ok(steps.every((s) => Number.isFinite(s.ab) && s.run === 0));
  assert.equal(await shadow(page, '.text').first().isVisible(), false, 'text="hide" hides the explanations');
  assert.deepEqual(page.problems, []);
  await page.close();
});

test("the element observes exactly the generated fields' attributes and the page's own keys", async () => {
  const page = await openPage(ctx, 'embed.html');
  await waitReady(page);
  const r = await page.evaluate(async () => {
    const { FIELDS } = await import('./js/fields.js');
    return { names: FIELDS.map((f) => f.name), observed: customElements.get('mesaflow-demo').observedAttributes };
  });
  assert.ok(r.names.includes('T') && r.names.includes('sigma-w') && r.names.includes('precision') && r.names.includes('model') && ['process', 'radius', 'noise', 'ridge', 'attention', 'layers'].every((n) => r.names.includes(n)) && r.names.length === 25, `generated names: ${r.names}`);
  const expected = [...r.names.map((n) => n.toLowerCase()), 'preset', 'compare', 'controls', 'text', 'workers', 'views', 'compact', 'autoplay'];
  assert.deepEqual(r.observed.slice().sort(), expected.sort());
  assert.equal(new Set(r.observed).size, r.observed.length, 'no attribute twice');
  // The settings form has one input per generated field.
  const inputs = await page.evaluate(() => [...document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll('#form [name]')].map((i) => i.name));
  assert.deepEqual(inputs.slice().sort(), r.names.slice().sort());
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('a crafted URL with markup in keys and values executes nothing and is reported', async () => {
  const hash = `#${encodeURIComponent('<script>window.__pwned=1</script>')}=1&${encodeURIComponent('<img src=x onerror="window.__pwned=2">')}=2` +
    `&lr=${encodeURIComponent('<img src=x onerror="window.__pwned=3">')}&preset=${encodeURIComponent('<b>x</b>')}`;
  const page = await openPage(ctx, `lab.html${hash}`);
  await waitReady(page);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.evaluate(() => document.querySelectorAll('img, b').length), 0);
  assert.equal(await page.evaluate(() => document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll('img, b').length), 0);
  assert.ok(page.warnings.some((w) => w.includes('ignoring unknown URL key')), 'unknown keys are warned about');
  assert.match(await shadow(page, '#f-lr-err').textContent(), /^lr: '<img src=x onerror="window.__pwned=3">' is not valid; expected a number in/);
  assert.match(await shadow(page, '#alert').textContent(), /preset: '<b>x<\/b>' is not valid; expected one of/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

// Issue 22: the new fields' keys in a crafted link, each refused in its own words, nothing executed.
test('a crafted URL with bad process, radius, noise and ridge values reports each field', async () => {
  const hash = `#process=${encodeURIComponent('<img src=x onerror="window.__pwned=4">')}&radius=0&noise=-1&ridge=abc`;
  const page = await openPage(ctx, `lab.html${hash}`);
  await waitReady(page);
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.evaluate(() => document.querySelector('mesaflow-demo').shadowRoot.querySelectorAll('img').length), 0);
  assert.match(await shadow(page, '#f-process-err').textContent(), /^process: '<img src=x onerror="window.__pwned=4">' is not valid; expected one of diagonal, unitary, orthogonal, rotation, fixed/);
  assert.match(await shadow(page, '#f-radius-err').textContent(), /^radius: '0' is not valid; expected a number in \(0, 1\]/);
  assert.match(await shadow(page, '#f-noise-err').textContent(), /^noise: '-1' is not valid; expected a number in \[0, 100\]/);
  assert.match(await shadow(page, '#f-ridge-err').textContent(), /^ridge: 'abc' is not valid; expected a number in \[0, 1000000\]/);
  await page.close();
});

// index.html is the story (three demos, the first trains by itself), lab.html the laboratory.
for (const html of ['index.html', 'lab.html']) {
  test(`the first load of ${html} fits in 300 KB gzipped`, async () => {
    const page = await ctx.browser.newPage();
    const files = new Set();
    page.on('response', (r) => files.add(new URL(r.url()).pathname));
    await page.goto(new URL(html, ctx.url).href);
    await waitReady(page);
    await page.waitForTimeout(500);
    let gz = 0;
    for (const f of files) {
      const file = path.join(SITE, f === '/' ? 'index.html' : decodeURIComponent(f));
      if (fs.existsSync(file)) gz += zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
    }
    console.log(`first load of ${html}: ${files.size} files, ${(gz / 1024).toFixed(1)} KiB gzipped`);
    assert.ok(files.has('/lib/mesaflow.js'));
    assert.ok(files.has(`/${html}`));
    assert.ok(gz <= 300 * 1024, `${gz} bytes gzipped`);
    await page.close();
  });
}

for (const [name, width] of [['desktop', 1280], ['column-400', 400], ['phone-375', 375]]) {
  test(`looks right at ${width} px (screenshot ${name})`, async () => {
    const page = await openPage(ctx, 'lab.html#preset=quick&compare=true&epochs=60', { width, height: 800 });
    await waitReady(page);
    assert.match(await trainToEnd(page), /^finished: epoch 60 of 60/);
    await page.waitForTimeout(300);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `no horizontal scrolling (overflow ${overflow}px)`);
    const runs = await page.evaluate(() => document.querySelector('mesaflow-demo').shadowRoot.querySelector('#plot-ab .legend').textContent);
    assert.match(runs, /\(0\.5, 1\.5\)/, 'the three initialisations are overlaid');
    await openSettings(page);
    await screenshot(page, name);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}

// A page of the site's origin with only `html` (no stylesheet of ours), served by the test.
async function pageWith(ctx, file, html, viewport) {
  const page = await ctx.browser.newPage({ viewport });
  page.problems = [];
  page.on('console', (m) => m.type() === 'error' && page.problems.push(m.text()));
  page.on('pageerror', (e) => page.problems.push(e.message));
  const url = new URL(file, ctx.url).href;
  await page.route(url, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.goto(url);
  return page;
}

test('on a bare page with no stylesheet, the element renders its formulas in KaTeX fonts', async () => {
  const page = await pageWith(ctx, 'bare.html', '<!doctype html><meta charset="utf-8"><script type="module" src="js/element.js"></script><mesaflow-demo preset="quick" epochs="5"></mesaflow-demo>', { width: 1000, height: 800 });
  await waitReady(page);
  // The explanations are folded; open one (its module and formulas load then).
  await shadow(page, '#card-ab details.why summary').click();
  await page.waitForFunction(() => document.querySelector('mesaflow-demo').shadowRoot.querySelector('#text-ab .katex'));
  await page.evaluate(() => document.fonts.ready);
  await page.waitForFunction(() => [...document.fonts].some((f) => f.family.replace(/"/g, '') === 'KaTeX_Main' && f.status === 'loaded'), null, { timeout: 10000 });
  const r = await page.evaluate(() => ({
    links: [...document.head.querySelectorAll('link[rel="stylesheet"]')].map((l) => new URL(l.href).pathname),
    loaded: [...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family.replace(/"/g, '')),
    font: getComputedStyle(document.querySelector('mesaflow-demo').shadowRoot.querySelector('#text-ab .katex .mord')).fontFamily,
  }));
  assert.deepEqual(r.links, ['/vendor/katex/katex-fonts.css'], 'one stylesheet of our own origin added to the document');
  assert.ok(r.loaded.includes('KaTeX_Main') && r.loaded.includes('KaTeX_Math'), `loaded: ${r.loaded}`);
  assert.match(r.font, /KaTeX/);
  assert.deepEqual(page.problems, []);
  await page.close();
});

// The five lines of site/README.md's iframe snippet (lab.html shows them too, js/page.js).
const RESIZE = (origin) => `addEventListener('message', (e) => {
  if (e.origin !== '${origin}' || e.data?.type !== 'mesaflow-height') return;
  const f = [...document.querySelectorAll('iframe')].find((f) => f.contentWindow === e.source);
  if (f) f.style.height = \`\${e.data.height}px\`;
});`;

for (const width of [400, 1280]) {
  test(`the iframe snippet sizes the iframe to its content at ${width} px`, async () => {
    const origin = new URL(ctx.url).origin;
    const host = `<!doctype html><meta charset="utf-8"><body style="margin:0"><iframe src="embed.html#preset=quick&compare=true&epochs=20" title="mesaflow" width="100%" height="300" style="border:0;display:block"></iframe><script>${RESIZE(origin)}</script>`;
    const page = await pageWith(ctx, 'host.html', host, { width, height: 900 });
    const frame = await (await page.waitForSelector('iframe')).contentFrame();
    await frame.waitForFunction(() => document.querySelector('mesaflow-demo')?.theory, null, { timeout: 30000 });
    await frame.evaluate(() => document.querySelector('mesaflow-demo').play());
    await frame.waitForFunction(() => /^finished/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), null, { timeout: 60000 });
    // Once settled, the iframe is as tall as its content: nothing to scroll inside it.
    await page.waitForFunction(() => {
      const f = document.querySelector('iframe');
      const inner = f.contentDocument.body.getBoundingClientRect().height;
      return Math.abs(f.getBoundingClientRect().height - Math.ceil(inner)) <= 1 && inner > 1000;
    }, null, { timeout: 20000, polling: 200 });
    const r = await page.evaluate(() => {
      const f = document.querySelector('iframe');
      const d = f.contentDocument.documentElement;
      return { height: f.getBoundingClientRect().height, scroll: d.scrollHeight - d.clientHeight, width: f.getBoundingClientRect().width };
    });
    console.log(`iframe at ${width} px: ${Math.round(r.width)} px wide, ${r.height} px tall`);
    assert.ok(r.scroll <= 1, `no scrolling inside the iframe (${r.scroll}px)`);
    assert.deepEqual(page.problems, []);
    await page.close();
  });
}
