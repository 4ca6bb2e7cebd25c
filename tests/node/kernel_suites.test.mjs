// The kernel, gradient and precision GoogleTest suites (tests/native/test_{kernel,gradient,precision}.cpp)
// compiled to WebAssembly (tests/CMakeLists.txt, the build/wasm build) and run under node: the code
// the page runs, held to the O(T^2) formula, the reference gradient and finite differences
// directly, at every d with an unrolled kernel in the WebAssembly build and on the generic one.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT } from './helpers.mjs';

for (const name of ['kernel', 'gradient', 'precision']) {
  test(`the ${name} suite passes in WebAssembly`, () => {
    const js = path.join(ROOT, 'build', 'wasm', 'tests', `test_${name}.js`);
    assert.ok(fs.existsSync(js), `${js} not found: build the WebAssembly module first (make wasm)`);
    const r = spawnSync(process.execPath, [js, '--gtest_brief=1'], { encoding: 'utf8', timeout: 900000 });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.equal(r.status, 0, out);
    const passed = out.match(/\[  PASSED  \] (\d+) tests?/);
    assert.ok(passed && Number(passed[1]) > 0, out);
    assert.doesNotMatch(out, /\[  FAILED  \]/, out);
  });
}
