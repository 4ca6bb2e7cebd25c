// Loads wasm/mesaflow.js (the wrapper the site ships) over the CommonJS node build of the
// module, so the tests exercise the same wrapper code as the browser.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

// The history columns of a history (the CLI's JSON, s.history(), el.history): every key holding
// one number per evaluation, taken from the data so that a new column is compared too.
export function historyColumns(h) {
  const n = h.epoch.length;
  const isColumn = (v) => (Array.isArray(v) || ArrayBuffer.isView(v)) && v.length === n && Array.from(v).every((x) => x === null || typeof x === 'number');
  return Object.keys(h).filter((k) => isColumn(h[k])).sort();
}

// [name, a's column, b's column] for every column of b's history (a must have the same columns):
// what expectSame and the like compare.
export function historyPairs(a, b, prefix = 'history') {
  const cols = historyColumns(b);
  if (JSON.stringify(historyColumns(a)) !== JSON.stringify(cols)) throw new Error(`${prefix}: columns ${historyColumns(a)} against ${cols}`);
  if (cols.length < 11) throw new Error(`${prefix}: only ${cols.length} columns (${cols})`);
  return cols.map((k) => [`${prefix}.${k}`, a[k], b[k]]);
}
