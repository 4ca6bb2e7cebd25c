#!/usr/bin/env bash
# The page's small presets, natively, from the paper's three initialisations: the largest relative
# distance between gradient descent's ab and the gradient-flow ODE (with the training set's A, B)
# over all epochs, and where ab ends against the training set's optimum. The browser runs the same
# numbers (same core, same seeds). Usage: bench/quick_preset.sh (needs make native).
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/native/core/cli/mesaflow
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
run() {  # name, then the preset's options
  local name=$1
  shift
  for init in "0.1 0.1" "0.5 1.5" "2 2"; do
    set -- "$@"
    read -r a b <<<"$init"
    "$bin" train "$@" --a0 "$a" --b0 "$b" --quiet --mesa-seqs 0 --out "$out/${name}__${a}_${b}.json" >/dev/null || true
  done
}
run quick --x1 sparse --scale 1 --d 3 --T 20 --m 1000 --test-m 500 --lr 2e-3 --epochs 500
run quick-gaussian --x1 gaussian --scale 1 --d 5 --T 20 --m 2000 --test-m 500 --lr 4e-4 --epochs 300
node -e '
const fs = require("fs"), dir = process.argv[1];
console.log("| preset | a0, b0 | largest |GD - ODE| / ODE | ab final | training-set optimum | ab / optimum - 1 |");
console.log("|---|---|---|---|---|---|");
for (const f of fs.readdirSync(dir).sort()) {
  const r = JSON.parse(fs.readFileSync(`${dir}/${f}`)), h = r.history, t = r.theory, ode = t.ode_ab_empirical;
  const dev = Math.max(...h.ab.map((v, i) => Math.abs(v - ode[i]) / Math.abs(ode[i])));
  const end = h.ab.at(-1);
  console.log(`| ${f.split("__")[0]} | ${r.config.a0}, ${r.config.b0} | ${(100 * dev).toFixed(2)}% | ${end.toPrecision(5)} | ${t.c_star_empirical.toPrecision(5)} | ${(100 * (end / t.c_star_empirical - 1)).toFixed(2)}% |`);
}' "$out"
