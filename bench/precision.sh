#!/usr/bin/env bash
# Single against double precision at two of the authors' settings (gaussian sigma = 1, 150 epochs;
# sparse c = 1, lr 1e-3, 200 epochs; both from (0.1, 0.1)): the largest relative difference over
# the history of ab, the test loss and the last-position MSE, as a markdown table (core/cli/README.md
# pastes it). Usage: bench/precision.sh [outdir] (needs make native; four runs, two at a time);
# bench/precision.sh --table [outdir] prints the table again from the runs already in outdir.
set -euo pipefail
cd "$(dirname "$0")/.."
table_only=
if [ "${1:-}" = --table ]; then table_only=1; shift; fi
out=${1:-build/precision}
mkdir -p "$out"
bin=build/native/core/cli/mesaflow
[ -n "$table_only" ] || printf '%s\n' \
  "--out $out/gaussian_double.json" "--precision single --out $out/gaussian_single.json" \
  "--x1 sparse --scale 1 --lr 1e-3 --epochs 200 --out $out/sparse_double.json" \
  "--x1 sparse --scale 1 --lr 1e-3 --epochs 200 --precision single --out $out/sparse_single.json" |
  xargs -P 2 -I{} sh -c "$bin train --threads 1 --quiet {} > /dev/null"
node -e '
const fs = require("fs"), dir = process.argv[1];
const read = (n) => JSON.parse(fs.readFileSync(`${dir}/${n}.json`));
const rel = (a, b) => Math.max(...a.map((x, i) => (b[i] === 0 ? Math.abs(x) : Math.abs(x - b[i]) / Math.abs(b[i]))));
console.log("| setting | command (add --precision single for the other) | ab | test loss | last-position MSE | final ab, double / single |");
console.log("|---|---|---|---|---|---|");
for (const [name, cmd] of [["gaussian", "mesaflow train"], ["sparse", "mesaflow train --x1 sparse --scale 1 --lr 1e-3 --epochs 200"]]) {
  const d = read(`${name}_double`).history, s = read(`${name}_single`).history;
  const f = (k) => rel(s[k], d[k]).toExponential(1);
  console.log(`| ${name} | \`${cmd}\` | ${f("ab")} | ${f("test_loss")} | ${f("last_mse")} | ${d.ab.at(-1).toPrecision(7)} / ${s.ab.at(-1).toPrecision(7)} |`);
}' "$out"
