#!/usr/bin/env bash
# CI stage for issue #9, run by scripts/test.sh (and so by .ci/run) after the normal build and suite:
#  1. ASan+UBSan build (clang 14, build-asan/) running the whole suite (scripts/sanitize.sh);
#  2. TSan build (clang 14, build-tsan/) running the whole suite;
#  3. every libFuzzer target for a bounded time (scripts/fuzz.sh, build-fuzz/).
# Cost measured on this 2-core machine (CPU seconds, so independent of load; wall on an idle
# machine is about half): ASan ~1400, TSan ~1080, fuzz ~150 + the fuzzing time.
# "The whole suite" is every ctest label but bench (CI skips benchmarks everywhere), with the one
# exclusion scripts/sanitize.sh names: the packaging check of the shipped binary.
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
    asan) scripts/sanitize.sh asan || status=1 ;;
    tsan) scripts/sanitize.sh tsan || status=1 ;;
    fuzz) scripts/fuzz.sh "$fuzz_seconds" || status=1 ;;
    *)
      echo "ci-hardening: unknown stage '$stage' (asan, tsan, fuzz)" >&2
      exit 2
      ;;
  esac
  echo "ci-hardening: stage $stage took $(($(date +%s) - start)) s (status so far: $status)"
done
exit "$status"
