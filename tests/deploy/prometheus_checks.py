#!/usr/bin/env python3
"""Checks run against a live Prometheus scraping a live ccpulsed (prometheus_integration.sh).

1. Every recording rule of the repository's rule files is loaded, healthy and returns data.
2. The service level Prometheus computes from the daemon's counters equals the daemon's own
   ccpulse_service_level gauge within 1 percentage point, per queue (see COMPARISON below).
3. Optionally (--dashboards DIR), every PromQL target of every Grafana dashboard returns data,
   template variables replaced by `.*`, except panels on metrics not exported yet.

COMPARISON. The daemon's gauge ccpulse_service_level{window="1m"} is computed from event-time
buckets of engine.window_bucket (the test sets 1s) covering the last 60 one-second buckets up to
the publish time. Prometheus computes the same formula from counters with rate()/increase() over
a sliding [1m] range ending at the evaluation time. To compare like with like we:
  - take the expression of the recording rule queue:ccpulse_service_level:ratio_rate5m, expand
    the recording rules it references into their own expressions, and change the range from [5m]
    to [1m], so exactly the repository's formula is evaluated over the daemon's window length;
  - evaluate both at the timestamp `at` of the newest scrape, so the gauge sample and the newest
    counter samples come from the same scrape;
  - start the range where the daemon's window starts: its 60 buckets end with the bucket holding
    "now" (the publish time, just before the scrape), so they begin at the whole second
    floor(at) - 59. A ratio of two rate()s over one range is the ratio of the counters' increases
    between the first and the last sample inside the range (extrapolation scales both alike), so
    the range is chosen to start just before the scrape sample closest to that second (at most
    half a scrape interval, 0.5 s, away). A plain [1m] is up to 1 s off, which is enough to bias
    the comparison by ~1 point on a queue whose service level is trending;
  - only compare queues with enough outcomes in the window (MIN_OUTCOMES): the two windows differ
    at their edges by up to ~1 s of events (bucket alignment, scrape-time vs event-time,
    Prometheus's extrapolation to the range boundaries), which moves a ratio of a handful of
    contacts by more than 1 point but a ratio of >= MIN_OUTCOMES by well under it.
A 5m range would need a 5 minute run; with the rule's own expression at [1m] the run stays short
while still checking the rule's formula, labels and aggregation against the daemon.
"""
import argparse
import json
import math
import re
import sys
import time
import urllib.parse
import urllib.request

MIN_OUTCOMES = 100
MIN_COMPARED = 3
TOLERANCE = 0.01

# Dashboard panels whose metrics the daemon does not export yet (none at the moment).
PLANNED_METRICS: tuple = ()


class Prom:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def get(self, path, **params):
        q = urllib.parse.urlencode(params)
        with urllib.request.urlopen(f"{self.url}{path}?{q}", timeout=10) as r:
            body = json.load(r)
        if body.get("status") != "success":
            raise RuntimeError(f"{path} {params}: {body}")
        return body["data"]

    def query(self, expr, at=None):
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        return self.get("/api/v1/query", **params)["result"]


def log(msg):
    print(msg, flush=True)


def poll(deadline_s, what, fn):
    """Calls fn until it returns a truthy value; fails after deadline_s seconds."""
    deadline = time.monotonic() + deadline_s
    last_err = None
    while True:
        try:
            v = fn()
            if v:
                return v
        except Exception as e:  # Prometheus not ready yet, etc.
            last_err = e
        if time.monotonic() > deadline:
            sys.exit(f"FAIL: timed out after {deadline_s}s waiting for {what}"
                     + (f" (last error: {last_err})" if last_err else ""))
        time.sleep(0.25)


def recording_rules(prom):
    rules = {}
    for g in prom.get("/api/v1/rules", type="record")["groups"]:
        for r in g["rules"]:
            rules[r["name"]] = r
    return rules


def expand(expr, rules, depth=0):
    """Replaces every recording-rule name in expr with its own expression, recursively."""
    if depth > 10:
        raise RuntimeError("recording rules nest too deep")
    names = sorted(rules, key=len, reverse=True)
    pattern = re.compile(r"(?<![A-Za-z0-9_:])(" + "|".join(map(re.escape, names)) + r")(?![A-Za-z0-9_:])")
    out = pattern.sub(lambda m: "(" + expand(rules[m.group(1)]["query"], rules, depth + 1) + ")", expr)
    return out


def key(metric):
    return tuple(metric.get(k, "") for k in ("tenant", "vendor", "queue", "channel"))


def check_recording_rules(prom, expected_count):
    rules = poll(30, "recording rules loaded", lambda: (lambda r: r if len(r) >= expected_count else None)(recording_rules(prom)))
    log(f"{len(rules)} recording rules loaded")

    def all_have_data():
        missing = []
        for name, r in rules.items():
            if r.get("health") == "err":
                sys.exit(f"FAIL: recording rule {name} is unhealthy: {r.get('lastError')}")
            if not prom.query(name):
                missing.append(name)
        if missing:
            all_have_data.missing = missing
            return False
        return True

    all_have_data.missing = []
    deadline = 90
    start = time.monotonic()
    while not all_have_data():
        if time.monotonic() - start > deadline:
            sys.exit("FAIL: recording rules without data after %ds: %s" % (deadline, ", ".join(all_have_data.missing)))
        rules = recording_rules(prom)
        time.sleep(0.5)
    log(f"PASS: all {len(rules)} recording rules return data")
    return rules


def compare_service_level(prom, rules, window="1m"):
    """One comparison at the newest scrape; returns None when it passes, else why it failed."""
    # The daemon's window must be full: events were already arriving `window` + 2 s ago.
    poll(150, f"{window} of traffic in Prometheus",
         lambda: prom.query(f'sum(ccpulse_events_received_total{{job="ccpulse"}} offset 62s) > 0'))
    at = float(prom.query('max(timestamp(up{job="ccpulse"}))')[0]["value"][1])

    # The daemon's window (60 one-second buckets) starts at floor(at) - 59 s; pick the scrape
    # sample closest to it and a range reaching just past it.
    start = math.floor(at) - 59
    raw = prom.query('up{job="ccpulse"}[65s]', at)[0]["values"]
    first = min((float(t) for t, _ in raw), key=lambda t: abs(t - start))
    range_ms = int(round((at - first) * 1000)) + 1
    prom_range = f"[{range_ms}ms]"
    sl_rule = rules["queue:ccpulse_service_level:ratio_rate5m"]["query"]
    den_rule = rules["queue:ccpulse_service_level_denominator:rate5m"]["query"]
    sl_expr = expand(sl_rule, rules).replace("[5m]", prom_range)
    den_expr = expand(den_rule, rules).replace("[5m]", prom_range)
    log(f"daemon window starts {start}, first sample used {first:.3f}, evaluated at {at:.3f}")
    log(f"Prometheus service level over {prom_range} (rule expression, range changed):\n  {' '.join(sl_expr.split())}")

    prom_sl = {key(r["metric"]): float(r["value"][1]) for r in prom.query(sl_expr, at)}
    outcomes = {key(r["metric"]): float(r["value"][1]) * 60 for r in prom.query(den_expr, at)}
    gauge = {}
    for r in prom.query(f'ccpulse_service_level{{job="ccpulse",window="{window}"}}', at):
        gauge[key(r["metric"])] = float(r["value"][1])
    if not gauge:
        return f"ccpulse_service_level{{window=\"{window}\"}} has no data"

    compared, bad = 0, []
    log(f"{'tenant/vendor/queue/channel':60} {'outcomes':>8} {'daemon':>8} {'prom':>8} {'diff':>7}")
    for k in sorted(gauge):
        g = gauge[k]
        p = prom_sl.get(k)
        n = outcomes.get(k, 0.0)
        label = "/".join(k)
        if p is None or math.isnan(g):
            log(f"{label:60} {n:8.0f} {g:8.4f} {'-':>8}   (no Prometheus value)")
            continue
        diff = p - g
        note = ""
        if n < MIN_OUTCOMES:
            note = f"   (skipped: < {MIN_OUTCOMES} outcomes)"
        else:
            compared += 1
            if abs(diff) > TOLERANCE:
                bad.append(label)
                note = "   <-- MISMATCH"
        log(f"{label:60} {n:8.0f} {g:8.4f} {p:8.4f} {diff:+7.4f}{note}")
    if bad:
        return f"service level differs by more than {TOLERANCE:.0%} for: {', '.join(bad)}"
    if compared < MIN_COMPARED:
        return f"only {compared} queues had >= {MIN_OUTCOMES} outcomes; need {MIN_COMPARED}"
    log(f"PASS: service level equal within {TOLERANCE * 100:.0f} point for {compared} queues")
    return None


def check_service_level(prom, rules, attempts=3):
    # A scrape that a loaded machine delays moves the gauge's window against the counters' range
    # by its delay, which on a trending queue is worth a point or more (seen at load 13-22). So
    # the comparison is repeated at later scrapes, each fully logged, and fails only if none of
    # them agrees: a wrong formula, label or aggregation disagrees at every scrape.
    failures = []
    for attempt in range(1, attempts + 1):
        why = compare_service_level(prom, rules)
        if why is None:
            return
        failures.append(why)
        log(f"attempt {attempt} of {attempts} failed: {why}")
        if attempt < attempts:
            newest = prom.query('max(timestamp(up{job="ccpulse"}))')[0]["value"][1]
            poll(30, "a newer scrape",
                 lambda: prom.query('max(timestamp(up{job="ccpulse"}))')[0]["value"][1] != newest)
    sys.exit("FAIL: " + " | ".join(failures))


def dashboard_targets(path):
    with open(path) as f:
        dash = json.load(f)
    panels = []

    def walk(ps):
        for p in ps:
            panels.append(p)
            walk(p.get("panels", []))

    walk(dash.get("panels", []))
    for p in panels:
        for t in p.get("targets", []):
            if t.get("expr"):
                yield dash.get("title", path), p.get("title", "?"), t["expr"]


def substitute(expr):
    expr = expr.replace("$__rate_interval", "1m").replace("$__interval", "15s").replace("$__range", "5m")
    return re.sub(r"\$\{?(\w+)(:\w+)?\}?", ".*", expr)


def check_dashboards(prom, paths):
    failures, checked, skipped = [], 0, []
    for path in paths:
        for dash, panel, expr in dashboard_targets(path):
            q = substitute(expr)
            if any(m in q for m in PLANNED_METRICS):
                skipped.append(f"{dash} / {panel}")
                continue
            checked += 1
            failures.append((f"{dash} / {panel}", q))
    # Some panels need a few more seconds of traffic than the recording rules (e.g. staffing needs
    # a handled contact inside the daemon's 1m window, then its 5 s staffing refresh): re-ask
    # the ones without data until a deadline instead of failing on the first empty answer.
    deadline = time.monotonic() + 60
    while failures:
        still = []
        for name, q in failures:
            try:
                ok = bool(prom.query(q))
            except Exception as e:
                ok = False
                name = f"{name} ({e})"
            if not ok:
                still.append((name, q))
        failures = still
        if not failures or time.monotonic() > deadline:
            break
        time.sleep(2)
    failures = [f"{name}: {q}" for name, q in failures]
    for s in skipped:
        log(f"skipped (planned metric, issue #4): {s}")
    if failures:
        sys.exit("FAIL: dashboard queries without data:\n  " + "\n  ".join(failures))
    if checked == 0:
        sys.exit("FAIL: no dashboard queries found")
    log(f"PASS: {checked} dashboard queries return data ({len(skipped)} skipped, planned metrics)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prometheus", required=True)
    ap.add_argument("--recording-rules", type=int, required=True, help="number of recording rules expected")
    ap.add_argument("--dashboards", nargs="*", default=[])
    a = ap.parse_args()
    prom = Prom(a.prometheus)
    rules = check_recording_rules(prom, a.recording_rules)
    check_service_level(prom, rules)
    if a.dashboards:
        check_dashboards(prom, a.dashboards)


if __name__ == "__main__":
    main()
