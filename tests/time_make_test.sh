#!/usr/bin/env bash
# Runs the steps of `make test`, in its order, each under /usr/bin/time, and prints a table:
# step, wall seconds, CPU seconds (user + sys of the step and every process it waited for), and the
# 1-minute load average before the step (other work on the machine shows there: compare CPU, not
# wall, across machines or loads). Builds and test runs are separate rows (`native` then
# `test-native`, `asan` then `test-sanitize`, ...), so a row says what a step costs by itself.
#
#   bash tests/time_make_test.sh                 # every step; logs in build/time-make-test/
#   STEPS="native test-native" bash tests/time_make_test.sh
#
# Stops at the first step that fails (as `make test` does), printing the table so far; exit status 1.
# Extra make variables pass through: JOBS=2 FUZZ_SECONDS=60 bash tests/time_make_test.sh
set -uo pipefail
cd "$(dirname "$0")/.."

# `make test`'s prerequisites in order, with each build split from the run that needs it.
STEPS=${STEPS:-"setup native wasm site package typecheck test-native test-isa test-march aarch64 test-aarch64 asan test-sanitize fuzz fuzz-short wasm-scalar test-node test-browser python test-python"}
LOGS=${LOGS:-build/time-make-test}
mkdir -p "$LOGS"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "time_make_test: $TIME (Debian's package time) is needed" >&2; exit 2; }

rows=()
total_wall=0
total_cpu=0
status=0
load() { cut -d' ' -f1 /proc/loadavg; }
start_load=$(load)
for step in $STEPS; do
  before=$(load)
  echo "== $step (load $before) log: $LOGS/$step.log"
  $TIME -f '%e %U %S' -o "$LOGS/$step.time" make "$step" "$@" >"$LOGS/$step.log" 2>&1
  rc=$?
  # /usr/bin/time writes "Command exited with non-zero status N" on a line of its own first.
  read -r wall user sys < <(tail -n 1 "$LOGS/$step.time")
  cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
  rows+=("$(printf '| %-14s | %8.1f | %8.1f | %5s |' "$step" "$wall" "$cpu" "$before")")
  total_wall=$(awk -v a="$total_wall" -v b="$wall" 'BEGIN { printf "%.1f", a + b }')
  total_cpu=$(awk -v a="$total_cpu" -v b="$cpu" 'BEGIN { printf "%.1f", a + b }')
  if [ "$rc" -ne 0 ]; then
    echo "time_make_test: make $step failed (exit $rc); the last lines of $LOGS/$step.log:" >&2
    tail -n 30 "$LOGS/$step.log" >&2
    status=1
    break
  fi
done

echo
echo "make test by step: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $start_load at the start, $(load) at the end"
echo
echo "| step           |   wall s |    CPU s |  load |"
echo "|----------------|---------:|---------:|------:|"
printf '%s\n' "${rows[@]}"
printf '| %-14s | %8.1f | %8.1f |       |\n' "total" "$total_wall" "$total_cpu"
exit $status
