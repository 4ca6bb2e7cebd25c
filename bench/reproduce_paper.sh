#!/usr/bin/env bash
# Runs every setting of the authors' simulations (arXiv 2405.16845) with the three initialisations, the full-one
# runs with and without clip, a sparse law with two magnitudes, and the robustness runs from a
# gaussian initialisation, and prints markdown tables of measured versus predicted values.
# Usage: bench/reproduce_paper.sh [outdir]. Needs the native build (make native). Two runs at a
# time, one thread each (about 45 minutes on a 2-core machine). ONLY=beyond,robust runs those rows alone.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/paper}
mkdir -p "$out"
bin=build/native/core/cli/mesaflow
inits=("0.1 0.1" "0.5 1.5" "2 2")
jobs=()
while read -r x1 scale lr epochs extra; do
  for init in "${inits[@]}"; do
    set -- $init
    jobs+=("--x1 $x1 --scale $scale --lr $lr --epochs $epochs --a0 $1 --b0 $2 $extra --out $out/${x1}_${scale}_$1_$2${extra:+_two}.json")
  done
done <<'TABLE'
gaussian 0.5 1e-3 200
gaussian 1.0 1e-4 150
gaussian 2.0 2e-6 200
sparse 0.5 3e-2 200
sparse 1.0 1e-3 200
sparse 2.0 1e-4 120
sparse 1.0 2e-4 300 --magnitude values:1,2@0.5,0.5
TABLE
for init in "${inits[@]}"; do
  set -- $init
  for clip in "" "--clip"; do
    jobs+=("--x1 full-one --scale 1 --lr 5e-4 --epochs 200 --a0 $1 --b0 $2 $clip --out $out/beyond_full-one_$1_$2${clip:+_clip}.json")
  done
done
for sw in 0.01 0.1 0.5; do
  for epochs in 150 1500; do
    jobs+=("--x1 gaussian --scale 1 --lr 1e-4 --epochs $epochs --init gaussian --sigma-w $sw --out $out/robust_gaussian_${sw}_$epochs.json")
  done
done
if [ -n "${ONLY:-}" ]; then
  keep=()
  for j in "${jobs[@]}"; do
    for part in ${ONLY//,/ }; do [[ "$j" == *"/${part}_"* ]] && keep+=("$j"); done
  done
  jobs=("${keep[@]}")
fi
printf '%s\n' "${jobs[@]}" | xargs -P 2 -I{} sh -c "$bin train --threads 1 --quiet {} > /dev/null || true"
node bench/paper_tables.mjs "$out"
