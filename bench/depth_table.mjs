// The README's table of issue 23 (item 5): does depth (or softmax) buy more steps of gradient
// descent? For each first-token family (gaussian, sparse, full-one) x model (layers 1, 2, 3 of
// linear attention, one layer of softmax attention), one run of the CLI at a stated smaller size
// than the paper's (see SIZE below: the runs must end in a few minutes on 2 cores), and per row:
// the final test loss, the last-position error per coordinate (the test set's), how many steps of
// gradient descent the model is worth (mesa.gd_worth, the smallest K whose best K-step GD matches
// the model's last-position error, interpolated; null with its reason), and least squares (OLS)
// on the context at the last position (baselines.ls); with the loss curve's change over the last
// fifth of the epochs, which says whether the run had converged. Every row's sentence is made from
// that row's numbers and the one-layer row of its family.
//   node bench/depth_table.mjs [--cli path/to/mesaflow] [--write README.md] [--long docs/depth.md] [--keep DIR]
//     --write F : replace the block between <!-- depth:begin --> and <!-- depth:end --> in F by
//                 the short table (the README's);
//     --long F  : write the long form (every column, the K-step GD errors, the loss curves) to F.
//     --keep DIR: keep each run's document in DIR; with --reuse, a document already there is read
//                 instead of running its command again.
//   Without --write and --long it prints both to standard output.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const argv = process.argv.slice(2);
const flag = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const CLI = flag('--cli') ?? 'build/native/core/cli/mesaflow';

// The size: d 4, T 15, m 1000 training and 500 test sequences, all 500 in the mesa view (so its
// errors are the test set's); seed 1. Smaller than the paper's (d 5, T 100, m 10,000) so that the
// twelve runs end in a few minutes on 2 cores: the deeper models need 2000 epochs to settle, and
// the loss's curvature grows with T, so a shorter sequence takes a larger stable step.
const SIZE = ['--d', '4', '--T', '15', '--m', '1000', '--test-m', '500', '--mesa-seqs', '500', '--seed', '1'];
const FAMILIES = ['gaussian', 'sparse', 'full-one'];
// The step per family, the same for every model (full-one's tokens are larger: its loss is
// steeper, as in the README's paper rows), and the epochs. Probed: at T 30 and 0.002, layers 2
// oscillated between test losses of 12 and 14.5 on gaussian and diverged on full-one; at T 15,
// layers 3 on gaussian at 0.003 settles by epoch 1200 (test loss 3.79, then within 1%), while
// sparse at 0.003 and full-one at 0.00075 had layers 2 and 3 still falling by 6-29% over the last
// fifth of 2000 epochs. The long form's "loss change" column shows how far each run settled.
const LR = { gaussian: '0.003', sparse: '0.005', 'full-one': '0.0015' };
const EPOCHS = '2000';
const MODELS = [
  { name: 'layers 1', args: ['--layers', '1'] },
  { name: 'layers 2', args: ['--layers', '2'] },
  { name: 'layers 3', args: ['--layers', '3'] },
  { name: 'softmax', args: ['--attention', 'softmax'] },
];

const g = (v) => (v === null || v === undefined || Number.isNaN(v) ? '-' : Math.abs(v) < 1e-3 && v !== 0 ? v.toExponential(1) : Number(v.toPrecision(3)).toString());
const keep = flag('--keep');  // a folder to keep each run's document in (<x1>_<model>.json)
const dir = keep ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mesaflow-depth-'));
fs.mkdirSync(dir, { recursive: true });
const rows = [];
for (const x1 of FAMILIES)
  for (const model of MODELS) {
    const args = ['--x1', x1, ...model.args, ...SIZE, '--lr', LR[x1], '--epochs', EPOCHS, '--eval-every', String(Number(EPOCHS) / 20)];
    const out = path.join(dir, `${x1}_${model.name.replace(' ', '')}.json`);
    if (!(argv.includes('--reuse') && fs.existsSync(out)))
      try {
        execFileSync(CLI, ['train', ...args, '--threads', '0', '--quiet', '--out', out], { stdio: ['ignore', 'ignore', 'inherit'] });
      } catch (e) {
        if (e.status !== 3) throw e;  // 3: diverged; the document is written, with its message
      }
    const j = JSON.parse(fs.readFileSync(out, 'utf8'));
    const seconds = j.wall_seconds;
    const h = j.history, m = j.mesa ?? {}, b = j.baselines ?? {};
    const last = (k) => h[k][h[k].length - 1];
    // The test loss's relative change over the last fifth of the epochs (the rows are every twentieth).
    const tl = h.test_loss, back = tl[Math.max(0, tl.length - 1 - Math.round((tl.length - 1) / 5))];
    rows.push({
      x1, model: model.name, command: `mesaflow train ${args.join(' ')}`, seconds, diverged: j.diverged,
      test_loss: last('test_loss'), last_mse: last('last_mse'), ls: b.ls, ridge: b.ridge, gd_best: b.gd_best,
      worth: m.gd_worth, worth_reason: m.gd_worth_reason, gd_steps: b.gd_steps, smoother: b.smoother,
      temperature: m.smoother?.temperature, settle: (last('test_loss') - back) / back,
      // settled: the test loss moved by less than 1% of itself, or by less than 1e-4 of its first value
      settled: Math.abs(last('test_loss') - back) < Math.max(0.01 * Math.abs(back), 1e-4 * tl[0]), curve: tl,
    });
  }
if (!keep) fs.rmSync(dir, { recursive: true, force: true });

// What each row shows, from its numbers and its family's one-layer row.
function sentence(r) {
  const one = rows.find((o) => o.x1 === r.x1 && o.model === 'layers 1');
  if (r.diverged) return 'The run diverged: no numbers to read.';
  const moved = Math.abs(r.test_loss - r.test_loss / (1 + r.settle)) / r.curve[0];  // the change over the last fifth / the first loss
  const settled = Math.abs(r.settle) < 0.01 ? ''
    : `; its test loss still moves ${g(100 * r.settle)}% over the last fifth of the epochs (${r.settled ? `${g(moved)} of its first value` : 'not settled'})`;
  const k4 = r.gd_steps?.[3];
  const worth = typeof r.worth === 'number' ? `worth ${g(r.worth)} steps of GD`
    : r.worth_reason?.includes('better than 4') ? `better than 4 steps of GD (4 steps: ${g(k4)})` : `no GD-steps figure (${r.worth_reason ?? 'not in this build'})`;
  const exact = r.gd_steps?.[0] < 1e-12 ? ` (one GD step is exact here, ${g(r.gd_steps[0])}, so the worth is below 1)` : '';
  if (r === one) return `One layer: last-position error ${g(r.last_mse)}, ${worth}${exact}${settled}.`;
  const ratio = one.last_mse / r.last_mse;
  const softmax = r.model === 'softmax';
  const what = softmax ? 'Softmax attention' : `${r.model.replace('layers ', '')} layers`;
  const s = softmax ? 's' : '';
  const effect = ratio > 1.05 ? `lower${s} the last-position error ${g(ratio)}x against one layer (${g(one.last_mse)} -> ${g(r.last_mse)})`
    : ratio < 0.95 ? `do${softmax ? 'es' : ''} worse than one layer (${g(one.last_mse)} -> ${g(r.last_mse)}): ${softmax ? 'softmax' : 'depth'} does not help here`
      : `change${s} the last-position error by less than 5% (${g(one.last_mse)} -> ${g(r.last_mse)}): no gain here`;
  const smooth = softmax && typeof r.smoother === 'number' ? `; the kernel smoother with its scores ${g(r.smoother)} (tau ${g(r.temperature)})` : '';
  return `${what} ${effect}, ${worth}${exact}${smooth}${settled}.`;
}

const short = ['| x1 | model | command | test loss | last-position error | GD steps worth | OLS last-position error | what it shows |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.x1} | ${r.model} | \`${r.command}\` | ${g(r.test_loss)} | ${g(r.last_mse)} | ${typeof r.worth === 'number' ? g(r.worth) : '-'} | ${g(r.ls)} | ${sentence(r)} |`)].join('\n');
const steps = (r) => (r.gd_steps ?? []).map((e, i) => `K ${i + 1}: ${g(e)}`).join(', ') || '-';
const long = ['| x1 | model | command | wall s | test loss | loss change, last fifth (settled) | last-position error | GD steps worth | best K-step GD, last position | best one-step GD | smoother (tau*) | OLS | ridge |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.x1} | ${r.model} | \`${r.command}\` | ${r.seconds.toFixed(0)} | ${g(r.test_loss)} | ${g(100 * r.settle)}% (${r.settled ? 'yes' : 'no'}) | ${g(r.last_mse)} | ` +
    `${typeof r.worth === 'number' ? g(r.worth) : `- (${r.worth_reason ?? 'not in this build'})`} | ${steps(r)} | ${g(r.gd_best)} | ` +
    `${r.smoother === undefined || r.smoother === null ? '-' : `${g(r.smoother)} (${g(r.temperature)})`} | ${g(r.ls)} | ${g(r.ridge)} |`),
  '', 'Test loss every twentieth of the epochs:', '',
  ...rows.map((r) => `- ${r.x1}, ${r.model}: ${r.curve.map(g).join(' ')}`)].join('\n');

const total = rows.reduce((a, r) => a + r.seconds, 0);
const stamp = `Measured by \`node bench/depth_table.mjs\` on ${new Date().toISOString().slice(0, 10)}; mesaflow ${JSON.parse(fs.readFileSync('package.json', 'utf8')).version}; ` +
  `the twelve runs took ${total.toFixed(0)} s of wall time in all (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'CPU unknown'}, load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')} when the table was written).`;
const write = flag('--write'), longFile = flag('--long');
if (write) {
  const text = fs.readFileSync(write, 'utf8');
  const re = /<!-- depth:begin -->[\s\S]*<!-- depth:end -->/;
  if (!re.test(text)) throw new Error(`${write}: no <!-- depth:begin --> ... <!-- depth:end --> block`);
  fs.writeFileSync(write, text.replace(re, `<!-- depth:begin -->\n${short}\n<!-- depth:end -->`));
}
if (longFile) {
  const text = fs.existsSync(longFile) ? fs.readFileSync(longFile, 'utf8') : '';
  const re = /<!-- depth-long:begin -->[\s\S]*<!-- depth-long:end -->/;
  const block = `<!-- depth-long:begin -->\n${stamp}\n\n${long}\n<!-- depth-long:end -->`;
  fs.writeFileSync(longFile, re.test(text) ? text.replace(re, block) : `${text}${block}\n`);
}
if (!write && !longFile) console.log(`${short}\n\n${stamp}\n\n${long}`);
