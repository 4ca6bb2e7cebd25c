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
