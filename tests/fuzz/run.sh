#!/usr/bin/env bash
# Runs every fuzz target of BUILD (configured with MESAFLOW_BUILD_FUZZERS=ON) for SECONDS, JOBS
# targets at a time, each from a fresh copy of its seed corpus in BUILD/corpus/<target> (the
# repository's corpus is not changed). Prints executions per target; fails when a target
# finds a crash or a broken invariant (the input is saved in BUILD/artifacts, the log in BUILD/logs).
# usage: tests/fuzz/run.sh BUILD SECONDS [JOBS]
set -uo pipefail
build=$1 seconds=$2 jobs=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
targets=(fuzz_npy fuzz_config fuzz_cli fuzz_url)
mkdir -p "$build/artifacts" "$build/logs"

run() {
  local t=$1 dict=()
  [ "$t" = fuzz_npy ] || dict=(-dict="$here/fields.dict")  # the text targets: field names, number syntax
  rm -rf "$build/corpus/$t" && mkdir -p "$build/corpus/$t" && cp "$here/corpus/$t"/* "$build/corpus/$t/"
  "$build/tests/fuzz/$t" "$build/corpus/$t" "${dict[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$t-" >"$build/logs/$t.log" 2>&1
}

failed=0
for ((i = 0; i < ${#targets[@]}; i += jobs)); do
  pids=()
  for t in "${targets[@]:i:jobs}"; do
    run "$t" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
done

for t in "${targets[@]}"; do
  log=$build/logs/$t.log
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  rate=$(sed -n 's/.*DONE .*exec\/s: \([0-9]*\).*/\1/p' "$log")
  if [ -z "$execs" ] || grep -q -E '^==[0-9]+==|^SUMMARY|fuzz invariant broken' "$log"; then
    echo "$t: FAILED after ${execs:-?} executions; see $log"
    grep -E 'fuzz invariant broken|^SUMMARY|Test unit written' "$log"
    failed=1
  else
    echo "$t: ${execs:-?} executions in ${seconds} s (${rate:-?}/s), no crash"
  fi
done
exit $failed
