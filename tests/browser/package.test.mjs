// The npm package (make package): its tarball installed into an empty folder by `npm install`
// (offline: it has no dependencies), a page that imports the element from node_modules/mesaflow/
// trains, within the first-load budget; the same files on another origin (with CORS headers, under
// the Content-Security-Policy the package's README gives) train to the same numbers bit for bit;
// a host without CORS headers, or a CSP without blob: workers or without 'wasm-unsafe-eval', gets
// a message that says so. And one version: mesaflow --version, the JSON documents, mf.version,
// el.version, the page's footer and the package.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { setup, teardown, ROOT } from './helpers.mjs';
import { startServer } from '../../site/serve.mjs';
import { load } from '../node/helpers.mjs';

const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
const TGZ = path.join(ROOT, 'build', 'package', `mesaflow-${VERSION}.tgz`);
const CLI = path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow');
const CONFIG = 'preset="quick" epochs="40"';

let ctx, dir, pkg, same, files, want;
const servers = [];
// The installed package's files on another origin; cors(rel): whether a file gets the header.
async function packageHost(cors) {
  const s = await startServer({ root: pkg, headers: (rel) => (cors(rel) ? { 'Access-Control-Allow-Origin': '*' } : {}) });
  servers.push(s);
  return s.url.replace('localhost', '127.0.0.1'); // another origin than the pages' (localhost)
}

// A host page (served by the test on the page server) that loads the element from `base`.
// inner: the element's own content (shown by the browser until the element is defined).
async function hostPage(name, base, csp, attrs = CONFIG, inner = '') {
  const html = `<!doctype html><meta charset="utf-8">${csp ? `<meta http-equiv="Content-Security-Policy" content="${csp}">` : ''}` +
    `<script type="module" src="${base}js/element.js"></script><mesaflow-demo ${attrs}>${inner}</mesaflow-demo>`;
  fs.writeFileSync(path.join(dir, name), html);
  const page = await ctx.browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.problems = [];
  page.on('console', (m) => m.type() === 'error' && page.problems.push(m.text()));
  page.on('pageerror', (e) => page.problems.push(e.message));
  page.loaded = new Set();
  page.on('response', (r) => page.loaded.add(r.url()));
  await page.addInitScript(() => document.addEventListener('mesaflow-fault', (e) => (window.__faults ??= []).push(e.detail)));
  await page.goto(`${same.url}${name}`);
  return page;
}

const el = (page, f) => page.evaluate(f);
async function trainToEnd(page) {
  await page.waitForFunction(() => document.querySelector('mesaflow-demo')?.theory, null, { timeout: 30000 });
  await el(page, () => document.querySelector('mesaflow-demo').play());
  await page.waitForFunction(() => /^finished/.test(document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), null, { timeout: 60000 });
  return el(page, () => document.querySelector('mesaflow-demo').history);
}
// The message of a blocked element (mesaflow-fault, blocked) and what its fault box shows.
async function blocked(page) {
  await page.waitForFunction(() => !document.querySelector('mesaflow-demo')?.shadowRoot.getElementById('fault').hidden, null, { timeout: 20000 });
  return el(page, () => document.querySelector('mesaflow-demo').shadowRoot.getElementById('fault-text').textContent);
}

before(async () => {
  assert.ok(fs.existsSync(TGZ), `${TGZ} is missing: run "make package" first`);
  ctx = await setup();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-host-'));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', TGZ], { cwd: dir, stdio: 'pipe' });
  pkg = path.join(dir, 'node_modules', 'mesaflow');
  files = execFileSync('tar', ['tzf', TGZ], { encoding: 'utf8' }).trim().split('\n').map((f) => f.replace(/^package\//, ''));
  same = await startServer({ root: dir });
  servers.push(same);
});
after(async () => {
  for (const s of servers) await s.close();
  await teardown(ctx);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the tarball installs into an empty folder offline: no dependencies, the element, the JS API, types, README', () => {
  const size = fs.statSync(TGZ).size;
  console.log(`${path.relative(ROOT, TGZ)}: ${(size / 1024).toFixed(1)} KiB, ${files.length} files:\n  ${files.join('\n  ')}`);
  const meta = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8'));
  assert.equal(meta.name, 'mesaflow');
  assert.equal(meta.version, VERSION);
  assert.equal(meta.dependencies, undefined);
  assert.deepEqual(Object.keys(meta.exports), ['.', './element', './api', './package.json']);
  assert.equal(meta.exports['.'].default, './js/element.js');
  assert.equal(meta.exports['./api'].default, './lib/mesaflow.js');
  for (const f of [meta.types, meta.exports['./api'].types, ...Object.values(meta.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e)))]) {
    assert.ok(fs.existsSync(path.join(pkg, f)), `${f} is installed`);
  }
  for (const f of ['js/worker/pool-worker.js', 'js/pool/page-pool.js', 'js/worker/trainer.js', 'js/worker/shard-service.js', 'js/worker/capability-measurer.js', 'js/pool/host.js', 'lib/mesaflow_core.wasm', 'lib/mesaflow_core.js',
    'css/demo.css', 'vendor/uPlot.esm.js', 'vendor/katex/katex-fonts.css', 'vendor/katex/fonts/KaTeX_Main-Regular.woff2', 'README.md']) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  assert.ok(!files.some((f) => /(^|\/)(page|embed|urlsync)\.js$|\.html$|\.tgz$/.test(f)), 'nothing of the site only');
  const readme = fs.readFileSync(path.join(pkg, 'README.md'), 'utf8');
  for (const part of ['npm install', `mesaflow@${VERSION}/js/element.js`, "worker-src blob:", "'wasm-unsafe-eval'", 'Access-Control-Allow-Origin', '| `sigma-w` |', 'mesaflow-fault']) {
    assert.ok(readme.includes(part), `README: ${part}`);
  }
  assert.match(fs.readFileSync(path.join(pkg, 'mesaflow-demo.d.ts'), 'utf8'), /'mesaflow-demo': MesaflowDemoElement/);
});

test('a page that imports the element from node_modules/mesaflow/ trains, within 300 KiB gzipped at first load', async () => {
  const page = await hostPage('same.html', './node_modules/mesaflow/',
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'self'; font-src 'self'");
  want = await trainToEnd(page);
  assert.equal(want.epoch.length, 41);
  assert.equal(await el(page, () => document.querySelector('mesaflow-demo').version), VERSION);
  let gz = 0;
  for (const u of page.loaded) {
    const f = path.join(dir, decodeURIComponent(new URL(u).pathname));
    if (fs.existsSync(f)) gz += zlib.gzipSync(fs.readFileSync(f), { level: 9 }).length;
  }
  console.log(`first load of a page with the packaged element: ${page.loaded.size} files, ${(gz / 1024).toFixed(1)} KiB gzipped`);
  assert.ok(gz <= 300 * 1024, `${gz} bytes gzipped`);
  assert.deepEqual(page.problems, []);
  await page.close();
});

test('from another origin with CORS headers, under the README\'s CSP, the same history bit for bit (also on two sub-workers)', async () => {
  const base = await packageHost(() => true);
  const origin = new URL(base).origin;
  const csp = `default-src 'none'; script-src ${origin} 'wasm-unsafe-eval'; worker-src blob:; connect-src ${origin}; style-src ${origin}; font-src ${origin}`;
  for (const workers of ['1', '2']) {
    const page = await hostPage(`cross-${workers}.html`, base, csp, `${CONFIG} workers="${workers}"`);
    const got = await trainToEnd(page);
    assert.deepEqual(got, want, `workers=${workers}: the same numbers as the same-origin page`);
    const r = await el(page, () => ({ workers: document.querySelector('mesaflow-demo').workers, version: document.querySelector('mesaflow-demo').version }));
    assert.deepEqual(r, { workers: Number(workers), version: VERSION });
    assert.ok(page.workers().length >= 1 && page.workers().every((w) => w.url().startsWith('blob:')), 'workers started from blob: bootstraps');
    assert.ok([...page.loaded].some((u) => u.endsWith('/lib/mesaflow_core.wasm') && u.startsWith(origin)), 'the wasm came from the other origin');
    assert.deepEqual(page.problems, []);
    await page.close();
  }
});

test('a host that sends no CORS header for the workers\' files, or for the wasm: the element says so and what to do', async () => {
  for (const [what, file] of [['lib/', 'lib/mesaflow.js'], ['.wasm', 'lib/mesaflow_core.wasm']]) {
    const base = await packageHost((rel) => !rel.includes(what));
    const page = await hostPage('nocors.html', base, '');
    const text = await blocked(page);
    assert.equal(text, `The demo’s files are served without CORS headers: ${base}${file} came without Access-Control-Allow-Origin, so this page ` +
      `(${new URL(same.url).origin}) may not load it into a worker. Serve the demo’s files with the header Access-Control-Allow-Origin: * ` +
      '(as package CDNs do), or serve them from this page’s own origin.', what);
    assert.match(await el(page, () => document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), /^Not started/);
    await page.close();
  }
});

test('a host where a file of the element is missing (404): the wasm, the worker\'s script, the JS API; the element names it and what to do', async () => {
  for (const file of ['lib/mesaflow_core.wasm', 'js/worker/pool-worker.js', 'lib/mesaflow.js']) {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-missing-'));
    fs.cpSync(pkg, copy, { recursive: true });
    fs.rmSync(path.join(copy, file));
    const s = await startServer({ root: copy, headers: () => ({ 'Access-Control-Allow-Origin': '*' }) });
    servers.push(s);
    const base = s.url.replace('localhost', '127.0.0.1');
    const page = await hostPage('missing.html', base, '');
    const text = await blocked(page);
    assert.equal(text, `${base}${file} could not be loaded: the host answered 404 Not Found. The demo loads its files from the folder of its ` +
      'js/element.js: serve every file of the package there, in its own folders (js/, lib/, css/, vendor/).', file);
    assert.match(await el(page, () => document.querySelector('mesaflow-demo').shadowRoot.getElementById('status').textContent), /^Not started/, file);
    // Inside the element, where the demo would be.
    assert.equal(await el(page, () => document.querySelector('mesaflow-demo').shadowRoot.getElementById('fault').checkVisibility()), true, file);
    await page.close();
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

test('js/element.js itself cannot be loaded (no CORS header, or 404): the fallback text the README gives stays inside the element; once it loads, it goes', async () => {
  const FALLBACK = 'The mesaflow demo did not load: its script js/element.js could not be fetched (see the browser console).';
  const inner = `<p>${FALLBACK}</p>`;
  for (const [what, cors] of [['no CORS', (rel) => !rel.startsWith('/js/')], ['404', () => true]]) {
    const s = await packageHost(cors);
    const base = what === '404' ? `${s}missing/` : s;
    const page = await hostPage('fallback.html', base, '', CONFIG, inner);
    await page.waitForLoadState('load');
    await page.waitForTimeout(500);
    assert.equal(await el(page, () => customElements.get('mesaflow-demo')), undefined, `${what}: the element is not defined`);
    assert.equal(await page.getByText(FALLBACK).isVisible(), true, what);
    await page.close();
  }
  const page = await hostPage('fallback.html', await packageHost(() => true), '', CONFIG, inner);
  await page.waitForFunction(() => document.querySelector('mesaflow-demo')?.theory, null, { timeout: 30000 });
  assert.equal(await page.getByText(FALLBACK).isVisible(), false, 'the element shows its own content instead');
  await page.close();
});

test('a page whose CSP forbids blob: workers, or WebAssembly: the element says which and what to do', async () => {
  const base = await packageHost(() => true);
  const origin = new URL(base).origin;
  const common = `default-src 'none'; connect-src ${origin}; style-src ${origin}; font-src ${origin}`;
  const cases = [
    [`${common}; script-src ${origin} 'wasm-unsafe-eval'; worker-src 'self'`, /^This page’s Content-Security-Policy does not allow the demo’s workers: .* e\.g\. worker-src blob:\.$/],
    [`${common}; script-src ${origin}; worker-src blob:`, /^This page’s Content-Security-Policy does not allow WebAssembly: add 'wasm-unsafe-eval' to script-src/],
  ];
  for (const [csp, message] of cases) {
    const page = await hostPage('csp.html', base, csp);
    const text = await blocked(page);
    assert.match(text, message);
    assert.deepEqual(await el(page, () => window.__faults), [{ message: text, epoch: 0, resumable: false, blocked: true }]);
    assert.equal(await el(page, () => document.querySelector('mesaflow-demo').shadowRoot.getElementById('restart').hidden), true, 'no Restart offered: it would fail the same way');
    await page.close();
  }
});

test('one version: mesaflow --version, the JSON documents, mf.version, el.version on the site and in the package, the footer', async () => {
  const [first, kernel] = execFileSync(CLI, ['--version'], { encoding: 'utf8' }).trim().split('\n');
  assert.equal(first, `mesaflow ${VERSION}`);
  assert.match(kernel, /^kernel (sse2|avx2|avx512|neon|generic) \(\d+-byte vectors; built: /, 'the second line names the kernel (issue 21)');
  const out = path.join(dir, 'run.json');
  execFileSync(CLI, ['train', '--d', '2', '--T', '5', '--m', '20', '--test-m', '10', '--epochs', '1', '--quiet', '--out', out], { stdio: 'ignore' });
  assert.equal(JSON.parse(fs.readFileSync(out, 'utf8')).mesaflow, VERSION);
  assert.equal(JSON.parse(execFileSync(CLI, ['theory', '--d', '2'], { encoding: 'utf8' })).mesaflow, VERSION);
  assert.equal((await load()).mf.version, VERSION);
  const page = await ctx.browser.newPage();
  await page.goto(`${ctx.url}lab.html#preset=quick&epochs=1`);
  await page.waitForFunction(() => document.querySelector('mesaflow-demo')?.theory, null, { timeout: 30000 });
  const r = await el(page, async () => {
    const { loadMesaflow } = await import('./lib/mesaflow.js');
    const { historyJSON } = await import('./js/views/export.js');
    const d = document.querySelector('mesaflow-demo');
    return { el: d.version, mf: (await loadMesaflow()).version, footer: document.getElementById('version').textContent, exported: JSON.parse(historyJSON(d.config, [])).mesaflow };
  });
  assert.deepEqual(r, { el: VERSION, mf: VERSION, footer: `mesaflow ${VERSION}`, exported: VERSION });
  await page.close();
  assert.equal(JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')).version, VERSION);
  assert.match(fs.readFileSync(path.join(pkg, 'js', 'version.js'), 'utf8'), new RegExp(`VERSION = "${VERSION.replace(/\./g, '\\.')}"`));
});
