#!/usr/bin/env bash
# Integration test against the real monitoring stack: the Debian `prometheus` binary, on loopback
# with its own temp storage, loads the repository's rule files and scrapes a ccpulsed fed by
# ccpulse-sim in real time (paced, 400 events/s). Then (tests/deploy/prometheus_checks.py):
#   - every recording rule returns data;
#   - the service level Prometheus computes from the counters equals the daemon's own gauge
#     within 1 percentage point (the daemon runs a 1m window of 1s buckets; the reasoning is in
#     prometheus_checks.py);
#   - every Grafana dashboard query in deploy/grafana/dashboards returns data.
# Runtime about 80 s. Every process started here is killed on exit.
#
# usage: prometheus_integration.sh CCPULSED CCPULSE_SIM SOURCE_DIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

[[ $# -eq 3 ]] || fail "usage: $0 CCPULSED CCPULSE_SIM SOURCE_DIR"
CCPULSED=$1
SIM=$2
SRC=$(cd "$3" && pwd)
need prometheus promtool curl python3
make_tmp

{ read -r HTTP_PORT; read -r ZMQ_PORT; read -r PROM_PORT; } < <(free_ports 3)

cat >"$CCP_TMP/ccpulse.yaml" <<YAML
http:
  listen: 127.0.0.1:$HTTP_PORT
sources:
  - name: sim
    endpoint: tcp://127.0.0.1:$ZMQ_PORT
engine:
  # The window Prometheus's [1m] range is compared with, at 1 s granularity.
  windows: [1m]
  window_bucket: 1s
  publish_interval: 100ms
# A contract for the contract scorecard dashboard; 1-minute intervals so attainment (from closed
# intervals) has data within the run.
intervals:
  length: 1m
  late_tolerance: 1s
contracts:
  agreements:
    - name: acme-talkwise
      tenant: acme
      vendor: talkwise
      monthly_fee: 1000
      terms:
        - name: voice-sl
          measure: service_level
          target: 0.8
          period: day
          service_credit: {percent: 2, cap_percent: 10}
YAML

RULES="$SRC/deploy/prometheus/rules"
cat >"$CCP_TMP/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES/ccpulse-recording.yml
  - $RULES/ccpulse-alerts.yml
scrape_configs:
  - job_name: ccpulse
    static_configs:
      - targets: ["127.0.0.1:$HTTP_PORT"]
YAML
promtool check config "$CCP_TMP/prometheus.yml" >/dev/null || fail "generated prometheus.yml invalid"

spawn "$CCP_TMP/ccpulsed.log" "$CCPULSED" --config "$CCP_TMP/ccpulse.yaml"
wait_until 20 "ccpulsed /readyz" curl -sf "http://127.0.0.1:$HTTP_PORT/readyz"

spawn "$CCP_TMP/prometheus.log" prometheus \
  --config.file="$CCP_TMP/prometheus.yml" \
  --storage.tsdb.path="$CCP_TMP/data" \
  --storage.tsdb.retention.time=1h \
  --web.listen-address="127.0.0.1:$PROM_PORT" \
  --log.level=warn
wait_until 30 "prometheus /-/ready" curl -sf "http://127.0.0.1:$PROM_PORT/-/ready"

# Real-time traffic at a constant 400 events/s (the daily curve would be quiet at night) on 2
# tenants x (voice, chat), deliberately understaffed so service levels are neither 0 nor 1
# everywhere (with seed 11: voice ~0 %, chat ~75 %, ~180 outcomes per queue and minute; the first
# wrap-up, needed by the AHT rules, comes after ~70 s). With the default staffing every queue sits
# at 100 %, which would not tell one formula from another.
spawn "$CCP_TMP/sim.log" "$SIM" --paced --curve flat --rate 400 --seed 11 \
  --tenants 2 --queues-per-tenant 2 --agents-per-queue 150 \
  --endpoint "tcp://127.0.0.1:$ZMQ_PORT" --log-level warn

dump_logs() {
  local f
  for f in ccpulsed.log prometheus.log sim.log; do
    echo "---- $f (tail)" >&2
    tail -n 20 "$CCP_TMP/$f" >&2 || true
  done
}

n_rules=$(grep -c -- '- record:' "$RULES/ccpulse-recording.yml")
dashboards=()
if [[ -d "$SRC/deploy/grafana/dashboards" ]]; then
  mapfile -t dashboards < <(find "$SRC/deploy/grafana/dashboards" -name '*.json' | sort)
fi
if ! python3 "$HERE/prometheus_checks.py" --prometheus "http://127.0.0.1:$PROM_PORT" \
  --recording-rules "$n_rules" ${dashboards[@]+--dashboards "${dashboards[@]}"}; then
  dump_logs
  fail "checks against Prometheus failed"
fi
# No process may have died during the run.
for pid in "${CCP_PIDS[@]}"; do
  kill -0 "$pid" 2>/dev/null || { dump_logs; fail "process $pid exited during the test"; }
done
echo "PASS: Prometheus integration"
