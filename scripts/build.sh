#!/usr/bin/env bash
# Configures and builds ccpulse. Usage: scripts/build.sh [build-dir] [extra cmake args...]
# Env: CCPULSE_BUILD_TYPE (default Release), CCPULSE_WERROR (default ON, as in CI, so that the run and
# test commands share one build directory without rebuilding).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
shift || true
generator=()
if command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
if [[ -f "$build_dir/CMakeCache.txt" ]] && ! grep -q "CMAKE_HOME_DIRECTORY:INTERNAL=$(pwd)$" "$build_dir/CMakeCache.txt"; then
  rm -rf "$build_dir"  # a cache from another checkout cannot be reused
fi
cmake -S . -B "$build_dir" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE="${CCPULSE_BUILD_TYPE:-Release}" \
  -DCCPULSE_WERROR="${CCPULSE_WERROR:-ON}" "$@"
cmake --build "$build_dir" -j "$(nproc)"
