// Milliseconds per training epoch in node, SIMD build (build/wasm) against the scalar build
// (build/wasm-scalar, configured with -DMESAFLOW_WASM_SIMD=OFF), through wasm/mesaflow.js.
// Usage: node bench/wasm_epoch.mjs [--m 10000] [--d 5] [--T 100] [--epochs 5] [--warmup 4]
//                                  [--precision double|single] [--json]
// The first epochs run before V8's optimising tier has compiled the kernel: --warmup epochs are
// run first and reported on their own line, and the median is over the --epochs after them.
// --json: one JSON object instead of the text (bench/report.mjs reads it), with the process CPU
// milliseconds of each timed epoch too (what the epoch cost while it held a core).
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
    warmup: { type: 'string', default: '4' },
    precision: { type: 'string', default: 'double' },
    json: { type: 'boolean', default: false },
  },
});
const epochs = Number(values.epochs);
const warmup = Math.max(1, Number(values.warmup));
// test_m small and eval_every large, so the timed epochs are training, not evaluation
// (history rows are still taken at epoch 0 and at the last epoch).
const cfg = { d: Number(values.d), T: Number(values.T), m: Number(values.m), test_m: 8, eval_every: 1000000,
  epochs: epochs + warmup + 1, lr: 1e-4, seed: 1, precision: values.precision };

async function timeBuild(dir) {
  const { mf } = await load(dir);
  const s = mf.createSession(cfg);
  const warm = []; // the first also records epoch 0
  for (let i = 0; i < warmup; i++) {
    const t0 = performance.now();
    s.run(1);
    warm.push(performance.now() - t0);
  }
  const times = [], cpu = [];
  for (let i = 0; i < epochs; i++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    s.run(1);
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  s.delete();
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  return { median: median(times), min: Math.min(...times), cpu_median: median(cpu), warm };
}

const say = values.json ? () => {} : console.log;
say(`one epoch at d=${cfg.d} T=${cfg.T} m=${cfg.m}, precision ${cfg.precision} (median and best of ${epochs}, after ${warmup} warm-up epochs), node ${process.version}`);
const results = {};
for (const [name, dir] of [['simd', 'wasm'], ['scalar', 'wasm-scalar']]) {
  const full = path.join(ROOT, 'build', dir);
  if (!fs.existsSync(path.join(full, 'mesaflow_node.js'))) {
    say(`${name.padEnd(7)} build/${dir} not built, skipped`);
    continue;
  }
  results[name] = await timeBuild(full);
  say(`${name.padEnd(7)} ${results[name].median.toFixed(1)} ms/epoch (best ${results[name].min.toFixed(1)})  build/${dir};` +
    ` warm-up epochs ${results[name].warm.map((t) => t.toFixed(0)).join(', ')} ms`);
}
if (values.json) console.log(JSON.stringify({ node: process.version, config: cfg, epochs, warmup, ...results }));
else if (results.simd && results.scalar) {
  console.log(`speed-up of SIMD over scalar: ${(results.scalar.median / results.simd.median).toFixed(2)}x`);
}
