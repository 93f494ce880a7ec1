#!/usr/bin/env bash
# Install the project into .venv, with the system packages it needs (Debian/Ubuntu).
#   scripts/install.sh          the service
#   scripts/install.sh --test   the service and everything the test suite needs
#   scripts/install.sh --bench  the test set-up plus the load generator the benchmarks drive (wrk)
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
with_bench=0
for arg in "$@"; do
  case "$arg" in
    --test) with_tests=1 ;;
    --bench) with_tests=1; with_bench=1 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

# System packages, installed only when missing (apt needs root; sudo is used if present).
packages=()
need() { dpkg -s "$1" >/dev/null 2>&1 || packages+=("$1"); }
if command -v dpkg >/dev/null 2>&1; then
  need python3-venv
  if [ -f scripts/system-packages.txt ]; then
    while read -r pkg scope; do
      [ -z "$pkg" ] || [ "${pkg:0:1}" = "#" ] && continue
      if [ "$scope" = "all" ] || { [ "$scope" = "test" ] && [ "$with_tests" = 1 ]; } \
        || { [ "$scope" = "bench" ] && [ "$with_bench" = 1 ]; }; then need "$pkg"; fi
    done < scripts/system-packages.txt
  fi
  if [ "${#packages[@]}" -gt 0 ]; then
    sudo_cmd=""
    [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo_cmd="sudo"
    echo "installing system packages: ${packages[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$with_bench" = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[bench]"
elif [ "$with_tests" = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q -e .
fi
