#!/usr/bin/python3
"""Checks of tests/deploy/scale_out.sh, against Prometheus scraping instances a, b (tenants split)
and c (everything). Standard library only.

1. Waits until each daemon's compared counters are stable (two reads 1 s apart agree), then until
   Prometheus holds a scrape of every instance taken after that, so the queries see final values.
2. For every family F among ccpulse_contacts_*_total, ccpulse_*_seconds_total and
   ccpulse_wait_seconds_count (found in Prometheus; the contact counters the event file must
   produce are required to be there):
     sum(F{instance=~"a|b"}) == sum(F{instance="c"})                   (exactly)
     sum by (tenant) (F{instance=~"a|b"}) == sum by (tenant) (F{instance="c"})   (exactly)
   and series by series: every label set (minus instance) of c is in exactly one of a, b with
   the same value, and a and b have nothing else.
3. Tenants: a exports only acme, b globex and initech, c all three.

Exact float equality holds because one queue's state lives on one shard of one instance: the same
events reach it in the same order on a or b as on c, so each series is bit-identical, and the sums
add the same values. If a sum ever differs only by float rounding (summation order), that is
reported separately from a real difference.
"""
import argparse
import json
import re
import sys
import time
import urllib.parse
import urllib.request

FAMILY = re.compile(r"^(ccpulse_contacts_\w+_total|ccpulse_\w+_seconds_total|ccpulse_wait_seconds_count)$")
# The event file (20000 events, seed 11) has contacts queued and answered: these must have data.
REQUIRED = ["ccpulse_contacts_offered_total", "ccpulse_contacts_answered_total", "ccpulse_wait_seconds_count"]
TENANTS = {"a": {"acme"}, "b": {"globex", "initech"}, "c": {"acme", "globex", "initech"}}

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)
        print("FAIL:", message, file=sys.stderr)
    return ok


def get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def query(prom, expr):
    url = f"{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    body = json.loads(get(url))
    if body.get("status") != "success":
        raise RuntimeError(f"query failed: {expr}: {body}")
    return body["data"]["result"]


def exposition(url):
    """The samples of the compared families in a daemon's /metrics, as {line_without_value: value}."""
    samples = {}
    for line in get(url).splitlines():
        if not line or line.startswith("#"):
            continue
        name = re.split(r"[{ ]", line, maxsplit=1)[0]
        if FAMILY.match(name):
            key, value = line.rsplit(" ", 1)
            samples[key] = value
    return samples


def labels_key(metric):
    return tuple(sorted((k, v) for k, v in metric.items() if k not in ("instance", "__name__")))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prometheus", required=True)
    parser.add_argument("--metrics", nargs="+", required=True, help="NAME=URL of each daemon's /metrics")
    parser.add_argument("--timeout", type=float, default=40)
    args = parser.parse_args()
    prom = args.prometheus.rstrip("/")
    daemons = dict(item.split("=", 1) for item in args.metrics)
    deadline = time.monotonic() + args.timeout

    # 1. Daemons stable, then a Prometheus scrape of each after that.
    final = {}
    for name, url in daemons.items():
        previous = exposition(url)
        while True:
            time.sleep(1)
            current = exposition(url)
            if current == previous:
                break
            if time.monotonic() > deadline:
                check(False, f"instance {name}: counters still changing")
                return 1
            previous = current
        final[name] = current
    stable_at = time.time()
    while True:
        result = query(prom, 'timestamp(up{job="ccpulse"})')
        seen = {r["metric"]["instance"]: float(r["value"][1]) for r in result}
        if set(seen) >= set(daemons) and min(seen[n] for n in daemons) > stable_at:
            break
        if time.monotonic() > deadline:
            check(False, f"prometheus has no scrape of every instance after the counters settled: {seen}")
            return 1
        time.sleep(0.5)
    up = {r["metric"]["instance"]: r["value"][1] for r in query(prom, 'up{job="ccpulse"}')}
    check(up == {n: "1" for n in daemons}, f"up per instance: {up}")

    # 2. Families.
    names = json.loads(get(f"{prom}/api/v1/label/__name__/values"))["data"]
    families = sorted(n for n in names if FAMILY.match(n))
    for required in REQUIRED:
        check(required in families, f"{required}: no data in Prometheus")
    print(f"comparing {len(families)} families: {' '.join(families)}")
    nonzero = 0
    for family in families:
        per_instance = {}
        for r in query(prom, f'{family}{{job="ccpulse"}}'):
            inst = r["metric"]["instance"]
            key = labels_key(r["metric"])
            check(key not in per_instance.setdefault(inst, {}), f"{family}: duplicate series {key} on {inst}")
            per_instance[inst][key] = float(r["value"][1])
        a, b, c = (per_instance.get(n, {}) for n in ("a", "b", "c"))
        per_tenant = any(dict(k).get("tenant") for k in c)
        if per_tenant:
            # Per-queue families: a and b partition c's series, with identical values.
            check(not (set(a) & set(b)), f"{family}: series on both a and b: {sorted(set(a) & set(b))[:3]}")
            merged = {**a, **b}
            missing = sorted(set(c) - set(merged))
            extra = sorted(set(merged) - set(c))
            check(not missing, f"{family}: {len(missing)} series of c on neither a nor b, e.g. {missing[:2]}")
            check(not extra, f"{family}: {len(extra)} series of a/b not on c, e.g. {extra[:2]}")
            differ = [(k, merged[k], c[k]) for k in sorted(set(c) & set(merged)) if merged[k] != c[k]]
            check(not differ, f"{family}: {len(differ)} series differ (a|b vs c), e.g. {differ[:2]}")
        # else a daemon-wide family (ccpulse_contacts_evicted_total{reason}): every instance
        # exports every label set; only the sums below apply.

        total_ab = query(prom, f'sum({family}{{instance=~"a|b"}})')
        total_c = query(prom, f'sum({family}{{instance="c"}})')
        vab = float(total_ab[0]["value"][1]) if total_ab else None
        vc = float(total_c[0]["value"][1]) if total_c else None
        if vab != vc and vab is not None and vc is not None and abs(vab - vc) <= 1e-12 * max(abs(vab), abs(vc)):
            check(False, f"{family}: sum a|b {vab!r} != sum c {vc!r} by float rounding only")
        else:
            check(vab == vc, f'{family}: sum(instance=~"a|b") = {vab!r}, sum(instance="c") = {vc!r}')
        if vc:
            nonzero += 1

        by_ab = {r["metric"].get("tenant"): float(r["value"][1])
                 for r in query(prom, f'sum by (tenant) ({family}{{instance=~"a|b"}})')}
        by_c = {r["metric"].get("tenant"): float(r["value"][1])
                for r in query(prom, f'sum by (tenant) ({family}{{instance="c"}})')}
        check(by_ab == by_c, f"{family}: sum by (tenant): a|b {by_ab} != c {by_c}")
        print(f"  {family}: a|b = c = {vc!r}; by tenant {by_c}")

        # Prometheus holds what the daemons finally exported.
        for inst, samples in final.items():
            exported = sum(float(v) for k, v in samples.items() if re.split(r"[{ ]", k)[0] == family)
            stored = sum(per_instance.get(inst, {}).values())
            check(abs(exported - stored) <= 1e-9 * max(1.0, abs(exported)),
                  f"{family}: instance {inst} exported {exported} but Prometheus holds {stored}")
    check(nonzero >= 3, f"only {nonzero} families with non-zero totals: the test compares nothing")

    # 3. Tenants per instance, over every series with a tenant label.
    for inst, expected in TENANTS.items():
        result = query(prom, f'count by (tenant) ({{job="ccpulse", instance="{inst}", tenant!=""}})')
        tenants = {r["metric"]["tenant"] for r in result}
        check(tenants == expected, f"instance {inst}: tenants {sorted(tenants)}, expected {sorted(expected)}")
    acme_on_b = query(prom, 'count({job="ccpulse", instance="b", tenant="acme"})')
    check(not acme_on_b, f"instance b has acme series: {acme_on_b}")

    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        return 1
    print(f"OK: {len(families)} families, {nonzero} non-zero, a + b == c")
    return 0


if __name__ == "__main__":
    sys.exit(main())
