// Milliseconds per training epoch in node, SIMD build (build/wasm) against the scalar build
// (build/wasm-scalar, configured with -DMESAFLOW_WASM_SIMD=OFF), through wasm/mesaflow.js.
// Usage: node bench/wasm_epoch.mjs [--m 10000] [--d 5] [--T 100] [--epochs 5]
import path from 'node:path';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { load, ROOT } from '../tests/node/helpers.mjs';

const { values } = parseArgs({
  options: {
    d: { type: 'string', default: '5' },
    T: { type: 'string', default: '100' },
    m: { type: 'string', default: '10000' },
    epochs: { type: 'string', default: '5' },
  },
});
const epochs = Number(values.epochs);
// test_m small and eval_every large, so the timed epochs are training, not evaluation
// (history rows are still taken at epoch 0 and at the last epoch).
const cfg = { d: Number(values.d), T: Number(values.T), m: Number(values.m), test_m: 8, eval_every: 1000000,
  epochs: epochs + 2, lr: 1e-4, seed: 1 };

async function timeBuild(dir) {
  const { mf } = await load(dir);
  const s = mf.createSession(cfg);
  s.run(1); // warm-up: the first epoch also records epoch 0
  const times = [];
  for (let i = 0; i < epochs; i++) {
    const t0 = performance.now();
    s.run(1);
    times.push(performance.now() - t0);
  }
  s.delete();
  times.sort((a, b) => a - b);
  return { median: times[times.length >> 1], min: times[0] };
}

console.log(`one epoch at d=${cfg.d} T=${cfg.T} m=${cfg.m} (median and best of ${epochs}), node ${process.version}`);
const results = {};
for (const [name, dir] of [['simd', 'wasm'], ['scalar', 'wasm-scalar']]) {
  const full = path.join(ROOT, 'build', dir);
  if (!fs.existsSync(path.join(full, 'mesaflow_node.js'))) {
    console.log(`${name.padEnd(7)} build/${dir} not built, skipped`);
    continue;
  }
  results[name] = await timeBuild(full);
  console.log(`${name.padEnd(7)} ${results[name].median.toFixed(1)} ms/epoch (best ${results[name].min.toFixed(1)})  build/${dir}`);
}
if (results.simd && results.scalar) {
  console.log(`speed-up of SIMD over scalar: ${(results.scalar.median / results.simd.median).toFixed(2)}x`);
}
