// Wall time for the paper's Figure 1 gaussian panel in Chromium: the gaussian-1 preset (d=5,
// T=100, m=10,000, test-m=10,000, lr 1e-4, 150 epochs, evaluation every epoch) with the three
// initialisations side by side (compare=true), from pressing play until all three runs finish.
// Usage: node bench/browser_figure1.mjs [--precision double|single] [workers...]
//   workers: a count, or auto (the page's choice: one per core when the memory budget allows);
//   default: auto. Prints the workers the page actually used. Needs build/site (make site).
import { setup, teardown, openPage, waitReady, trainToEnd } from '../tests/browser/helpers.mjs';

const args = process.argv.slice(2);
const at = args.indexOf('--precision');
const precision = at >= 0 ? args.splice(at, 2)[1] : 'double';
const counts = args.length ? args : ['auto'];
const ctx = await setup();
try {
  for (const w of counts) {
    const workers = w === 'auto' ? '' : `&workers=${w}`;
    const page = await openPage(ctx, `lab.html#preset=gaussian-1&compare=true&precision=${precision}${workers}`);
    await waitReady(page, 120000);
    const t0 = Date.now();
    const status = await trainToEnd(page, 1800000);
    const seconds = (Date.now() - t0) / 1000;
    const used = await page.evaluate(() => document.querySelector('mesaflow-demo').workers);
    console.log(`precision ${precision}, workers=${w} (used ${used}): ${seconds.toFixed(1)} s for 3 x 150 epochs  [${status.slice(0, 80)}]`);
    await page.close();
  }
} finally {
  await teardown(ctx);
}
