#!/usr/bin/env bash
# Quick start, part 1: install what is missing, build in Release, and cluster
# the sample corpus the project ships (Arabic and English news with edited
# reprints). Clusters are printed on stdout, the summary on stderr. Then the
# Python module is installed for /usr/bin/python3 (`import neardup` from any
# directory; docs/python.md) and a three-line example runs, on stderr.
# NEARDUP_BUILD_DIR names another build directory than build/release.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/tools/install-deps.sh"
build="${NEARDUP_BUILD_DIR:-$root/build/release}"
# The Python module is named explicitly: a build directory configured
# before its dependencies were installed would otherwise keep it off.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DNEARDUP_BUILD_TESTS=OFF -DNEARDUP_BUILD_BENCHMARKS=OFF \
  -DNEARDUP_BUILD_PYTHON=ON -DPython3_EXECUTABLE=/usr/bin/python3 >/dev/null
cmake --build "$build" --target neardup_cli neardup_python -j"$(nproc)" >&2
echo >&2
echo "\$ neardup cluster tests/data/sample-news.jsonl" >&2
"$build/tools/neardup" cluster "$root/tests/data/sample-news.jsonl" "$@"

# The Python package into the default prefix's site-packages
# (/usr/local/lib/python3.11/dist-packages), which /usr/bin/python3 searches.
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
"${sudo[@]}" cmake --install "$build" --component python >/dev/null
example='import neardup
result = neardup.cluster(["The bank held its rate at 4.5%.", "The bank held its rate at 4.5 %!", "Rain is due on Friday."])
print(result["clusters"])'
{
  echo
  echo "\$ cd / && python3 -c '"
  echo "$example'"
  (cd / && /usr/bin/python3 -c "$example")
} >&2
