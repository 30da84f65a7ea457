#!/bin/sh
# Builds the libFuzzer targets (the `fuzz` preset) and runs each for SECONDS (default 600) at the
# lowest CPU priority, one after the other, growing a working corpus in build/fuzz/corpus/<name>
# from the seeds in tests/fuzz/corpus/<name>. A finding is written to build/fuzz/findings/<name>/
# and stops that target; copy it into tests/fuzz/regressions/<name>/ (ctest then replays it in
# every build) and fix the parser. Usage: tests/fuzz/run_fuzzers.sh [SECONDS] [TARGET...]
set -eu
cd "$(dirname "$0")/../.."
seconds=${1:-600}
[ $# -gt 0 ] && shift
targets=${*:-"scenario results_reader http_request_parser trace_parser"}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j2
status=0
for t in $targets; do
  mkdir -p "build/fuzz/corpus/$t" "build/fuzz/findings/$t"
  echo "== fuzz_$t for ${seconds}s"
  nice -n 19 "build/fuzz/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="build/fuzz/findings/$t/" "build/fuzz/corpus/$t" "tests/fuzz/corpus/$t" \
    2>"build/fuzz/fuzz_$t.log" || status=1
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' "build/fuzz/fuzz_$t.log" || true
  ls "build/fuzz/findings/$t"
done
exit $status
