#!/usr/bin/python3
"""Event-to-screen latency of the wallboard, measured in a real browser (issue #8: "under a second").

Starts the real ccpulsed with the default engine and wallboard settings (only the listen address
and one ZeroMQ PULL source are configured), opens the wallboard in Debian's headless chromium over
the DevTools protocol, installs a MutationObserver in the page that records, for one queue's tile,
performance.timeOrigin + performance.now() whenever its "waiting" (updated as the shard applies
the event) or "offered today" (updated when the shard publishes) text changes, and the start of the
next animation frame after it. Then sends single contact.queued events with a ZeroMQ PUSH at
random gaps (so they land at every phase of the daemon's timers), noting time.time() just before
each send, and reads the page's records back over DevTools.

Browser and test share the machine's clock; the offset between performance.timeOrigin + now() and
time.time() is measured over DevTools (best of 20 round trips) and subtracted.

Asserts every event reaches the DOM in under 1 s (the issue's requirement) for both fields and
prints median / p95 / max. Usage: wallboard_latency.py CCPULSED OUTPUT_DIR [EVENTS]
"""
import json
import math
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.request

import browser_support
from browser_support import Cdp, free_port, stop
import zmq        # Debian python3-zmq

CCPULSED, OUT = sys.argv[1], sys.argv[2]
EVENTS = int(sys.argv[3]) if len(sys.argv) > 3 else 20
LIMIT_MS = 1000.0
QUEUE = "latency-q"
os.makedirs(OUT, exist_ok=True)
work = tempfile.mkdtemp(prefix="ccpulse-latency-")
procs = []


def poll(what, fn, timeout):
    return browser_support.poll(what, fn, timeout, interval=0.02)


def spawn(args, log):
    return browser_support.spawn(args, os.path.join(work, log), procs)


# Records every change of the watched tile's fields; the board is re-rendered with innerHTML on
# each snapshot, so the observer watches the whole board and compares text.
OBSERVER_JS = """(() => {
  window.__lat = [];
  const last = {};
  const now = () => performance.timeOrigin + performance.now();
  const check = () => {
    const tile = document.querySelector('.tile[data-queue="%s"]');
    if (!tile) return;
    for (const field of ['waiting', 'offered']) {
      const el = tile.querySelector('[data-field="' + field + '"]');
      const value = el ? el.textContent : null;
      if (value !== last[field]) {
        last[field] = value;
        const rec = {field, value, dom: now(), frame: null};
        window.__lat.push(rec);
        requestAnimationFrame(() => { rec.frame = now(); });
      }
    }
  };
  new MutationObserver(check).observe(document.getElementById('board'),
                                      {childList: true, subtree: true, characterData: true});
  check();
  return true;
})()""" % QUEUE


def pct(values, p):
    """Nearest-rank percentile (of 20 values, p95 is the 19th smallest)."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


try:
    http_port, zmq_port, cdp_port = free_port(), free_port(), free_port()
    config = os.path.join(work, "ccpulse.yaml")
    with open(config, "w") as f:
        # Defaults everywhere else: engine.publish_interval and wallboard.stream_interval are
        # what a fresh install runs with.
        f.write(f"""http:
  listen: 127.0.0.1:{http_port}
sources:
  - name: acd
    endpoint: tcp://127.0.0.1:{zmq_port}
""")
    spawn([CCPULSED, "--config", config], "ccpulsed.log")

    def ready():
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{http_port}/readyz", timeout=1).status == 200
        except OSError:
            return False
    poll("ccpulsed ready", ready, 15)

    ctx = zmq.Context()
    push = ctx.socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 1000)
    push.connect(f"tcp://127.0.0.1:{zmq_port}")
    contact = 0

    def send_event():
        global contact
        contact += 1
        now = time.time()
        frame = json.dumps({"type": "contact.queued", "ts": int(now * 1000), "tenant": "lat", "vendor": "v",
                            "queue": QUEUE, "channel": "voice", "contact": f"c{contact}"})
        sent = time.time()
        push.send_string(frame)
        return sent

    chromium = spawn(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync",
                      "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                      f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}", f"--remote-debugging-port={cdp_port}",
                      "--remote-allow-origins=*", "--window-size=1600,1000", "about:blank"], "chromium.log")

    def page_target():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{cdp_port}/json/list", timeout=1) as r:
                pages = [t for t in json.load(r) if t.get("type") == "page"]
                return pages[0]["webSocketDebuggerUrl"] if pages else None
        except OSError:
            return None
    cdp = Cdp(poll("chromium DevTools", page_target, 30), raise_on_exception=True)
    cdp.call("Page.enable")
    cdp.call("Page.navigate", url=f"http://127.0.0.1:{http_port}/")
    poll("page live", lambda: cdp.eval("(document.getElementById('status') || {}).textContent") == "live", 20)

    # The tile exists after the queue's first event; measuring starts from there.
    send_event()
    poll("the queue's tile", lambda: cdp.eval(f"!!document.querySelector('.tile[data-queue=\"{QUEUE}\"]')"), 20)
    cdp.eval(OBSERVER_JS)

    # Clock offset page - test: best of 20 round trips.
    best = None
    for _ in range(20):
        t0 = time.time()
        page = cdp.eval("performance.timeOrigin + performance.now()")
        t1 = time.time()
        rtt = (t1 - t0) * 1000
        offset = page - (t0 + t1) / 2 * 1000
        if best is None or rtt < best[0]:
            best = (rtt, offset)
    rtt_ms, offset_ms = best
    print(f"page clock - test clock: {offset_ms:+.2f} ms (DevTools round trip {rtt_ms:.2f} ms)")

    rng = random.Random(8)
    results = {"waiting": [], "offered": []}
    frames = []
    for i in range(EVENTS):
        # Gaps from 0.2 s to 1.3 s: events land at every phase of the 1 s publish tick and the
        # 0.5 s heartbeat; the wait below is only for the page's record, not part of the timing.
        time.sleep(rng.uniform(0.2, 1.3))
        seen = cdp.eval("window.__lat.length")
        sent_ms = send_event() * 1000
        expected = str(i + 2)  # one warm-up contact, then one more per event

        def recorded():
            recs = cdp.eval(f"window.__lat.slice({seen})")
            got = {r["field"]: r for r in recs if r["value"] == expected}
            return got if len(got) == 2 else None
        try:
            got = poll(f"event {i + 1} on the page", recorded, 5)
        except AssertionError:
            got = {r["field"]: r for r in cdp.eval(f"window.__lat.slice({seen})") if r["value"] == expected}
        line = []
        for field in ("waiting", "offered"):
            if field in got:
                ms = got[field]["dom"] - offset_ms - sent_ms
                results[field].append(ms)
                line.append(f"{field} {ms:7.1f} ms")
                if field == "waiting" and got[field]["frame"]:
                    frames.append(got[field]["frame"] - offset_ms - sent_ms)
            else:
                results[field].append(float("inf"))
                line.append(f"{field}   never (5 s)")
        print(f"event {i + 1:2d}: " + ", ".join(line))

    summary = {"events": EVENTS, "clock_offset_ms": offset_ms, "devtools_rtt_ms": rtt_ms}
    for field, values in results.items():
        finite = [v for v in values if v != float("inf")]
        summary[field] = {"median_ms": statistics.median(values), "p95_ms": pct(values, 95), "max_ms": max(values),
                          "min_ms": min(finite) if finite else None}
        print(f"{field:8s} event->DOM: median {statistics.median(values):.1f} ms, p95 {pct(values, 95):.1f} ms, "
              f"max {max(values):.1f} ms, min {min(finite) if finite else float('nan'):.1f} ms over {len(values)}")
    if frames:
        summary["waiting_to_next_frame"] = {"median_ms": statistics.median(frames), "max_ms": max(frames)}
        print(f"waiting  event->next animation frame: median {statistics.median(frames):.1f} ms, "
              f"max {max(frames):.1f} ms")
    with open(os.path.join(OUT, "wallboard-latency.json"), "w") as f:
        json.dump({"summary": summary, "latencies_ms": results}, f, indent=1)

    slow = {field: [round(v, 1) for v in values if v >= LIMIT_MS] for field, values in results.items()}
    assert not any(slow.values()), f"event to screen took {LIMIT_MS:.0f} ms or more: {slow}"
    # The clock correction must be small against what is measured, else the numbers mean little.
    assert abs(offset_ms) < 100, f"page and test clocks differ by {offset_ms:.1f} ms"
    print(f"all {EVENTS} events reached the DOM in under {LIMIT_MS:.0f} ms")
finally:
    for p in reversed(procs):
        stop(p)
