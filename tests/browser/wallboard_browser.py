#!/usr/bin/python3
"""Headless Chromium against the real wallboard (issue #8).

Starts ccpulsed (with an `auth` section: the browser authenticates with HTTP Basic, sent as an
extra header through the DevTools protocol) fed by the real ccpulse-sim, opens the wallboard in
Debian's chromium, and over a tiny DevTools-protocol client (python3-websocket):
  1. waits for live tiles and the "live" status,
  2. asserts tile values change while the page stays loaded (no reloads: a marker set on window
     survives), and that snapshots arrive at least every second,
  3. saves screenshots (TV-sized and phone-sized),
  4. stops ccpulsed, asserts the page says "reconnecting…", restarts it on the same port and
     asserts the page goes live again by itself.
Usage: wallboard_browser.py CCPULSED CCPULSE_SIM OUTPUT_DIR
"""
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import browser_support
from browser_support import Cdp, free_port, stop
from browser_support import poll

CCPULSED, SIM, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(OUT, exist_ok=True)
work = tempfile.mkdtemp(prefix="ccpulse-browser-")
procs = []


def spawn(args, log):
    return browser_support.spawn(args, os.path.join(work, log), procs)


http_port, zmq_port, cdp_port = free_port(), free_port(), free_port()
password = "wallboard-test-pw"
password_hash = subprocess.run([os.path.join(os.path.dirname(CCPULSED), "ccpulsectl"), "hash-password", "--cost", "4"],
                               input=password + "\n", capture_output=True, text=True, check=True).stdout.strip()
config = os.path.join(work, "ccpulse.yaml")
with open(config, "w") as f:
    f.write(f"""http:
  listen: 127.0.0.1:{http_port}
sources:
  - name: sim
    endpoint: tcp://127.0.0.1:{zmq_port}
auth:
  users:
    - {{name: board, password_hash: '{password_hash}', scope: admin}}
wallboard:
  stream_interval: 500ms
""")


def start_daemon():
    p = spawn([CCPULSED, "--config", config], "ccpulsed.log")

    def ready():
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{http_port}/readyz", timeout=1).status == 200
        except OSError:
            return False
    poll("ccpulsed ready", ready, 10)
    return p


SNAPSHOT_JS = """(() => {
  const tiles = [...document.querySelectorAll('.tile')];
  return {
    status: document.getElementById('status').textContent,
    snapshots: Number(document.body.dataset.snapshots || 0),
    marker: window.__noReload === true,
    tiles: tiles.length,
    groups: document.querySelectorAll('.group').length,
    values: tiles.map(t => t.dataset.key + '|' + [...t.querySelectorAll('[data-field]')].map(e => e.textContent).join('|')),
  };
})()"""

try:
    daemon = start_daemon()
    spawn([SIM, "--endpoint", f"tcp://127.0.0.1:{zmq_port}", "--rate", "400", "--curve", "flat", "--seed", "7"],
          "sim.log")
    chromium = spawn(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update", "--disable-sync",
                      f"--user-data-dir={tempfile.mkdtemp(prefix='chromium-')}", f"--remote-debugging-port={cdp_port}",
                      "--remote-allow-origins=*", "--window-size=1600,1000", "about:blank"], "chromium.log")

    def page_target():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{cdp_port}/json/list", timeout=1) as r:
                pages = [t for t in json.load(r) if t.get("type") == "page"]
                return pages[0]["webSocketDebuggerUrl"] if pages else None
        except OSError:
            return None
    cdp = Cdp(poll("chromium DevTools", page_target, 20))
    cdp.call("Network.enable")
    token = base64.b64encode(f"board:{password}".encode()).decode()
    cdp.call("Network.setExtraHTTPHeaders", headers={"Authorization": f"Basic {token}"})
    cdp.call("Emulation.setDeviceMetricsOverride", width=1600, height=1000, deviceScaleFactor=1, mobile=False)
    cdp.call("Page.enable")
    cdp.call("Page.navigate", url=f"http://127.0.0.1:{http_port}/")

    first = poll("live tiles", lambda: (lambda s: s if s and s["tiles"] > 0 and s["status"] == "live" else None)(
        cdp.eval(SNAPSHOT_JS)), 20)
    cdp.eval("window.__noReload = true")
    print(f"first: {first['tiles']} tiles in {first['groups']} groups, status {first['status']!r}")

    # Values change while the page stays loaded; snapshots keep coming at least once a second.
    t0 = time.monotonic()
    s0 = cdp.eval(SNAPSHOT_JS)

    def changed():
        s = cdp.eval(SNAPSHOT_JS)
        diff = set(s["values"]) - set(s0["values"])
        return (s, diff) if s["marker"] and s["snapshots"] >= s0["snapshots"] + 4 and diff else None
    later, diff = poll("tile values to change", changed, 20)
    elapsed = time.monotonic() - t0
    rate = (later["snapshots"] - s0["snapshots"]) / elapsed
    print(f"{len(diff)} of {later['tiles']} tiles changed; {rate:.2f} snapshots/s over {elapsed:.1f}s")
    assert rate >= 1.0, f"snapshots arrive {rate:.2f}/s, expected at least 1/s"
    assert later["marker"], "the page was reloaded"

    # Filtering on the page: one queue's name in the filter box leaves only its tiles.
    name = later["values"][0].split("|")[0].split("/")[2]
    cdp.eval(f"(() => {{ const f = document.getElementById('filter'); f.value = {json.dumps(name)};"
             " f.dispatchEvent(new Event('input')); })()")
    def filtered_view():
        s = cdp.eval(SNAPSHOT_JS)
        return s if 0 < s["tiles"] < later["tiles"] else None
    filtered = poll("filter", filtered_view, 5)
    assert all(v.split("|")[0].split("/")[2] == name for v in filtered["values"]), filtered["values"]
    cdp.eval("(() => { const f = document.getElementById('filter'); f.value = '';"
             " f.dispatchEvent(new Event('input')); })()")

    shot = cdp.call("Page.captureScreenshot", format="png")
    with open(os.path.join(OUT, "wallboard-tv.png"), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    cdp.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=2, mobile=True)
    time.sleep(0.3)  # layout settles; the screenshot is evidence, not an assertion
    shot = cdp.call("Page.captureScreenshot", format="png")
    with open(os.path.join(OUT, "wallboard-phone.png"), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    cdp.call("Emulation.setDeviceMetricsOverride", width=1600, height=1000, deviceScaleFactor=1, mobile=False)

    # The stream drops: the page says so, then recovers on its own when the daemon is back.
    stop(daemon)
    poll("reconnecting state", lambda: "reconnecting" in cdp.eval(SNAPSHOT_JS)["status"], 10)
    shot = cdp.call("Page.captureScreenshot", format="png")
    with open(os.path.join(OUT, "wallboard-reconnecting.png"), "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    before = cdp.eval(SNAPSHOT_JS)["snapshots"]
    daemon = start_daemon()
    poll("live again", lambda: (lambda s: s["status"] == "live" and s["snapshots"] > before and s["marker"])(
        cdp.eval(SNAPSHOT_JS)), 20)
    print("stream dropped, page showed 'reconnecting…', and went live again without a reload")
    print(f"screenshots in {OUT}")
finally:
    for p in reversed(procs):
        stop(p)
