#!/usr/bin/env bash
# Side-by-side with a peer (issue #10): the same NDJSON events through mtail (Debian package
# `mtail`, program bench/mtail/ccpulse_counts.mtail) and through ccpulse (`ccpulsectl replay`:
# the real decoder and engine, one thread). Checks that both count the same contacts offered,
# answered and abandoned per queue, and reports each one's wall time (median of REPS runs) and
# the throughput ratio. Usage: bench/mtail_compare.sh BUILD_DIR [EVENTS] [REPS]
set -euo pipefail
build=$(cd "$1" && pwd)
events=${2:-1000000}
reps=${3:-5}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$build/ccpulse-sim" --out "$tmp/events.ndjson" --count "$events" --seed 5 --curve flat \
  --tenants 20 --queues-per-tenant 10 --start 2026-11-23T10:00:00Z --log-level warn
lines=$(wc -l < "$tmp/events.ndjson")
echo "events: $lines lines, $(du -m "$tmp/events.ndjson" | cut -f1) MB; load $(cut -d' ' -f1 /proc/loadavg)"

now() { date +%s%N; }
mtail_times=()
ccpulse_times=()
for ((i = 1; i <= reps; i++)); do
  t0=$(now)
  mtail --one_shot --one_shot_format prometheus --progs "$src/bench/mtail" --logs "$tmp/events.ndjson" \
    --logtostderr=false --emit_prog_label=false > "$tmp/mtail.prom" 2> "$tmp/mtail.err"
  t1=$(now)
  "$build/ccpulsectl" replay --config "$src/config/ccpulse.yaml" "$tmp/events.ndjson" > "$tmp/ccpulse.prom"
  t2=$(now)
  mtail_times+=("$(((t1 - t0) / 1000000))")
  ccpulse_times+=("$(((t2 - t1) / 1000000))")
  echo "run $i: mtail ${mtail_times[-1]} ms, ccpulse ${ccpulse_times[-1]} ms; load $(cut -d' ' -f1 /proc/loadavg)"
done

/usr/bin/python3 - "$tmp/mtail.prom" "$tmp/ccpulse.prom" "$lines" "${mtail_times[*]}" "${ccpulse_times[*]}" <<'PY'
import re, statistics, sys
mtail_path, ccpulse_path, lines, mt, ct = sys.argv[1:]
sample = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
label = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')
def per_queue(path, names):
    out = {k: {} for k in names.values()}
    for line in open(path):
        m = sample.match(line)
        if not m or m.group(1) not in names:
            continue
        labels = dict(label.findall(m.group(3) or ""))
        d = out[names[m.group(1)]]
        d[labels["queue"]] = d.get(labels["queue"], 0) + float(m.group(4))
    return out
mtail = per_queue(mtail_path, {"ccpulse_mtail_offered_total": "offered", "ccpulse_mtail_answered_total": "answered",
                               "ccpulse_mtail_abandoned_total": "abandoned"})
ccp = per_queue(ccpulse_path, {"ccpulse_contacts_offered_total": "offered", "ccpulse_contacts_answered_total": "answered",
                               "ccpulse_contacts_abandoned_total": "abandoned"})
ok = True
for what in ("offered", "answered", "abandoned"):
    a, b = mtail[what], ccp[what]
    diff = {q for q in set(a) | set(b) if a.get(q, 0) != b.get(q, 0)}
    print(f"{what}: {len(b)} queues, total mtail {sum(a.values()):.0f}, ccpulse {sum(b.values()):.0f}, "
          f"queues differing {len(diff)}")
    ok = ok and not diff and (what != "offered" or len(a) > 0)
m = statistics.median(float(x) for x in mt.split()) / 1000
c = statistics.median(float(x) for x in ct.split()) / 1000
n = int(lines)
print(f"median wall time: mtail {m:.3f} s ({n / m:,.0f} events/s), ccpulse replay {c:.3f} s ({n / c:,.0f} events/s); "
      f"ccpulse / mtail throughput = {m / c:.2f}")
print("counts agree" if ok else "COUNTS DISAGREE")
sys.exit(0 if ok else 1)
PY
