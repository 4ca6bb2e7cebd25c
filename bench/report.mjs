// Runs the benchmarks and prints bench/README.md's tables (markdown), so that a row cannot drift
// from the code and a reader with another CPU can make their own: the machine (CPU model and vector
// flags, cores, load), the build (compiler, -march, the vector ISA it targets), the date, and per
// row the command that produced it.
//
//   node bench/report.mjs [--build build/native] [--isa avx2 ...] [--min-time 2] [--repetitions 3]
//                         [--no-wasm] [--write bench/README.md]
//
// A table per instruction set of the kernel (core/src/kernel_isa.hpp): the build has a kernel for
// each and picks the widest the CPU runs; each table forces one with MESAFLOW_ISA (--isa: those
// only; default: every one this CPU runs, as `mesaflow --version` lists them).
// --build: a native build directory (make native; or cmake -DMESAFLOW_ARCH=x86-64-v3 -B build/v3 ...
//   for another instruction set: repeat --build for a table per build). The fraction of peak is
//   taken against the mul+add peak of the ISA that build targets, measured by mesaflow_peak_bench.
// --no-wasm: skip the node WebAssembly epochs (which need make wasm wasm-scalar) and the first load.
// --write FILE: also replace the text between FILE's "<!-- report:begin -->" and
//   "<!-- report:end -->" lines with this output, as is.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { values } = parseArgs({
  options: {
    build: { type: 'string', multiple: true, default: ['build/native'] },
    isa: { type: 'string', multiple: true },
    'min-time': { type: 'string', default: '2' },
    repetitions: { type: 'string', default: '3' },
    'no-wasm': { type: 'boolean', default: false },
    write: { type: 'string' },
  },
});
const reps = Number(values.repetitions);
const out = [];
const say = (line = '') => {
  out.push(line);
  console.log(line);
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr || r.error}`);
  return r.stdout;
}
// A command as a reader would type it, from the repository's root.
const shown = (cmd, args) => [cmd, ...args].map((a) => (/[^\w./:=@+,-]/.test(a) ? `'${a}'` : a)).join(' ');
// n significant digits, never in exponent notation (1500, 74.8, 0.30, 0.056).
function fmt(x, n = 3) {
  if (!Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 10 ** n) return Math.round(x).toString();
  const s = x.toPrecision(n);
  return s.includes('e') ? String(Number(s)) : s;
}
const loadavg = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

// --- the machine ----------------------------------------------------------------------------
const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
const model = (cpuinfo.match(/^model name\s*:\s*(.*)$/m) || [, 'unknown'])[1].trim();
const flags = new Set((cpuinfo.match(/^flags\s*:\s*(.*)$/m) || [, ''])[1].trim().split(/\s+/));
const VECTOR_FLAGS = ['sse2', 'ssse3', 'sse4_1', 'sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512dq', 'avx512bw',
  'avx512vl', 'avx512_bf16', 'avx512_fp16', 'asimd', 'sve'];
const started = new Date();
const load0 = loadavg();

// --- a build ----------------------------------------------------------------------------------
function cache(dir) {
  const text = fs.readFileSync(path.join(ROOT, dir, 'CMakeCache.txt'), 'utf8');
  const get = (k) => (text.match(new RegExp(`^${k}:[A-Z]+=(.*)$`, 'm')) || [, ''])[1];
  return { cxx: get('CMAKE_CXX_COMPILER'), type: get('CMAKE_BUILD_TYPE'), release: get('CMAKE_CXX_FLAGS_RELEASE'),
    arch: get('MESAFLOW_ARCH') };
}
// The widest vector ISA the compiler targets with this -march, from its predefined macros.
function targetIsa(cxx, arch) {
  const macros = run(cxx, [...(arch ? [`-march=${arch}`] : []), '-dM', '-E', '-x', 'c++', '/dev/null']);
  if (/__AVX512F__/.test(macros)) return 'avx512';
  if (/__AVX2__/.test(macros) && /__FMA__/.test(macros)) return 'avx2';
  if (/__SSE2__/.test(macros)) return 'sse2';
  return 'none';
}

function peaks(dir) {
  const bin = path.join(dir, 'bench', 'mesaflow_peak_bench');
  const args = [`--benchmark_repetitions=${reps}`, '--benchmark_report_aggregates_only=true', '--benchmark_format=json'];
  const j = JSON.parse(run(path.join(ROOT, bin), args, { stdio: ['ignore', 'pipe', 'ignore'] }));
  const rows = {};
  for (const b of j.benchmarks) {
    const m = b.name.match(/^BM_Peak\/(\w+)_(fma|muladd)\/real_time\/threads:(\d+)(_median)?$/);
    if (!m || (reps > 1 && !m[4] && !b.error_occurred)) continue;  // the median of the repetitions
    const key = `${m[1]} ${m[2]} ${m[3]}`;
    if (b.error_occurred) rows[key] = { error: b.error_message };
    else rows[key] = { wall: b['GFLOP/s_per_thread'], cpu: b['cpu_GFLOP/s'] };
  }
  return { rows, command: shown(bin, args.slice(0, 2)) };
}

// The kernels of a build: the one it picks here and those this CPU runs (`mesaflow --version`).
function kernels(dir) {
  const v = run(path.join(ROOT, dir, 'core', 'cli', 'mesaflow'), ['--version'], { env: { ...process.env, MESAFLOW_ISA: '' } });
  const m = v.match(/^kernel (\S+) \((\d+)-byte vectors; built: ([^;]*); this CPU runs: ([^)]*)\)$/m);
  if (!m) return { chosen: 'unknown', runs: ['unknown'] };
  return { chosen: m[1], runs: m[4].split(' ').filter(Boolean) };
}
const BYTES = { avx512: 64, avx2: 32 };  // the others: 16 (kernel_isa.hpp)

function epoch(dir, filter, peak, isa) {
  const bin = path.join(dir, 'bench', 'mesaflow_bench');
  const args = [`--benchmark_filter=^${filter}/real_time$`, `--benchmark_min_time=${values['min-time']}`, `--benchmark_repetitions=${reps}`,
    '--benchmark_report_aggregates_only=true'];
  if (peak) args.push(`--peak_gflops=${peak.fma.toFixed(2)}`, `--muladd_gflops=${peak.muladd.toFixed(2)}`);
  const env = { ...process.env, MESAFLOW_ISA: isa };
  const j = JSON.parse(run(path.join(ROOT, bin), [...args, '--benchmark_format=json'], { stdio: ['ignore', 'pipe', 'ignore'], env }));
  const b = j.benchmarks.find((x) => x.aggregate_name === 'median') || j.benchmarks[0];  // one repetition: no aggregates
  return { ms: b.real_time * { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3 }[b.time_unit], gflops: b['GFLOP/s'],
    cpu: b['cpu_GFLOP/s'], flops: Number(j.context.epoch_flops_paper_setting),
    command: `MESAFLOW_ISA=${isa} ${shown(bin, args.slice(0, 3))}` };
}

say(`Run on ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC by \`node bench/report.mjs${process.argv.slice(2).map((a) => ` ${a}`).join('')}\`.`);
say();
say(`- CPU: ${model}, ${os.cpus().length} logical cores${flags.has('hypervisor') ? ' (a virtual machine)' : ''}; vector flags: ${VECTOR_FLAGS.filter((f) => flags.has(f)).join(' ') || 'none'}`);
say(`- load average (1, 5, 15 min) at the start: ${load0} (more than 0.5 per core means other processes shared the machine; then read the per-CPU-second columns)`);
say(`- node ${process.version}`);

let first = null;  // the first build's training-epoch flops and peak: the wasm rows' yardstick
const nativeDouble = [];  // [kernel, ms] of each table's one-thread double epoch: against wasm's
for (const dir of values.build) {
  const c = cache(dir);
  const isa = targetIsa(c.cxx, c.arch);
  const version = run(c.cxx, ['--version']).split('\n')[0];
  say();
  say(`### Native build \`${dir}\`: ${version}, \`${c.release} -march=${c.arch || '(default)'} -ffp-contract=off\` (${c.type}); baseline vector ISA of the build: ${isa}; its kernels: ${kernels(dir).runs.join(', ')} (the widest runs unless MESAFLOW_ISA says otherwise)`);
  say();
  const pk = peaks(dir);
  say(`Peak of one core and of two (GFLOP/s per thread, median of ${reps}): \`${pk.command}\``);
  say();
  say('| instruction set, operation | 1 thread | 1 thread, per CPU second | 2 threads | 2 threads, per CPU second |');
  say('|---|---|---|---|---|');
  for (const name of ['avx512 fma', 'avx512 muladd', 'avx2 fma', 'avx2 muladd', 'v128 muladd']) {
    const one = pk.rows[`${name} 1`], two = pk.rows[`${name} 2`];
    if (!one) continue;
    if (one.error) say(`| ${name} | ${one.error} | | | |`);
    else say(`| ${name} | ${fmt(one.wall)} | ${fmt(one.cpu)} | ${fmt(two?.wall)} | ${fmt(two?.cpu)} |`);
  }
  say();
  say('(v128: 16-byte vectors, SSE2 on x86-64, NEON on aarch64: the peak of the sse2 and neon kernels.)');
  const ks = kernels(dir);
  const wanted = values.isa ? ks.runs.filter((k) => values.isa.includes(k)) : ks.runs;
  let buildFirst = null;
  for (const kernel of [...wanted].reverse()) {  // the widest first
    // The yardstick: this kernel's ISA's one-thread peak per CPU second (stable when the machine is shared).
    const peakIsa = BYTES[kernel] ? kernel : 'v128';
    const p1 = (op) => pk.rows[`${peakIsa} ${op} 1`];
    const ok = (r) => r && !r.error;
    const peak = ok(p1('muladd')) ? { fma: ok(p1('fma')) ? p1('fma').cpu : 0, muladd: p1('muladd').cpu } : null;
    say();
    say(`#### Kernel ${kernel} (${BYTES[kernel] || 16}-byte vectors${kernel === ks.chosen ? ', the one this build picks on this CPU' : ''}), ${model}`);
    say();
    say(`CPU flags: ${VECTOR_FLAGS.filter((f) => flags.has(f)).join(' ') || 'none'}; load average before this table: ${loadavg()}. ` +
      (peak ? `Fractions are of the ${peakIsa} mul+add peak, ${fmt(peak.muladd)} GFLOP/s per core in double and twice that in single, times the threads.`
        : `No peak kernel for ${kernel} in bench/peak.hpp: no fraction of peak.`));
    say();
    say('| at the paper\'s setting (d = 5, T = 100, m = 10,000) | ms (median) | GFLOP/s | of the mul+add peak | GFLOP/s per CPU second | of the peak, per CPU second | command |');
    say('|---|---|---|---|---|---|---|');
    const rows = [
      ['training epoch, double, 1 thread', 'BM_Epoch/d:5/T:100/m:10000/threads:1/regen:0', 1, 1],
      ['training epoch, double, 2 threads', 'BM_Epoch/d:5/T:100/m:10000/threads:2/regen:0', 2, 1],
      ['training epoch, single, 1 thread', 'BM_EpochSingle/d:5/T:100/m:10000/threads:1', 1, 2],
      ['training epoch, single, 2 threads', 'BM_EpochSingle/d:5/T:100/m:10000/threads:2', 2, 2],
      ['training epoch, double, 1 thread, tokens regenerated in the scan (as `mesaflow train` holds them)', 'BM_Epoch/d:5/T:100/m:10000/threads:1/regen:1', 1, 1],
      ['held-out pass (10,000 test sequences), double, 1 thread', 'BM_Evaluate/threads:1/regen:0', 1, 1],
    ];
    let flops = 0;
    for (const [what, filter, threads, lanes] of rows) {
      const r = epoch(dir, filter, peak, kernel);
      if (what.startsWith('training')) flops = r.flops;
      if (filter.startsWith('BM_Epoch/') && filter.endsWith('threads:1/regen:0')) nativeDouble.push([`${dir} ${kernel}`, r.ms]);
      const frac = peak ? r.gflops / (peak.muladd * lanes * threads) : NaN, cpuFrac = peak ? r.cpu / (peak.muladd * lanes) : NaN;
      say(`| ${what} | ${fmt(r.ms)} | ${fmt(r.gflops)} | ${fmt(frac, 2)} | ${fmt(r.cpu)} | ${fmt(cpuFrac, 2)} | \`${r.command}\` |`);
    }
    if (!buildFirst) buildFirst = { flops, peak };
  }
  const flops = buildFirst ? buildFirst.flops : 0, peak = buildFirst ? buildFirst.peak : null;
  if (dir === values.build[0]) first = { flops, peak };
}

if (!values['no-wasm']) {
  say();
  say('### WebAssembly in node (one thread; 128-bit SIMD, and the scalar build)');
  say();
  const em = spawnSync('emcc', ['--version'], { encoding: 'utf8', env: { ...process.env, NODE_PATH: '/usr/share/nodejs' } });
  say(`${em.status === 0 ? em.stdout.split('\n')[0] : 'emcc not found'}; fractions are of one native core's mul+add peak above, in that precision.`);
  say();
  say('| training epoch at the paper\'s setting | ms (median of 9) | best | GFLOP/s | of the native mul+add peak | CPU ms per epoch | command |');
  say('|---|---|---|---|---|---|---|');
  let wasmDouble = null;
  for (const precision of ['double', 'single']) {
    const args = ['bench/wasm_epoch.mjs', '--epochs', '9', '--precision', precision];
    const j = JSON.parse(run('node', [...args, '--json']));
    if (precision === 'double' && j.simd) wasmDouble = j.simd.median;
    for (const build of ['simd', 'scalar']) {
      const r = j[build];
      if (!r) continue;
      const g = first.flops / (r.median / 1e3) / 1e9;
      const frac = first.peak ? g / (first.peak.muladd * (precision === 'single' ? 2 : 1)) : NaN;
      say(`| ${build === 'simd' ? 'SIMD' : 'scalar'} build, ${precision} | ${fmt(r.median)} | ${fmt(r.min)} | ${fmt(g)} | ${fmt(frac, 2)} | ${fmt(r.cpu_median)} | \`node ${args.join(' ')}\` |`);
    }
  }
  if (wasmDouble) {
    say();
    say('Native against WebAssembly, one thread, double, this run (the WebAssembly SIMD epoch\'s median over the native one):');
    say();
    say('| native build and kernel | native ms | WebAssembly SIMD ms | native is faster by |');
    say('|---|---|---|---|');
    for (const [k, ms] of nativeDouble) say(`| ${k} | ${fmt(ms)} | ${fmt(wasmDouble)} | ${fmt(wasmDouble / ms, 2)}x |`);
  }
  const site = run('node', ['site/build.mjs']).match(/first load of index\.html: ([\d.]+) KiB raw, ([\d.]+) KiB gzipped \((\d+) files/);
  say();
  say(site ? `First load of the page: ${site[2]} KiB gzipped (${site[1]} KiB raw, ${site[3]} files), from \`node site/build.mjs\` (its budget, checked by the build and the browser tests: 300 KiB).`
    : 'First load of the page: `node site/build.mjs` did not report it.');
}

const pkg = path.join(ROOT, 'build', 'package');
const tgz = fs.existsSync(pkg) ? fs.readdirSync(pkg).find((f) => /^mesaflow-.*\.tgz$/.test(f)) : null;
if (tgz) {
  const files = run('tar', ['tzf', path.join('build', 'package', tgz)]).split('\n').filter((l) => l && !l.endsWith('/')).length;
  say();
  say(`The npm package \`build/package/${tgz}\` (\`make package\`): ${(fs.statSync(path.join(pkg, tgz)).size / 1024).toFixed(1)} KiB, ${files} files.`);
}

const cli = path.join(values.build[0], 'core', 'cli', 'mesaflow');
const tmp = path.join(os.tmpdir(), `mesaflow-report-${process.pid}.json`);
const time = spawnSync('/usr/bin/time', ['-v', path.join(ROOT, cli), 'train', '--epochs', '1', '--quiet', '--out', tmp], { cwd: ROOT, encoding: 'utf8' });
fs.rmSync(tmp, { force: true });
const rss = (time.stderr || '').match(/Maximum resident set size \(kbytes\): (\d+)/);
say();
say(rss ? `Peak resident memory of a native run at the paper's setting: ${(rss[1] / 1024).toFixed(1)} MiB (\`/usr/bin/time -v ${cli} train --epochs 1 --quiet --out run.json\`; natively a generated set is held as x_1 and lambda per sequence, its tokens recomputed in the scan, so this does not grow with T or the epochs).`
  : 'Peak resident memory: /usr/bin/time -v did not report it.');
say();
say(`Load average at the end: ${loadavg()}.`);

if (values.write) {
  const file = path.resolve(ROOT, values.write);
  const text = fs.readFileSync(file, 'utf8');
  const begin = '<!-- report:begin -->', end = '<!-- report:end -->';
  const a = text.indexOf(begin), b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${values.write}: no ${begin} ... ${end} block`);
  fs.writeFileSync(file, `${text.slice(0, a + begin.length)}\n${out.join('\n')}\n${text.slice(b)}`);
  console.error(`report.mjs: wrote the tables into ${values.write}`);
}
