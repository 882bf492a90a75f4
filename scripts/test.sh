#!/usr/bin/env bash
# Installs what is missing, builds (warnings as errors) and runs the whole test suite with ctest.
# Then the hardening stage (scripts/ci-hardening.sh): the suite again under ASan+UBSan and under
# TSan, and every libFuzzer target for a bounded time. CCPULSE_HARDENING=0 skips that stage for
# a quick local run. Benchmarks (label bench) are not run here; see docs/performance.md.
# Each stage prints its wall time; the budget on 2 cores is 45 minutes (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
scripts/install-deps.sh
scripts/build.sh build
echo "test: install and release build took $(($(date +%s) - start)) s"
suite_start=$(date +%s)
(cd build && ctest --output-on-failure -j 2 -LE bench --timeout 600)
echo "test: release suite took $(($(date +%s) - suite_start)) s"
if [[ "${CCPULSE_HARDENING:-1}" == 1 ]]; then
  scripts/ci-hardening.sh
fi
echo "test: everything passed in $(($(date +%s) - start)) s"
