#!/usr/bin/env bash
# Two benchmark binaries, the same filter, alternated ABAB... in one sitting; prints each
# benchmark's B/A ratio of CPU time (Google Benchmark's cpu_time column: the calling thread's CPU
# time per iteration) per round and the median over rounds (the machine may be loaded: alternation
# makes the ratio fair to both).
#   bench/alternate.sh A_BINARY B_BINARY FILTER [ROUNDS] [MIN_TIME]
# Environment reaches both binaries (e.g. MESAFLOW_ISA=avx2; A_ENV / B_ENV add to one side only).
set -euo pipefail
a=$1 b=$2 filter=$3 rounds=${4:-5} min_time=${5:-0.5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {  # binary env out
  env $2 "$1" --benchmark_filter="$filter" --benchmark_min_time="$min_time" --benchmark_format=csv 2>/dev/null |
    awk -F, '/^"/ { gsub(/"/, "", $1); print $1, $4 }' >"$3"
}
for r in $(seq 1 "$rounds"); do
  run "$a" "${A_ENV:-}" "$tmp/a$r"
  run "$b" "${B_ENV:-}" "$tmp/b$r"
  join "$tmp/a$r" "$tmp/b$r" | awk -v r="$r" '{ printf "round %d  %-55s A %8.2f  B %8.2f  B/A %.3f\n", r, $1, $2, $3, $3 / $2 }'
  join "$tmp/a$r" "$tmp/b$r" | awk '{ print $1, $3 / $2 }' >>"$tmp/ratios"
done
sort -k1,1 -k2,2g "$tmp/ratios" | awk '
  { n[$1]++; v[$1, n[$1]] = $2 }
  END { for (k in n) { c = n[k]; m = (c % 2) ? v[k, (c + 1) / 2] : (v[k, c / 2] + v[k, c / 2 + 1]) / 2;
        printf "median B/A %.3f over %d rounds  %s\n", m, c, k } }'
