#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with Debian's clang under ASan
# and UBSan in build/fuzz, and runs each for SECONDS (default 60), or only
# the targets named:
#
#   tools/fuzz.sh [SECONDS] [TARGET...]
#   nice -n 10 tools/fuzz.sh 3600 corpus_fuzzer     # one CPU-hour, one target
#
# Each target starts from its seeds in tests/fuzz/corpus/TARGET and grows a
# working corpus in build/fuzz/corpus/TARGET, kept between runs (so a long
# campaign can be run in pieces). A line per target reports CPU seconds,
# executions, coverage (edges) and features. A finding (crash, broken
# promise, leak, timeout, out of memory) fails the script and its input is
# kept in build/fuzz/findings/TARGET/ with the command that replays it.
# NEARDUP_FUZZ_FLAGS adds libFuzzer flags (e.g. "-jobs=2 -workers=2").
# Needs clang (NEARDUP_FUZZ=1 tools/install-deps.sh installs it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build/fuzz
all_targets=(corpus_fuzzer normalize_fuzzer passage_fuzzer eval_fuzzer
  index_open_fuzzer index_log_fuzzer index_snapshot_fuzzer)

seconds=60
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  seconds=$1
  shift
fi
targets=("$@")
((${#targets[@]} > 0)) || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || {
    echo "fuzz.sh: unknown target $t (targets: ${all_targets[*]})" >&2
    exit 2
  }
done
command -v clang++ >/dev/null || {
  echo "fuzz.sh: clang++ not found; run NEARDUP_FUZZ=1 tools/install-deps.sh" >&2
  exit 2
}

CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNEARDUP_FUZZ=ON \
  -DNEARDUP_BUILD_TOOLS=OFF -DNEARDUP_BUILD_BENCHMARKS=OFF \
  -DNEARDUP_INSTALL=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

# UBSan reports abort too, so libFuzzer keeps their inputs.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
failed=()
summary=()
for t in "${targets[@]}"; do
  work=$build/corpus/$t
  findings=$build/findings/$t
  seeds=$root/tests/fuzz/corpus/$t
  mkdir -p "$work" "$findings"
  if [[ $t == index_*_fuzzer && -z $(ls -A "$work") ]]; then
    # Its seeds are patches to an index it builds itself.
    NEARDUP_FUZZ_WRITE_SEEDS=$work "$build/tests/$t" -runs=0 >/dev/null 2>&1
  fi
  dirs=("$work")
  [[ -d $seeds ]] && dirs+=("$seeds")
  log=$build/$t.log
  echo "fuzz.sh: $t for ${seconds}s (log: $log)"
  status=0
  TIMEFORMAT='%U %S'
  { time "$build/tests/$t" -max_total_time="$seconds" -timeout=60 \
    -rss_limit_mb=2560 -max_len=16384 -print_final_stats=1 \
    -artifact_prefix="$findings/" ${NEARDUP_FUZZ_FLAGS:-} \
    "${dirs[@]}" >"$log" 2>&1; } 2>"$build/$t.time" || status=$?
  read -r user sys <"$build/$t.time" || true
  cpu=$(awk -v u="${user:-0}" -v s="${sys:-0}" 'BEGIN {printf "%.0f", u + s}')
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
  result=ok
  if ((status != 0)); then
    result="FINDING (exit $status)"
    failed+=("$t")
    crash=$(grep -o "Test unit written to .*" "$log" | tail -1 |
      sed 's/Test unit written to //' || true)
    {
      echo "fuzz.sh: $t: $result; input: ${crash:-see $log}"
      echo "  replay: $build/tests/$t ${crash:-INPUT}"
      grep -E "broken promise|ERROR: |SUMMARY: " "$log" | head -5 | sed 's/^/  /'
    } >&2
  fi
  line=$(printf '%-21s %6ss CPU  %12s execs  cov %6s  ft %7s  corpus %6s  %s' \
    "$t" "$cpu" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result")
  echo "$line"
  summary+=("$line")
done
echo "fuzz.sh: summary (${seconds}s per target)"
printf '  %s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
  echo "fuzz.sh: findings in ${failed[*]}; inputs kept in $build/findings/" >&2
  exit 1
fi
