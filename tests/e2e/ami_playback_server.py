#!/usr/bin/python3
"""Plays a recorded AMI session (tests/fixtures/asterisk/ami_hour.txt) to one client, as Asterisk
would: for tests/e2e/asterisk_ami_hour_test.cpp.

Usage: ami_playback_server.py PORT LOG FIXTURE SNAPSHOT_TIME
Listens on 127.0.0.1:PORT, writes "listening" and then every action it receives to LOG, and for
the first connection: sends the "Asterisk Call Manager" banner, accepts the Login (Response:
Success echoing its ActionID), waits for the QueueStatus action, then sends the fixture (which
holds everything Asterisk sends after the Login response, starting with the QueueStatus reply)
and keeps the connection open until the client closes it.

Asterisk writes the QueueStatus reply without Timestamp headers (astman_append), so a client
stamps it with its own clock. To keep the recording consistent with that, every Timestamp in the
fixture is moved by the same amount so that SNAPSHOT_TIME (the fixture's "now" of the QueueStatus
reply) becomes the wall-clock time at which the reply is sent; durations between events are
unchanged. A Timestamp that is not a number is sent unchanged (the fixture damages one on
purpose).
"""
import os
import re
import socket
import sys
import time

# The AMI message framing is the scripted fake server's (tests/ingest/fake_ami_server.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ingest"))
from fake_ami_server import headers_of, read_message  # noqa: E402

STAMP = re.compile(rb"^Timestamp: (\d+)\.(\d{6})\r$", re.M)


def main():
    port, log_path, fixture, snapshot = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    whole, _, fraction = snapshot.partition(".")
    snapshot_us = int(whole) * 1_000_000 + int((fraction + "000000")[:6])
    data = open(fixture, "rb").read()
    log = open(log_path, "w", buffering=1)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(1)
    log.write("listening\n")
    conn, _ = server.accept()
    conn.sendall(b"Asterisk Call Manager/5.0.1\r\n")
    message, buf = read_message(conn, b"")
    login = headers_of(message)
    log.write(f"Action {login.get('Action')} Username {login.get('Username')} Events {login.get('Events')}\n")
    conn.sendall(f"Response: Success\r\nActionID: {login.get('ActionID', '')}\r\n"
                 "Message: Authentication accepted\r\n\r\n".encode())
    message, buf = read_message(conn, buf)
    log.write(f"Action {headers_of(message).get('Action')}\n")
    shift_us = time.time_ns() // 1000 - snapshot_us

    def moved(match):
        us = int(match.group(1)) * 1_000_000 + int(match.group(2)) + shift_us
        return b"Timestamp: %d.%06d\r" % (us // 1_000_000, us % 1_000_000)

    conn.sendall(STAMP.sub(moved, data))
    log.write(f"sent {len(data)} bytes, shift {shift_us} us\n")
    while conn.recv(4096):
        pass
    conn.close()


if __name__ == "__main__":
    main()
