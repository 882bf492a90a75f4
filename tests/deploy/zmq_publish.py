#!/usr/bin/python3
"""Publishes an NDJSON event file once over ZeroMQ PUB, as two-frame messages [tenant, json line].

Used by tests/deploy/scale_out.sh. Needs Debian's python3-zmq (scripts/install-deps.sh), hence
/usr/bin/python3 rather than whatever `python3` is first in PATH.

PUB drops messages for subscribers that have not connected (or whose SUBSCRIBE has not arrived)
yet. So the socket is an XPUB: it receives every subscription message of its peers, and nothing
is sent until every expected topic prefix (--expect, repeatable; "" = everything) has been
subscribed. The connecting side is this socket (the daemons bind), so the subscriptions arrive
once per daemon, after the TCP connection is up. The send high-water mark is 0 (unlimited) and
the socket lingers until every queued message is written, so no message is dropped here.

usage: zmq_publish.py --file EVENTS.ndjson --connect tcp://... [--connect ...]
                      --expect acme --expect globex --expect initech --expect "" [--timeout 20]
"""
import argparse
import json
import sys
import time

import zmq


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--file", required=True)
    parser.add_argument("--connect", action="append", required=True)
    parser.add_argument("--expect", action="append", default=[],
                        help="topic prefix that must be subscribed before publishing")
    parser.add_argument("--timeout", type=float, default=20.0,
                        help="seconds to wait for the subscriptions")
    args = parser.parse_args()

    # Read and frame everything first, so sending is one tight loop.
    messages = []
    with open(args.file, "rb") as f:
        for line in f:
            line = line.rstrip(b"\n")
            if not line:
                continue
            tenant = json.loads(line)["tenant"]
            messages.append((tenant.encode(), line))

    ctx = zmq.Context()
    sock = ctx.socket(zmq.XPUB)
    sock.setsockopt(zmq.SNDHWM, 0)          # unlimited: never drop on a slow subscriber
    sock.setsockopt(zmq.XPUB_VERBOSE, 1)    # pass every subscription up, duplicates too
    sock.setsockopt(zmq.LINGER, 30000)      # flush queued messages on close
    for endpoint in args.connect:
        sock.connect(endpoint)

    # Wait for the subscriptions: frames are b"\x01" + prefix (subscribe) or b"\x00" + prefix.
    pending = {p.encode() for p in args.expect}
    deadline = time.monotonic() + args.timeout
    while pending:
        left_ms = int((deadline - time.monotonic()) * 1000)
        if left_ms <= 0 or not sock.poll(left_ms, zmq.POLLIN):
            print(f"zmq_publish: timed out waiting for subscriptions {sorted(pending)}", file=sys.stderr)
            return 1
        frame = sock.recv()
        if frame[:1] == b"\x01":
            pending.discard(frame[1:])
    print(f"zmq_publish: all {len(args.expect)} subscriptions present; sending {len(messages)} events",
          file=sys.stderr)

    for topic, payload in messages:
        sock.send_multipart((topic, payload))
    sock.close()   # blocks up to LINGER until everything queued is written
    ctx.term()
    print(f"zmq_publish: sent {len(messages)} events", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
