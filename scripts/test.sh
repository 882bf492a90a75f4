#!/usr/bin/env bash
# Installs what is missing, builds (warnings as errors) and runs the whole test suite with ctest.
# Benchmarks (label bench) are not run here; see docs/performance.md. Then the sanitizer and
# fuzzing stage (scripts/ci-hardening.sh: ASan+UBSan, TSan, libFuzzer); CCPULSE_SKIP_HARDENING=1
# skips it for a quick local run (CI never sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
cd build
ctest --output-on-failure -j 2 -LE bench --timeout 600
cd ..
if [[ "${CCPULSE_SKIP_HARDENING:-0}" != 1 ]]; then
  scripts/ci-hardening.sh
fi
