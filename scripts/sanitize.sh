#!/usr/bin/env bash
# Builds with a sanitizer (CMakePresets.json) into build-asan / build-tsan and runs the whole test
# suite against the sanitized binaries (daemon, simulator, ctl, test programs): every label but
# bench. One test is left out by name: deploy.check_manifests checks that the container image
# installs the shared libraries of the shipped (Release) binary, and a sanitized binary links the
# sanitizer runtime by design. Any finding fails the run.
# Usage: scripts/sanitize.sh asan|tsan [extra ctest args...]
#   asan: AddressSanitizer + LeakSanitizer + UndefinedBehaviorSanitizer (UB aborts)
#   tsan: ThreadSanitizer (suppressions: tests/sanitizers/tsan.supp, third-party code only)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-}
case "$preset" in
  asan | tsan) shift ;;
  *)
    echo "usage: scripts/sanitize.sh asan|tsan [ctest args...]" >&2
    exit 2
    ;;
esac
jobs=${CCPULSE_JOBS:-$(nproc)}

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake --preset "$preset" "${launcher[@]}" >/dev/null
cmake --build --preset "$preset" -j "$jobs"

# The same settings as the test presets, spelled out so that the script is the reference.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:history_size=4:suppressions=$PWD/tests/sanitizers/tsan.supp}

run=()
if [[ "$preset" == tsan ]] && command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
  # TSan's shadow memory layout breaks with the high mmap randomisation of recent kernels
  # ("unexpected memory mapping"); running without ASLR avoids it and changes nothing else.
  run=(setarch "$(uname -m)" -R)
fi
cd "build-$preset"
"${run[@]}" ctest --output-on-failure -j "$jobs" -LE bench -E '^deploy\.check_manifests$' --timeout 900 "$@"
