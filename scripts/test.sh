#!/usr/bin/env bash
# Installs what is missing, builds (warnings as errors) and runs the whole test suite with ctest.
# Benchmarks (label bench) are not run here; see docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
cd build
ctest --output-on-failure -j 2 -LE bench --timeout 600
