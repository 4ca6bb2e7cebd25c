#!/usr/bin/env bash
# Runs every setting of the paper's table (PAPER.md) with the three initialisations and prints
# a markdown table of measured versus predicted values. Usage: bench/reproduce_paper.sh [outdir]
# Needs the native build (make native). Two runs at a time, one thread each.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/paper}
mkdir -p "$out"
bin=build/native/core/cli/mesaflow
jobs=()
while read -r x1 scale lr epochs; do
  for init in "0.1 0.1" "0.5 1.5" "2 2"; do
    set -- $init
    jobs+=("--x1 $x1 --scale $scale --lr $lr --epochs $epochs --a0 $1 --b0 $2 --out $out/${x1}_${scale}_$1_$2.json")
  done
done <<'TABLE'
gaussian 0.5 1e-3 200
gaussian 1.0 1e-4 150
gaussian 2.0 2e-6 200
sparse 0.5 3e-2 200
sparse 1.0 1e-3 200
sparse 2.0 1e-4 120
TABLE
jobs+=("--x1 full-one --scale 1 --lr 5e-4 --epochs 200 --a0 0.1 --b0 0.1 --out $out/full-one_1_noclip.json")
jobs+=("--x1 full-one --scale 1 --lr 5e-4 --epochs 200 --a0 0.1 --b0 0.1 --clip --out $out/full-one_1_clip.json")
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} sh -c "$bin train --threads 1 --quiet {} > /dev/null"
node -e '
const fs = require("fs"), dir = process.argv[1];
const f = (x, n = 4) => (x === null ? "-" : Number(x).toPrecision(n));
console.log("| x1 | scale | lr | epochs | a0, b0 | clip | ab final | c*(T) | empirical optimum | ODE ab final | ratio (pred.) | last-pos. MSE | s/run |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const name of fs.readdirSync(dir).filter(n => n.endsWith(".json")).sort()) {
  const r = JSON.parse(fs.readFileSync(dir + "/" + name)), c = r.config, h = r.history, t = r.theory, n = h.ab.length - 1;
  const ratio = c.x1 === "sparse" ? "-" : `${f(h.ratio[n])} (${f(t.ratio_pred)})`;
  const ode = t.ode_ab ? f(t.ode_ab[t.ode_ab.length - 1]) : "-";
  console.log(`| ${c.x1} | ${c.scale} | ${c.lr} | ${c.epochs} | ${c.a0}, ${c.b0} | ${c.clip} | ${f(h.ab[n])} | ${f(t.c_star_T)} | ${f(t.c_star_empirical)} | ${ode} | ${ratio} | ${f(h.last_mse[n], 3)} | ${r.wall_seconds.toFixed(1)} |`);
}' "$out"
