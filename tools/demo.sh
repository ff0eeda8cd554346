#!/usr/bin/env bash
# Quick start, part 1: install what is missing, build in Release, and cluster
# the sample corpus the project ships (Arabic and English news with edited
# reprints). Clusters are printed on stdout, the summary on stderr.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/tools/install-deps.sh"
build="$root/build/release"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DNEARDUP_BUILD_TESTS=OFF -DNEARDUP_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target neardup_cli -j"$(nproc)" >&2
echo >&2
echo "\$ neardup cluster tests/data/sample-news.jsonl" >&2
"$build/tools/neardup" cluster "$root/tests/data/sample-news.jsonl" "$@"
