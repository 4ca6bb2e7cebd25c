// The layout of site/js (issue 18): every module says on its first line which thread it runs on;
// the imports between modules (static, dynamic, and the workers started by URL) form no circle;
// each folder imports only what its thread may load (a module of model/ runs anywhere, so it
// imports only model/ and the build's generated tables; worker/ never loads the page's modules);
// and node imports every module of model/ (no DOM there). Reads site/js, and build/site/js for
// the generated tables (runs `node site/build.mjs` first if needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ROOT } from './helpers.mjs';

const SRC = path.join(ROOT, 'site', 'js');
const BUILT = path.join(ROOT, 'build', 'site', 'js');
const GENERATED = ['fields.js', 'version.js', 'formulas.js', 'model/core-tables.js']; // written by site/build.mjs
const modules = fs.readdirSync(SRC, { recursive: true }).filter((f) => f.endsWith('.js')).map((f) => f.split(path.sep).join('/')).sort();

// The modules a module loads: import ... from, import(), and new URL(..., import.meta.url) of a .js.
function imports(file) {
  // Without comments: a JSDoc type names a declaration file, not a module the browser loads.
  const text = fs.readFileSync(path.join(SRC, file), 'utf8').replace(/\/\*[^]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specs = [
    ...text.matchAll(/(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]/g),
    ...text.matchAll(/import\s*\(?\s*['"](\.[^'"]+)['"]/g),
    ...text.matchAll(/new URL\(\s*['"](\.[^'"]+\.js)['"]\s*,\s*import\.meta\.url\)/g),
  ].map((m) => m[1]);
  return [...new Set(specs)].map((s) => path.posix.normalize(path.posix.join(path.posix.dirname(file), s)))
    .filter((f) => !f.startsWith('../')); // ../lib, ../vendor: the wasm wrapper and uPlot
}
const graph = new Map(modules.map((m) => [m, imports(m)]));

test('every import of site/js names a module that exists (or one the build generates)', () => {
  for (const [m, deps] of graph) for (const d of deps) assert.ok(graph.has(d) || GENERATED.includes(d), `${m} imports ${d}, which is not in site/js`);
});

test('the imports of site/js form no circle', () => {
  const state = new Map(); // module -> 'open' while on the path, 'done' after
  const walk = (m, trail) => {
    if (state.get(m) === 'done' || !graph.has(m)) return;
    if (state.get(m) === 'open') assert.fail(`import circle: ${[...trail.slice(trail.indexOf(m)), m].join(' -> ')}`);
    state.set(m, 'open');
    for (const d of graph.get(m)) walk(d, [...trail, m]);
    state.set(m, 'done');
  };
  for (const m of modules) walk(m, []);
  assert.ok(modules.length > 30, `found ${modules.length} modules`);
});

test('the walk finds a circle where there is one', () => {
  // The same walk over a graph with a circle a -> b -> c -> a: what the test above would report.
  const g = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
  const state = new Map();
  let found = null;
  const walk = (m, trail) => {
    if (found || state.get(m) === 'done') return;
    if (state.get(m) === 'open') return void (found = [...trail.slice(trail.indexOf(m)), m]);
    state.set(m, 'open');
    for (const d of g.get(m)) walk(d, [...trail, m]);
    state.set(m, 'done');
  };
  walk('d', []);
  assert.deepEqual(found, ['a', 'b', 'c', 'a']);
});

test('every module says on its first line which thread it runs on', () => {
  for (const m of modules) {
    const first = fs.readFileSync(path.join(SRC, m), 'utf8').split('\n')[0];
    assert.match(first, /^\/\/ (Main thread|Pool worker|Any thread)\b/, `${m}: ${first}`);
    const folder = m.includes('/') ? m.split('/')[0] : '';
    if (folder === 'worker') assert.match(first, /^\/\/ Pool worker/, m);
    if (folder === 'model') assert.match(first, /^\/\/ Any thread, no DOM/, m);
    if (['element', 'views', 'pool'].includes(folder)) assert.match(first, /^\/\/ Main thread/, m);
  }
});

test('each folder imports only what its thread may load', () => {
  const folderOf = (f) => (f.includes('/') ? f.split('/')[0] : '');
  const allowed = {
    model: (d) => folderOf(d) === 'model' || GENERATED.includes(d),
    // A pool worker loads the model and the host diagnostics (wasmProblem), never the page's modules.
    worker: (d) => ['model', 'worker'].includes(folderOf(d)) || d === 'pool/host.js',
    pool: (d) => ['model', 'pool', 'worker'].includes(folderOf(d)), // worker/: started by URL
    views: (d) => ['model', 'views'].includes(folderOf(d)) || GENERATED.includes(d),
  };
  for (const [m, deps] of graph) {
    const ok = allowed[folderOf(m)];
    if (!ok) continue;
    for (const d of deps) assert.ok(ok(d), `${m} (${folderOf(m)}/) imports ${d}`);
  }
});

test('node loads every module of model/ (no DOM there)', async () => {
  if (!fs.existsSync(path.join(BUILT, 'fields.js'))) execFileSync(process.execPath, [path.join(ROOT, 'site', 'build.mjs')], { stdio: 'ignore' });
  const model = modules.filter((m) => m.startsWith('model/'));
  assert.ok(model.length >= 6);
  for (const m of model) {
    const src = fs.readFileSync(path.join(SRC, m), 'utf8');
    assert.doesNotMatch(src.replace(/\/\/.*$/gm, ''), /\b(document|window|HTMLElement|customElements)\b/, `${m} names the DOM`);
    const loaded = await import(pathToFileURL(path.join(BUILT, m)).href);
    assert.ok(Object.keys(loaded).length > 0, `${m} exports nothing`);
  }
});
