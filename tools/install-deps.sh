#!/usr/bin/env bash
# Installs the Debian 12 packages neardup builds with, if any are missing.
# Idempotent: does nothing (and needs no network) when all are present.
# NEARDUP_FUZZ=1 also asks for clang and its libFuzzer runtime (tools/fuzz.sh);
# they are optional: if they cannot be installed, a warning says so and the
# fuzz targets are skipped.
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

fuzz_packages=(clang libclang-rt-dev)

missing_of() {
  local p status
  for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || echo "$p"
  done
}
mapfile -t missing < <(missing_of "${packages[@]}")
optional=()
if [[ "${NEARDUP_FUZZ:-0}" == 1 ]]; then
  mapfile -t optional < <(missing_of "${fuzz_packages[@]}")
fi
if ((${#missing[@]} == 0 && ${#optional[@]} == 0)); then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    if ((${#missing[@]} > 0)); then
      echo "neardup: run as root or install sudo to install: ${missing[*]}" >&2
      exit 1
    fi
    echo "neardup: warning: cannot install ${optional[*]} (not root, no" \
      "sudo); fuzz targets will be skipped" >&2
    exit 0
  fi
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
if ((${#missing[@]} > 0)); then
  echo "neardup: installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if ((${#optional[@]} > 0)); then
  echo "neardup: installing ${optional[*]} (for fuzzing)" >&2
  if ! { ((${#missing[@]} > 0)) || "${sudo[@]}" apt-get update -qq; } ||
    ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
      "${optional[@]}" >/dev/null; then
    echo "neardup: warning: could not install ${optional[*]}; fuzz targets" \
      "will be skipped" >&2
  fi
fi
