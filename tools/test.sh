#!/usr/bin/env bash
# Quick start, part 2: install what is missing, build everything (library,
# tool, Python module, tests, benchmarks) and run every test except those
# labelled slow. The Python tests (pytest) are ctest tests labelled python,
# so they run and count here too.
# Set NEARDUP_SANITIZE=1 to run the suite again under ASan and UBSan,
# NEARDUP_TSAN=1 to run the ThreadSanitizer suite (tests labelled tsan, in
# build/tsan), NEARDUP_FUZZ_SECONDS=N to run every fuzz target for N
# seconds (tools/fuzz.sh; skipped with a message when clang is missing), and
# NEARDUP_SLOW=1 to include the slow tests.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NEARDUP_FUZZ=$([[ -n "${NEARDUP_FUZZ_SECONDS:-}" ]] && echo 1 || echo 0) \
  "$root/tools/install-deps.sh"
jobs=$(nproc)

run_suite() {
  local build=$1
  shift
  cmake -S "$root" -B "$build" -G Ninja "$@" >/dev/null
  cmake --build "$build" -j"$jobs"
  local select=(-LE slow)
  [[ "${NEARDUP_SLOW:-0}" == 1 ]] && select=()
  ctest --test-dir "$build" --output-on-failure -j"$jobs" "${select[@]}"
}

run_suite "$root/build/release" -DCMAKE_BUILD_TYPE=Release
if [[ "${NEARDUP_SANITIZE:-0}" == 1 ]]; then
  run_suite "$root/build/asan" -DCMAKE_BUILD_TYPE=Debug \
    -DNEARDUP_SANITIZE="address;undefined" -DNEARDUP_BUILD_BENCHMARKS=OFF
fi
if [[ "${NEARDUP_TSAN:-0}" == 1 ]]; then
  # Only the tsan label: the whole suite under TSan would take most of an
  # hour on two cores. halt_on_error makes a race fail its test.
  build=$root/build/tsan
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNEARDUP_SANITIZE=thread -DNEARDUP_BUILD_BENCHMARKS=OFF \
    -DNEARDUP_BUILD_TOOLS=OFF >/dev/null
  cmake --build "$build" -j"$jobs" --target tsan_test
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}" \
    ctest --test-dir "$build" --output-on-failure -j"$jobs" -L tsan
fi
if [[ -n "${NEARDUP_FUZZ_SECONDS:-}" ]]; then
  if command -v clang++ >/dev/null; then
    "$root/tools/fuzz.sh" "$NEARDUP_FUZZ_SECONDS"
  else
    echo "test.sh: clang++ not found; fuzz targets skipped" \
      "(NEARDUP_FUZZ=1 tools/install-deps.sh installs it)" >&2
  fi
fi
