// The page's KaTeX stylesheet is pruned at build time (site/build.mjs pruneKatexCss: the rules that
// no rendered formula can match are dropped). Every formula of the story and the laboratory must
// look the same with KaTeX's whole stylesheet: each one's pixels, compared with the page served
// with node_modules' katex.min.css in place of the pruned one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setup, teardown, ROOT } from './helpers.mjs';

let ctx;
before(async () => { ctx = await setup(); });
after(async () => teardown(ctx));

// The whole stylesheet as the build reads it (woff2 only, as the build ships).
const whole = fs.readFileSync(path.join(ROOT, 'node_modules', 'katex', 'dist', 'katex.min.css'), 'utf8')
  .replace(/,url\(fonts\/[^)]+\.woff\) format\("woff"\)/g, '')
  .replace(/,url\(fonts\/[^)]+\.ttf\) format\("truetype"\)/g, '');

async function formulas(html, full) {
  const page = await ctx.browser.newPage({ viewport: { width: 1100, height: 900 } });
  if (full) await page.route('**/vendor/katex/katex.min.css', (r) => r.fulfill({ contentType: 'text/css', body: whole }));
  await page.goto(new URL(html, ctx.url).href);
  await page.evaluate(() => document.fonts.ready);
  const shots = [];
  for (const el of await page.$$('.katex')) if (await el.isVisible()) shots.push(await el.screenshot());
  await page.close();
  return shots;
}

for (const html of ['index.html', 'lab.html']) {
  test(`${html}: every formula looks the same with the pruned KaTeX stylesheet as with the whole one`, async () => {
    const pruned = await formulas(html, false);
    const full = await formulas(html, true);
    assert.ok(pruned.length >= 5, `${pruned.length} formulas`);
    assert.equal(pruned.length, full.length);
    pruned.forEach((png, i) => assert.ok(png.equals(full[i]), `formula ${i + 1} of ${pruned.length} differs`));
  });
}
