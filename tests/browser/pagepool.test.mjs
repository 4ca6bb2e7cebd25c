// Issue 12: many demos on one page share one pool of training workers (site/js/pool/page-pool.js).
// A blog post embeds six <mesaflow-demo> elements, two in compare mode, two large enough for the
// parallel path, and plays them all at once. Each finishes with the numbers it gets alone on a
// page of its own, bit for bit; the workers alive never outnumber the page's pool (one per core),
// the memory all demos allocate stays within the page's budget, and the demo in view goes first:
// the demos out of view that share its workers wait until it is done.
import test, { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, teardown } from './helpers.mjs';

let ctx;
before(async () => {
  ctx = await setup();
});
after(() => teardown(ctx));

// Six demos as a post would write them (attributes). The first is the one in view.
const DEMOS = [
  'preset="quick" m="3000" epochs="120"', // the parallel path (about 1e8 flops per epoch)
  'preset="quick" compare="true" epochs="60"',
  'preset="quick" compare="true" m="2000" seed="7" epochs="25"', // compare on the parallel path
  'preset="quick" method="flow" epochs="30"',
  'preset="quick" precision="single" epochs="60"',
  'preset="quick" x1="rademacher" d="4" t="16" epochs="40"',
];

// A page of the test's own (same origin as the element's files) with these demos, each in a
// section as tall as the window, so only the first is in view. Every Worker the page starts and
// terminates is counted (window.__live, window.__maxLive).
async function postWith(demos) {
  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.problems = [];
  page.on('console', (m) => m.type() === 'error' && page.problems.push(m.text()));
  page.on('pageerror', (e) => page.problems.push(e.message));
  await page.addInitScript(() => {
    const Native = window.Worker;
    window.__live = 0;
    window.__maxLive = 0;
    window.__started = 0;
    window.Worker = class extends Native {
      constructor(...args) {
        super(...args);
        window.__started++;
        window.__maxLive = Math.max(window.__maxLive, ++window.__live);
      }
      terminate() {
        window.__live--;
        super.terminate();
      }
    };
  });
  const html = `<!doctype html><meta charset="utf-8"><title>a post</title><script type="module" src="js/element.js"></script>
    ${demos.map((a, i) => `<section style="min-height:4500px"><h2>Demo ${i}</h2><mesaflow-demo id="d${i}" ${a}></mesaflow-demo></section>`).join('\n')}`;
  await page.route('**/post.html', (route) => route.fulfill({ body: html, contentType: 'text/html' }));
  await page.goto(new URL('post.html', ctx.url).href);
  await page.waitForFunction((n) => [...document.querySelectorAll('mesaflow-demo')].filter((el) => el.theory).length === n, demos.length, { timeout: 60000 });
  return page;
}

const allRuns = (page) => page.evaluate(() => [...document.querySelectorAll('mesaflow-demo')].map((el) => ({ runs: el.runs.map((r) => r.history), workers: el.workers })));
const finished = (status) => /^(finished|diverged)/.test(status);

test('six demos on one page: one pool, the visible one first, each with the numbers it gets alone', async () => {
  // Alone: each demo on a page of its own.
  const alone = [];
  for (const demo of DEMOS) {
    const page = await postWith([demo]);
    await page.evaluate(() => document.querySelector('mesaflow-demo').play());
    await page.waitForFunction(() => /^finished/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), null, { timeout: 30000, polling: 200 })
      .catch(async (e) => assert.fail(`${demo} alone: ${await page.evaluate(() => document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent)} (${e.message})`));
    alone.push((await allRuns(page))[0]);
    assert.deepEqual(page.problems, []);
    await page.close();
  }
  assert.ok(alone[0].workers >= 2 && alone[2].workers >= 2, 'the two large demos take the parallel path alone');

  // Together: every demo plays at once.
  const page = await postWith(DEMOS);
  const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency || 1));
  await page.evaluate(() => {
    window.__done = [];
    window.__samples = [];
    for (const el of document.querySelectorAll('mesaflow-demo')) {
      el.addEventListener('mesaflow-step', () => {
        if (el.runs.every((r) => r.history.epoch.at(-1) === el.config.epochs) && !window.__done.includes(el.id)) window.__done.push(el.id);
      });
      el.play();
    }
    // What the page costs, every 50 ms while they train.
    const first = document.querySelector('mesaflow-demo');
    window.__timer = setInterval(() => {
      const cost = first.pageCost;
      const demos = [...document.querySelectorAll('mesaflow-demo')];
      const statuses = demos.map((el) => el.shadowRoot.getElementById('status').textContent);
      const playing = demos.map((el) => el.shadowRoot.getElementById('play').getAttribute('aria-pressed') === 'true');
      window.__samples.push({ cost, live: window.__live, statuses, playing });
    }, 50);
  });
  await page.waitForFunction(() => window.__done.length === 6, null, { timeout: 300000, polling: 250 });
  await page.waitForFunction(() => [...document.querySelectorAll('mesaflow-demo')].every((el) => /^finished/.test(el.shadowRoot.getElementById('status').textContent)), null, { timeout: 30000 });
  const { samples, done, maxLive, started } = await page.evaluate(() => {
    clearInterval(window.__timer);
    return { samples: window.__samples, done: window.__done, maxLive: window.__maxLive, started: window.__started };
  });
  const together = await allRuns(page);

  // The numbers each gets alone, bit for bit (every run of the compare demos too).
  for (const [i, demo] of DEMOS.entries()) assert.deepEqual(together[i].runs, alone[i].runs, `demo ${i} (${demo}): the numbers it gets alone`);
  // Never more workers alive than the pool's, one per core; the memory within the page's budget.
  assert.ok(maxLive <= cores, `at most ${cores} workers alive at once (saw ${maxLive})`);
  assert.equal(started, cores, 'the pool started one worker per core and no other');
  for (const s of samples) {
    assert.ok(s.cost.workers <= s.cost.size && s.cost.size === cores);
    assert.ok(s.cost.bytes <= s.cost.budget, `${s.cost.bytes} bytes allocated, within the page's ${s.cost.budget}`);
  }
  assert.ok(samples.some((s) => s.cost.bytes > 0));
  // The demo in view first: while it trained, demos out of view that share its workers waited,
  // and said so; it finished before every demo that waited.
  const waited = new Set();
  for (const s of samples) s.statuses.forEach((t, i) => /^waiting: /.test(t) && waited.add(i));
  assert.ok(samples.some((s) => s.cost.held > 0 && s.playing[0]), 'demos out of view were held while the one in view trained');
  const heldSamples = samples.filter((s) => s.cost.held > 0).length;
  console.log(`six demos: finished in the order ${done.join(' ')}; waited: ${[...waited].join(' ')}; ${heldSamples} of ${samples.length} samples with a demo held; at most ${maxLive} workers alive of ${cores}; at most ${Math.max(...samples.map((s) => s.cost.bytes))} bytes allocated over the page (budget ${samples[0].cost.budget})`);
  assert.ok(waited.size > 0, 'a held demo says it is waiting');
  assert.ok(!waited.has(0), 'the demo in view never waits');
  for (const i of waited) assert.ok(done.indexOf('d0') < done.indexOf(`d${i}`), `the demo in view finished before demo ${i}, which waited for it (order ${done.join(' ')})`);
  assert.deepEqual(page.problems, []);

  // Scrolled into view, a demo goes first: the last one and the first (now out of view) train
  // again from epoch 0; the last never waits, the first waits for it, and both end with the
  // numbers they get alone.
  await page.evaluate(() => document.getElementById('d5').scrollIntoView());
  await page.waitForFunction(() => {
    const r = document.getElementById('d5').getBoundingClientRect();
    return r.top < innerHeight && r.bottom > 0;
  });
  await page.waitForTimeout(200); // the IntersectionObserver's report
  const again = await page.evaluate(async () => {
    const demos = [document.getElementById('d0'), document.getElementById('d5')];
    const order = [];
    const seen = demos.map(() => new Set());
    for (const el of demos) {
      el.reset();
      el.play();
    }
    await new Promise((resolve) => {
      const timer = setInterval(() => {
        demos.forEach((el, i) => {
          const status = el.shadowRoot.getElementById('status').textContent;
          seen[i].add(status.split(':')[0]);
          if (/^finished/.test(status) && el.epoch === el.config.epochs && !order.includes(el.id)) order.push(el.id);
        });
        if (order.length === 2) resolve(clearInterval(timer));
      }, 50);
    });
    return { order, seen: seen.map((s) => [...s]), runs: demos.map((el) => el.runs.map((r) => r.history)) };
  });
  assert.deepEqual(again.order, ['d5', 'd0'], 'the demo in view finished first');
  assert.ok(again.seen[0].includes('waiting'), `the demo out of view waited (${again.seen[0]})`);
  assert.ok(!again.seen[1].includes('waiting'), `the demo in view never waited (${again.seen[1]})`);
  assert.deepEqual(again.runs[0], alone[0].runs);
  assert.deepEqual(again.runs[1], alone[5].runs);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('the memory budget is the page\'s: a demo that does not fit beside the others is refused, and fits once they leave', async () => {
  const A = 'x1="gaussian" d="5" t="100" m="50000" test-m="50000" epochs="1"'; // about 765 MiB
  const B = 'x1="gaussian" d="5" t="100" m="60000" test-m="60000" epochs="1"'; // about 917 MiB: alone it fits in one demo's 1 GiB
  const page = await postWith([A]);
  const cost = await page.evaluate(() => document.querySelector('mesaflow-demo').pageCost);
  assert.ok(cost.bytes > 700 * 2 ** 20 && cost.bytes < 800 * 2 ** 20, `demo A holds ${cost.bytes} bytes`);
  await page.evaluate((attrs) => {
    document.body.insertAdjacentHTML('beforeend', `<mesaflow-demo id="b" ${attrs}></mesaflow-demo>`);
  }, B);
  const alert = (id) => page.evaluate((i) => document.getElementById(i).shadowRoot.getElementById('alert').textContent, id);
  await page.waitForFunction(() => /other demos of this page hold/.test(document.getElementById('b').shadowRoot.getElementById('alert').textContent), null, { timeout: 60000 });
  const mib = Math.round(cost.bytes / 2 ** 20);
  const left = Math.round((cost.budget - cost.bytes) / 2 ** 20);
  const m = (await alert('b')).match(/^Not started: m, test-m, T, d: this setting needs about (\d+) MiB, more than the budget of (\d+) MiB in this browser \(the other demos of this page hold (\d+) MiB\); reduce m, test-m or T$/);
  assert.ok(m, await alert('b'));
  assert.ok(Number(m[1]) > 900 && Number(m[1]) < 950, `B needs ${m[1]} MiB`);
  assert.deepEqual([Number(m[2]), Number(m[3])], [left, mib], 'what A leaves of the page\'s budget, and what A holds');
  assert.equal(await page.evaluate(() => document.getElementById('b').theory), null);
  // Demo A leaves the page: its memory is the page's again, and B starts.
  await page.evaluate(() => {
    document.getElementById('d0').remove();
    document.getElementById('b').reset();
  });
  await page.waitForFunction(() => document.getElementById('b').theory, null, { timeout: 60000 });
  const after = await page.evaluate(() => document.getElementById('b').pageCost);
  assert.ok(after.bytes > 900 * 2 ** 20 && after.bytes < 950 * 2 ** 20, `only B's ${after.bytes} bytes are counted`);
  assert.deepEqual(page.problems, []);
  await page.close();
});
