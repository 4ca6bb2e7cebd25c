// Does this machine's speed drift? Trains paper-setting epochs in WebAssembly (one node process,
// on core 0) and, at the same time, repeats the native epoch benchmark (one thread, on core 1),
// for --seconds; prints both per window of --window seconds. Same code throughout, so a change
// in either column is the machine, not the build: read the WebAssembly and browser figures of
// the README against it.
// Usage: node bench/speed_drift.mjs [--seconds 120] [--window 10] [--precision double|single]
// Needs build/wasm (make wasm) and build/native (make native); taskset (util-linux) pins the two.
import path from 'node:path';
import fs from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '120' },
    window: { type: 'string', default: '10' },
    precision: { type: 'string', default: 'double' },
    child: { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);
const HERE = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(HERE), '..');

// The WebAssembly side: one session, one epoch at a time, each printed as "<unix ms> <ms>".
async function child() {
  const { load } = await import('../tests/node/helpers.mjs');
  const { mf } = await load(path.join(ROOT, 'build', 'wasm'));
  const s = mf.createSession({ d: 5, T: 100, m: 10000, test_m: 8, eval_every: 1000000, epochs: 2000,
    lr: 1e-6, seed: 1, precision: values.precision });
  s.run(2); // before V8's optimising tier, not counted
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end && s.epoch < 1990) {
    const t0 = performance.now();
    s.run(1);
    console.log(`${Date.now()} ${performance.now() - t0}`);
  }
  s.delete();
}

const HAS_TASKSET = spawnSync('taskset', ['-V']).status === 0;
const pinned = (core, cmd, args) => (HAS_TASKSET ? ['taskset', ['-c', String(core), cmd, ...args]] : [cmd, args]);

function lines(proc, onLine) {
  let buf = '';
  proc.stdout.on('data', (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) { onLine(buf.slice(0, i)); buf = buf.slice(i + 1); }
  });
  return new Promise((resolve) => proc.on('close', resolve));
}

async function main() {
  const bench = path.join(ROOT, 'build', 'native', 'bench', 'mesaflow_bench');
  for (const f of [bench, path.join(ROOT, 'build', 'wasm', 'mesaflow_node.js')]) {
    if (!fs.existsSync(f)) throw new Error(`${path.relative(ROOT, f)} is missing: make native wasm`);
  }
  const t0 = Date.now();
  const wasm = [];
  const native = [];
  const [wc, wa] = pinned(0, process.execPath, [HERE, '--child', '--seconds', String(seconds), '--precision', values.precision]);
  const w = lines(spawn(wc, wa, { stdio: ['ignore', 'pipe', 'inherit'] }), (l) => {
    const [t, ms] = l.split(' ').map(Number);
    if (Number.isFinite(ms)) wasm.push({ t, ms });
  });
  const filter = values.precision === 'single' ? 'BM_EpochSingle/d:5/T:100/m:10000/threads:1/' : 'BM_Epoch/d:5/T:100/m:10000/threads:1/regen:0';
  while (Date.now() - t0 < seconds * 1000) {
    const [nc, na] = pinned(1, bench, [`--benchmark_filter=${filter}`, '--benchmark_min_time=3', '--benchmark_format=json']);
    let out = '';
    const p = spawn(nc, na, { stdio: ['ignore', 'pipe', 'ignore'] });
    p.stdout.on('data', (c) => { out += c; });
    await new Promise((resolve) => p.on('close', resolve));
    const row = JSON.parse(out).benchmarks?.[0];
    if (!row) throw new Error(`the native benchmark matched nothing with ${filter}`);
    native.push({ t: Date.now(), ms: row.real_time * { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3 }[row.time_unit] });
  }
  await w;
  const median = (a) => (a.length ? [...a].sort((x, y) => x - y)[a.length >> 1] : NaN);
  const win = Number(values.window) * 1000;
  console.log(`paper epoch (d=5, T=100, m=10,000, ${values.precision}): WebAssembly in node on core 0, native one thread on core 1`);
  console.log('   from s   wasm ms (median, n)   native ms (median, n)');
  for (let a = 0; a < seconds * 1000; a += win) {
    const pick = (xs) => xs.filter((x) => x.t - t0 >= a && x.t - t0 < a + win).map((x) => x.ms);
    const [ws, ns] = [pick(wasm), pick(native)];
    console.log(`${String(a / 1000).padStart(9)}   ${median(ws).toFixed(0).padStart(7)} (${ws.length})`.padEnd(33) +
      `${median(ns).toFixed(1).padStart(8)} (${ns.length})`);
  }
  const range = (xs) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)} ms`;
  console.log(`wasm ${range(wasm.map((x) => x.ms))} over ${wasm.length} epochs; native ${range(native.map((x) => x.ms))} over ${native.length} runs`);
}

if (values.child) await child();
else await main();
