#!/usr/bin/env bash
# Scale-out integration test (issue #7): tenants split over two ccpulsed instances give the same
# numbers, summed in Prometheus, as one instance that sees everything.
#
#   - ccpulse-sim writes a fixed NDJSON file (20000 events, seed 11, tenants acme, globex, initech);
#   - three ccpulsed with `engine.clock: event`, each with a bound `sub` source, configured from
#     deploy/scale-out/ccpulse-{a,b}.yaml (ports replaced): A subscribes to `acme`, B to
#     `globex` and `initech`, reference C to everything;
#   - zmq_publish.py (Debian python3-zmq) connects one XPUB socket to the three, waits until every
#     subscription has arrived (deterministic, no probe messages), then sends each event once as
#     [tenant, json] with an unlimited send high-water mark;
#   - then one clock event per tenant at the file's last timestamp (see below why);
#   - waits until A + B and C have each decoded and applied all 20000 + 3 events;
#   - Debian's real prometheus scrapes the three (instance=a|b|c); scale_out_checks.py asserts over
#     the HTTP API that every contact counter, every *_seconds_total and the wait histogram count
#     agree between a+b and c, in total, by tenant and series by series, and that A holds only
#     acme and B no acme.
# Runtime about 15 s. Every process started here is killed on exit.
#
# usage: scale_out.sh CCPULSED CCPULSE_SIM SOURCE_DIR
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/lib.sh"

[[ $# -eq 3 ]] || fail "usage: $0 CCPULSED CCPULSE_SIM SOURCE_DIR"
CCPULSED=$1
SIM=$2
SRC=$(cd "$3" && pwd)
EVENTS=20000
# Debian's interpreter: python3-zmq and python3-yaml are Debian packages (scripts/install-deps.sh),
# and an earlier python3 in PATH (pyenv, venv) would not see them.
PY=/usr/bin/python3
need prometheus promtool curl python3
[[ -x $PY ]] || fail "$PY not found (scripts/install-deps.sh installs python3)"
"$PY" -c 'import zmq, yaml' 2>/dev/null || fail "$PY cannot import zmq and yaml (Debian packages python3-zmq, python3-yaml; scripts/install-deps.sh)"
make_tmp

{
  read -r HTTP_A; read -r HTTP_B; read -r HTTP_C
  read -r ZMQ_A; read -r ZMQ_B; read -r ZMQ_C
  read -r PROM_PORT
} < <(free_ports 7)

# The fixed event file.
"$SIM" --out "$CCP_TMP/events.ndjson" --count "$EVENTS" --seed 11 --curve flat \
  --start 2026-11-23T10:00:00Z --log-level warn
[[ $(wc -l <"$CCP_TMP/events.ndjson") -eq $EVENTS ]] || fail "ccpulse-sim did not write $EVENTS events"

# One clock event per tenant at the file's last timestamp, published after it. With
# `engine.clock: event` "now" is an instance's newest event time, and agent time
# (ccpulse_agent_{available,handling}_seconds_total) accrues up to "now": without these, A's now
# would be acme's last event while C's is the file's last event, and A's acme agents would have
# accrued less time than C's (by design, not a scale-out error; live, with the system clock, every
# instance accrues to the wall clock). An agent.logout of an agent that never logged in changes no
# compared counter (it is counted in ccpulse_events_unmatched_total).
"$PY" - "$CCP_TMP/events.ndjson" >"$CCP_TMP/clock.ndjson" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
for tenant in sorted({e["tenant"] for e in events}):
    print(json.dumps({"type": "agent.logout", "ts": events[-1]["ts"], "source": "scale-out-clock",
                      "tenant": tenant, "agent": "scale-out-clock"}, separators=(",", ":")))
PY
[[ $(wc -l <"$CCP_TMP/clock.ndjson") -eq 3 ]] || fail "event file tenants are not acme, globex, initech"
cat "$CCP_TMP/events.ndjson" "$CCP_TMP/clock.ndjson" >"$CCP_TMP/publish.ndjson"
TOTAL=$((EVENTS + 3))

# make_config EXAMPLE OUT HTTP_PORT ZMQ_PORT [SUBSCRIBE_JSON]: the example config with loopback
# ports, event-time clock and, if given, another subscribe list.
make_config() {
  "$PY" - "$@" <<'PY'
import json, sys, yaml
example, out, http_port, zmq_port = sys.argv[1:5]
with open(example) as f:
    cfg = yaml.safe_load(f)
cfg["http"]["listen"] = f"127.0.0.1:{http_port}"
(source,) = cfg["sources"]
assert source["socket"] == "sub" and source["bind"] is True, source
source["endpoint"] = f"tcp://127.0.0.1:{zmq_port}"
if len(sys.argv) > 5:
    source["subscribe"] = json.loads(sys.argv[5])
cfg.setdefault("engine", {})["clock"] = "event"
with open(out, "w") as f:
    yaml.safe_dump(cfg, f, sort_keys=False)
PY
}
make_config "$SRC/deploy/scale-out/ccpulse-a.yaml" "$CCP_TMP/a.yaml" "$HTTP_A" "$ZMQ_A"
make_config "$SRC/deploy/scale-out/ccpulse-b.yaml" "$CCP_TMP/b.yaml" "$HTTP_B" "$ZMQ_B"
make_config "$SRC/deploy/scale-out/ccpulse-a.yaml" "$CCP_TMP/c.yaml" "$HTTP_C" "$ZMQ_C" '[]'
grep -q 'acme' "$CCP_TMP/a.yaml" && grep -q 'globex' "$CCP_TMP/b.yaml" && grep -q 'initech' "$CCP_TMP/b.yaml" \
  || fail "example configs no longer split acme | globex, initech"

cat >"$CCP_TMP/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: ccpulse
    static_configs:
      - targets: ["127.0.0.1:$HTTP_A"]
        labels: {instance: a}
      - targets: ["127.0.0.1:$HTTP_B"]
        labels: {instance: b}
      - targets: ["127.0.0.1:$HTTP_C"]
        labels: {instance: c}
YAML
promtool check config "$CCP_TMP/prometheus.yml" >/dev/null || fail "generated prometheus.yml invalid"

dump_logs() {
  local f
  for f in a.log b.log c.log publish.log prometheus.log; do
    [[ -f $CCP_TMP/$f ]] || continue
    echo "---- $f (tail)" >&2
    tail -n 20 "$CCP_TMP/$f" >&2 || true
  done
}
trap 'rc=$?; ((rc == 0)) || dump_logs; ccp_cleanup' EXIT

for i in a b c; do
  spawn "$CCP_TMP/$i.log" "$CCPULSED" --config "$CCP_TMP/$i.yaml" --log-level warn
done
for port in "$HTTP_A" "$HTTP_B" "$HTTP_C"; do
  wait_until 20 "ccpulsed :$port /readyz" curl -sf "http://127.0.0.1:$port/readyz"
done
spawn "$CCP_TMP/prometheus.log" prometheus \
  --config.file="$CCP_TMP/prometheus.yml" \
  --storage.tsdb.path="$CCP_TMP/data" \
  --storage.tsdb.retention.time=1h \
  --web.listen-address="127.0.0.1:$PROM_PORT" \
  --log.level=warn

# Publish every event once (foreground: it exits when everything is written).
timeout 60 "$PY" "$HERE/zmq_publish.py" --file "$CCP_TMP/publish.ndjson" \
  --connect "tcp://127.0.0.1:$ZMQ_A" --connect "tcp://127.0.0.1:$ZMQ_B" --connect "tcp://127.0.0.1:$ZMQ_C" \
  --expect acme --expect globex --expect initech --expect "" >"$CCP_TMP/publish.log" 2>&1 \
  || fail "publisher failed: $(cat "$CCP_TMP/publish.log")"

# counter URL FAMILY: the sum of every sample of a family in the daemon's exposition (0 if none).
counter() {
  curl -sf "$1" | awk -v f="$2" '
    index($0, f "{") == 1 || index($0, f " ") == 1 { s += $NF }
    END { printf "%d\n", s }'
}
# settled: every event decoded (A + B = C = all 20000 + 3 clock events), and every decoded event
# applied by the shards
# (applied >= decoded: a contact event naming an agent is applied on two shards).
settled() {
  local a b c i url dec app
  a=$(counter "http://127.0.0.1:$HTTP_A/metrics" ccpulse_events_decoded_total)
  b=$(counter "http://127.0.0.1:$HTTP_B/metrics" ccpulse_events_decoded_total)
  c=$(counter "http://127.0.0.1:$HTTP_C/metrics" ccpulse_events_decoded_total)
  echo "decoded: a=$a b=$b c=$c"
  ((a + b == TOTAL && c == TOTAL)) || return 1
  for i in "$HTTP_A" "$HTTP_B" "$HTTP_C"; do
    url="http://127.0.0.1:$i/metrics"
    dec=$(counter "$url" ccpulse_events_decoded_total)
    app=$(counter "$url" ccpulse_events_applied_total)
    ((app >= dec)) || return 1
    [[ $(counter "$url" ccpulse_ring_occupancy) == 0 ]] || return 1
  done
}
wait_until 30 "A + B and C decoded and applied $TOTAL events" settled
settled

wait_until 30 "prometheus /-/ready" curl -sf "http://127.0.0.1:$PROM_PORT/-/ready"
"$PY" "$HERE/scale_out_checks.py" --prometheus "http://127.0.0.1:$PROM_PORT" \
  --metrics a="http://127.0.0.1:$HTTP_A/metrics" b="http://127.0.0.1:$HTTP_B/metrics" \
  c="http://127.0.0.1:$HTTP_C/metrics" \
  || fail "scale-out checks against Prometheus failed"

for pid in "${CCP_PIDS[@]}"; do
  kill -0 "$pid" 2>/dev/null || fail "process $pid exited during the test"
done
echo "PASS: scale-out (a + b == c)"
