#!/usr/bin/env bash
# Installs the Debian 12 packages neardup builds with, if any are missing.
# Idempotent: does nothing (and needs no network) when all are present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libabsl-dev libxxhash-dev libicu-dev libsimdjson-dev libcli11-dev
  zlib1g-dev libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # The Python module (docs/python.md), neardup.dask, and their tests.
  python3-dev python3-pybind11 pybind11-dev python3-numpy python3-pandas
  python3-dask python3-distributed python3-pytest
  # tests/report_browser_test.py looks at `neardup report` pages in it.
  chromium
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "neardup: installing ${missing[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || {
    echo "neardup: run as root or install sudo to install: ${missing[*]}" >&2
    exit 1
  }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
