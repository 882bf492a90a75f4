#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang, ASan and UBSan into build-fuzz and runs
# each one for a bounded time on a copy of its checked-in seed corpus.
# Usage: scripts/fuzz.sh [seconds-per-target]   (default 60)
# Env: CCPULSE_FUZZ_TARGETS="json_decoder config_loader" (a subset; default: every tests/fuzz/fuzz_*.cpp),
#      CCPULSE_FUZZ_CXX (default clang++-14, else clang++), CCPULSE_FUZZ_BUILD_DIR (default build-fuzz).
# New inputs accumulate in $build_dir/corpus/<target>/ (reused by the next run). A crash leaves
# its input in $build_dir/artifacts/<target>/; fix the bug, then add that input to
# tests/fuzz/corpus/<target>/ so the ordinary ctest run (fuzz_replay.<target>) keeps it fixed.
# Exit status: 0 when no target failed, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || ((seconds == 0)); then
  echo "usage: scripts/fuzz.sh [seconds-per-target]" >&2
  exit 2
fi
build_dir=${CCPULSE_FUZZ_BUILD_DIR:-build-fuzz}
# Every tests/fuzz/fuzz_<name>.cpp is a target, so a new decoder's fuzzer is run without editing this.
all_targets=()
for f in tests/fuzz/fuzz_*.cpp; do
  name=$(basename "$f" .cpp)
  all_targets+=("${name#fuzz_}")
done
targets=(${CCPULSE_FUZZ_TARGETS:-${all_targets[*]}})
cxx=${CCPULSE_FUZZ_CXX:-}
if [[ -z "$cxx" ]]; then
  cxx=$(command -v clang++-14 || command -v clang++ || true)
fi
if [[ -z "$cxx" ]]; then
  echo "fuzz: clang++ not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 1
fi

generator=()
if command -v ninja >/dev/null 2>&1; then
  generator=(-G Ninja)
fi
# -O1 -g without NDEBUG: fast enough to fuzz, asserts stay on, stacks stay readable.
cmake -S . -B "$build_dir" "${generator[@]}" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g" -DCCPULSE_FUZZ=ON -DCCPULSE_WERROR=OFF >/dev/null
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
cmake --build "$build_dir" -j "$(nproc)" --target "${build_targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
failed=()
for t in "${targets[@]}"; do
  corpus="$build_dir/corpus/$t"
  artifacts="$build_dir/artifacts/$t/"
  mkdir -p "$corpus" "$artifacts"
  cp -n tests/fuzz/corpus/"$t"/* "$corpus"/  # a copy: fuzzing never writes into the source tree
  dict=()
  if [[ -f tests/fuzz/$t.dict ]]; then dict=(-dict="tests/fuzz/$t.dict"); fi
  echo "fuzz: $t for ${seconds}s ($(ls "$corpus" | wc -l) inputs in $corpus)"
  log="$build_dir/fuzz-$t.log"
  if "$build_dir/tests/fuzz/fuzz_$t" "$corpus" "${dict[@]}" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=8192 -print_final_stats=1 -artifact_prefix="$artifacts" >"$log" 2>&1; then
    echo "fuzz: $t ok: $(grep -E 'stat::number_of_executed_units|stat::new_units_added' "$log" | tr -s ' ' | paste -sd ' ')"
  else
    echo "fuzz: $t FAILED; log $log, input(s) in $artifacts" >&2
    grep -E 'ERROR|invariant|runtime error|SUMMARY' "$log" | head -n 20 >&2 || true
    failed+=("$t")
  fi
done
if ((${#failed[@]} > 0)); then
  echo "fuzz: failures in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: all ${#targets[@]} target(s) ran ${seconds}s without a failure"
