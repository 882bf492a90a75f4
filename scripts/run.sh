#!/usr/bin/env bash
# Quick start: install what is missing, build in Release, and run ccpulsed on the default config
# with the built-in simulator feeding it. Metrics: http://127.0.0.1:9464/metrics. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build

config=${CCPULSE_CONFIG:-config/ccpulse.yaml}
build/ccpulsed --config "$config" &
daemon=$!
sim=""
cleanup() {
  trap - INT TERM EXIT
  [[ -n "$sim" ]] && kill -TERM "$sim" 2>/dev/null || true
  kill -TERM "$daemon" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

# Wait for the daemon to be ready (its sources bound) before the simulator connects.
for _ in $(seq 1 100); do
  if curl -fsS http://127.0.0.1:9464/readyz >/dev/null 2>&1; then break; fi
  if ! kill -0 "$daemon" 2>/dev/null; then wait "$daemon"; exit $?; fi
  sleep 0.1
done
build/ccpulse-sim --endpoint tcp://127.0.0.1:5555 --rate "${CCPULSE_SIM_RATE:-200}" --seed "${CCPULSE_SIM_SEED:-1}" \
  --curve "${CCPULSE_SIM_CURVE:-flat}" &
sim=$!
echo "ccpulse: metrics at http://127.0.0.1:9464/metrics (Ctrl-C to stop)"
wait "$daemon"
