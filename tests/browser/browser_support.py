"""Shared pieces of the headless-chromium tests (wallboard_browser.py, wallboard_latency.py):
ports, polling with a deadline, child processes and a minimal DevTools-protocol client."""

import json
import socket
import subprocess
import time

import websocket  # Debian python3-websocket


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def poll(what, fn, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


def spawn(args, log_path, procs):
    """Starts `args` with stdout and stderr appended to `log_path`; remembers it in `procs`."""
    p = subprocess.Popen(args, stdout=open(log_path, "ab"), stderr=subprocess.STDOUT)
    procs.append(p)
    return p


def stop(p):
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Cdp:
    """One DevTools page session. With raise_on_exception, eval() raises when the page's script
    throws; without it the caller sees None (and may poll again)."""

    def __init__(self, url, raise_on_exception=False):
        self.ws = websocket.create_connection(url, timeout=10, suppress_origin=True)
        self.next_id = 0
        self.raise_on_exception = raise_on_exception

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if self.raise_on_exception and "exceptionDetails" in r:
            raise RuntimeError(f"page exception: {r['exceptionDetails']}")
        return r.get("result", {}).get("value")
