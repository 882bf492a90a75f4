#!/usr/bin/env bash
# `promtool check metrics` on a real scrape: starts ccpulsed on free loopback ports, feeds it 20000
# simulated events, scrapes /metrics and asserts promtool reports no findings (names, units,
# HELP/TYPE, counter suffixes).
#
# usage: check_metrics.sh CCPULSED CCPULSE_SIM
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[[ $# -eq 2 ]] || fail "usage: $0 CCPULSED CCPULSE_SIM"
CCPULSED=$1
SIM=$2
need promtool curl python3
make_tmp

{ read -r HTTP_PORT; read -r ZMQ_PORT; } < <(free_ports 2)
cat >"$CCP_TMP/ccpulse.yaml" <<YAML
http:
  listen: 127.0.0.1:$HTTP_PORT
sources:
  - name: sim
    endpoint: tcp://127.0.0.1:$ZMQ_PORT
engine:
  publish_interval: 100ms
# The ccpulse_contract_* families are linted too (they are exported with a contract configured).
contracts:
  agreements:
    - name: acme-talkwise
      tenant: acme
      vendor: talkwise
      terms:
        - {name: voice-sl, measure: service_level, target: 0.8, period: day}
        - {name: aht, measure: aht_band, min: 120, max: 600, period: week}
YAML

spawn "$CCP_TMP/ccpulsed.log" "$CCPULSED" --config "$CCP_TMP/ccpulse.yaml"
wait_until 20 "ccpulsed /readyz" curl -sf "http://127.0.0.1:$HTTP_PORT/readyz"

COUNT=20000
# A long linger: on a loaded machine the daemon may drain slower than the sim sends, and the
# default 2 s linger would drop what is still queued when the sim exits.
"$SIM" --count "$COUNT" --fast --seed 3 --endpoint "tcp://127.0.0.1:$ZMQ_PORT" --log-level warn --linger 60000 \
  2>"$CCP_TMP/sim.log" || { cat "$CCP_TMP/sim.log" >&2; fail "ccpulse-sim failed"; }

METRICS="http://127.0.0.1:$HTTP_PORT/metrics"
applied() {
  local v
  v=$(metric_value "$METRICS" "ccpulse_events_received_total{source=\"sim\"}") || return 1
  [[ ${v%.*} -eq $COUNT ]]
}
wait_until 30 "all $COUNT events received" applied
# Windowed gauges are published every publish_interval; wait until they exist.
wait_until 10 "service level gauges published" \
  bash -c "curl -sf '$METRICS' | grep -q '^ccpulse_service_level{'"

curl -sf "$METRICS" >"$CCP_TMP/scrape.txt"
lines=$(grep -vc '^#' "$CCP_TMP/scrape.txt" || true)
families=$(grep -c '^# TYPE ' "$CCP_TMP/scrape.txt" || true)
echo "scrape: $lines samples in $families families"
((families >= 40)) || fail "scrape has only $families metric families"

set +e
findings=$(promtool check metrics <"$CCP_TMP/scrape.txt" 2>&1)
rc=$?
set -e
if [[ $rc -ne 0 || -n "$findings" ]]; then
  echo "$findings" >&2
  fail "promtool check metrics reported findings (exit $rc)"
fi
echo "PASS: promtool check metrics: no findings"
