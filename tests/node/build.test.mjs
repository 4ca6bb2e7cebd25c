// Properties of the browser build (build/wasm/mesaflow_core.js + .wasm) that the site relies on.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers.mjs';

const dir = path.join(ROOT, 'build', 'wasm');
const js = fs.readFileSync(path.join(dir, 'mesaflow_core.js'), 'utf8');

test('the ES module exports the factory createMesaflowCore and finds its wasm beside it', () => {
  assert.match(js, /export default createMesaflowCore;/);
  assert.match(js, /import\.meta\.url/);
  assert.ok(fs.statSync(path.join(dir, 'mesaflow_core.wasm')).size > 0);
});

test("no eval or new Function: the page's CSP allows only 'wasm-unsafe-eval'", () => {
  assert.doesNotMatch(js, /new Function\s*\(/);
  assert.doesNotMatch(js, /[^.\w]eval\s*\(/);
});

test('the wasm uses 128-bit SIMD (prefix 0xfd opcodes are present in the code section)', () => {
  const bytes = fs.readFileSync(path.join(dir, 'mesaflow_core.wasm'));
  assert.ok(WebAssembly.validate(bytes));
  // f64x2.add is 0xfd 0xf0 0x01 (LEB128 240); count occurrences as a coarse check.
  let n = 0;
  for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0xfd && bytes[i + 1] === 0xf0 && bytes[i + 2] === 0x01) n++;
  assert.ok(n > 10, `only ${n} f64x2.add found`);
});
