// Takes README.md's picture, docs/screenshot.png: the site's page in Debian's Chromium (through the
// browser tests' helpers and playwright-core), the quick preset in compare mode trained to its end,
// the top of the page at 1280 px, then reduced to a 256-colour palette with Debian's pngquant.
// Usage (after make site; apt-get install pngquant): node docs/screenshot.mjs
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setup, teardown, openPage, waitReady, trainToEnd, ROOT } from '../tests/browser/helpers.mjs';

const raw = path.join(ROOT, 'build', 'artifacts', 'screenshot-raw.png');
const out = path.join(ROOT, 'docs', 'screenshot.png');
const ctx = await setup();
try {
  const page = await openPage(ctx, 'lab.html#preset=quick&compare=true', { width: 1280, height: 1000 });
  await waitReady(page);
  console.log(await trainToEnd(page));
  await page.waitForTimeout(500);
  fs.mkdirSync(path.dirname(raw), { recursive: true });
  await page.screenshot({ path: raw });
  await page.close();
} finally {
  await teardown(ctx);
}
const q = spawnSync('pngquant', ['--force', '--quality=60-90', '--speed', '1', '--output', out, raw], { stdio: 'inherit' });
if (q.status !== 0) throw new Error('pngquant failed (apt-get install pngquant)');
console.log(`${path.relative(ROOT, out)}: ${(fs.statSync(out).size / 1024).toFixed(1)} KiB`);
