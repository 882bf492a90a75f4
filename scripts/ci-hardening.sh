#!/usr/bin/env bash
# CI stage for issue #9, run by scripts/test.sh (and so by .ci/run) after the normal build and suite:
#  1. ASan+UBSan build (clang 14, build-asan/) running the unit, e2e, cli, crash and fuzz-replay tests;
#  2. TSan build (clang 14, build-tsan/) running the unit and e2e tests (except the overload rate test);
#  3. every libFuzzer target for a bounded time (scripts/fuzz.sh, build-fuzz/).
# Cost measured on this 2-core machine (CPU seconds, so independent of load; wall on an idle
# machine is about half): ASan ~1400, TSan ~1080, fuzz ~150 + the fuzzing time.
# Deploy checks, integration runs (a real Prometheus) and benchmarks stay in the normal build:
# they check the shipped binary or take minutes of wall time that a sanitizer multiplies.
# Any sanitizer report, test failure or fuzzer crash fails the script (and so CI).
# Env: CCPULSE_FUZZ_SECONDS (default 20 per target), CCPULSE_JOBS (default nproc),
#      CCPULSE_HARDENING_STAGES (default "asan tsan fuzz": a subset to run).
set -euo pipefail
cd "$(dirname "$0")/.."
stages=(${CCPULSE_HARDENING_STAGES:-asan tsan fuzz})
fuzz_seconds=${CCPULSE_FUZZ_SECONDS:-20}
status=0
for stage in "${stages[@]}"; do
  start=$(date +%s)
  case "$stage" in
    asan) scripts/sanitize.sh asan -L 'unit|e2e|cli|crash|fuzz' || status=1 ;;
    # The overload test measures a rate and then paces ccpulse-sim at about twice it; under TSan
    # the sanitized sender cannot keep that pace (CI: 1.23x against the 1.25x it asserts, while
    # 70 % of the events were dropped). It runs in the Release suite and under ASan.
    tsan) scripts/sanitize.sh tsan -L 'unit|e2e' -E '^Overload\.' || status=1 ;;
    fuzz) scripts/fuzz.sh "$fuzz_seconds" || status=1 ;;
    *)
      echo "ci-hardening: unknown stage '$stage' (asan, tsan, fuzz)" >&2
      exit 2
      ;;
  esac
  echo "ci-hardening: stage $stage took $(($(date +%s) - start)) s (status so far: $status)"
done
exit "$status"
