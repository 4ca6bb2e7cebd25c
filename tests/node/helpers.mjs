// Loads wasm/mesaflow.js (the wrapper the site ships) over the CommonJS node build of the
// module, so the tests exercise the same wrapper code as the browser.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);

// buildDir: build/wasm (SIMD) or build/wasm-scalar. Returns {mf, raw}: the API object and the
// raw Emscripten module (for heap checks).
export async function load(buildDir = path.join(ROOT, 'build', 'wasm')) {
  const nodeBuild = path.join(buildDir, 'mesaflow_node.js');
  if (!fs.existsSync(nodeBuild)) throw new Error(`${nodeBuild} not found: build the WebAssembly module first`);
  // mesaflow.js imports ./mesaflow_core.js statically, as in the deployed site: stage both.
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-'));
  fs.copyFileSync(path.join(ROOT, 'wasm', 'mesaflow.js'), path.join(stage, 'mesaflow.js'));
  fs.copyFileSync(path.join(buildDir, 'mesaflow_core.js'), path.join(stage, 'mesaflow_core.js'));
  const { loadMesaflow } = await import(pathToFileURL(path.join(stage, 'mesaflow.js')).href);
  const factory = require(nodeBuild);
  let raw = null;
  const mf = await loadMesaflow({ factory: (opts) => factory(opts).then((m) => (raw = m)) });
  fs.rmSync(stage, { recursive: true, force: true });
  return { mf, raw };
}

export function heapBytes(raw) {
  return raw.HEAP8.buffer.byteLength;
}

export const finite = (a) => Array.from(a).every(Number.isFinite);

// The history columns, as the core lists them (History::columns), from the page's generated
// js/model/core-tables.js (site/core-tables.mjs; written here from the node build when it is
// missing or older than the build), so a test compares every column the core records, a new one too.
const TABLES = path.join(ROOT, 'build', 'site', 'js', 'model', 'core-tables.js');
const NODE_BUILD = path.join(ROOT, 'build', 'wasm', 'mesaflow_node.js');
async function coreTables() {
  const stale = !fs.existsSync(TABLES) || (fs.existsSync(NODE_BUILD) && fs.statSync(NODE_BUILD).mtimeMs > fs.statSync(TABLES).mtimeMs);
  if (stale && fs.existsSync(NODE_BUILD)) {
    const { writeCoreTables } = await import(pathToFileURL(path.join(ROOT, 'site', 'core-tables.mjs')).href);
    await writeCoreTables(NODE_BUILD, TABLES);
  }
  return import(pathToFileURL(TABLES).href);
}
export const TABLES_FILE = TABLES;
export const { HISTORY_COLUMNS } = await coreTables();

// The generated columns, every one of which h (the CLI's JSON, s.history(), el.history) must hold
// with one number (or null) per evaluation; throws naming a missing one, or a column of numbers
// in h the core does not list.
export function historyColumns(h) {
  const n = h.epoch.length;
  const isColumn = (v) => (Array.isArray(v) || ArrayBuffer.isView(v)) && v.length === n && Array.from(v).every((x) => x === null || typeof x === 'number');
  for (const k of HISTORY_COLUMNS) if (!isColumn(h[k])) throw new Error(`history: column ${k} missing or not ${n} numbers`);
  const extra = Object.keys(h).filter((k) => !HISTORY_COLUMNS.includes(k) && isColumn(h[k]));
  if (extra.length) throw new Error(`history: columns ${extra} are not in the core's History::columns`);
  return [...HISTORY_COLUMNS];
}

// [name, a's column, b's column] for every column of b's history (a must have the same columns):
// what expectSame and the like compare.
export function historyPairs(a, b, prefix = 'history') {
  historyColumns(a);
  return historyColumns(b).map((k) => [`${prefix}.${k}`, a[k], b[k]]);
}

// The native CLI (make native), or MESAFLOW_CLI.
export const CLI = process.env.MESAFLOW_CLI || path.join(ROOT, 'build', 'native', 'core', 'cli', 'mesaflow');

// The native CLI's train document for args (one thread, as the wasm build runs).
export function runCli(args) {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-')), 'run.json');
  execFileSync(CLI, ['train', ...args, '--threads', '1', '--quiet', '--out', out]);
  const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return doc;
}
