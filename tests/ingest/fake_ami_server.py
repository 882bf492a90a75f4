#!/usr/bin/python3
"""A scripted fake Asterisk Manager Interface for tests/ingest/ami_source_test.cpp.

Usage: fake_ami_server.py PORT ACTIONS_LOG
Listens on 127.0.0.1:PORT and serves three connections in turn, writing every action it receives
to ACTIONS_LOG (one "conn N: Action ..." line each):
  1. refuses the login (Response: Error), then hangs up;
  2. accepts it, answers QueueStatus (member alice idle in support, caller w0 waiting 30 s),
     sends a call joining and being answered, then hangs up (a disconnect);
  3. accepts it, answers QueueStatus (alice in a call; w0 no longer listed), then the rest of the
     call and two more callers, and keeps the connection until the client closes it.
Messages follow the AMI documentation: Key: Value lines, CRLF, a blank line ends each message.
"""
import socket
import sys

T = 1795425300  # 2026-11-23T09:15:00Z


def msg(**headers):
    return "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"


def ev(name, ts, **headers):
    return msg(Event=name, Timestamp=f"{ts}.000000", **headers)


def member(name, queue, ts, **extra):
    base = dict(Queue=queue, MemberName=name, Interface=name, StateInterface=name, Membership="dynamic",
                Penalty=0, CallsTaken=0, LastCall=0, LastPause=0, Status=1, Paused=0, PausedReason="",
                Ringinuse=0, Wrapuptime=0, InCall=0)
    base.update(extra)
    return base


def read_message(conn, buf):
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(4096)
        if not chunk:
            return None, buf
        buf += chunk
    message, _, rest = buf.partition(b"\r\n\r\n")
    return message.decode(), rest


def headers_of(message):
    out = {}
    for line in message.split("\r\n"):
        key, _, value = line.partition(": ")
        out[key] = value
    return out


def status_reply(conn, members, entries, ts):
    conn.sendall(msg(Response="Success", ActionID="ccpulse-status", EventList="start",
                     Message="Queue status will follow").encode())
    conn.sendall(ev("QueueParams", ts, Queue="support", Max=0, Strategy="ringall", Calls=len(entries),
                    Holdtime=0, TalkTime=0, Completed=0, Abandoned=0, ServiceLevel=60,
                    ServicelevelPerf="0.0", Weight=0, ActionID="ccpulse-status").encode())
    for m in members:
        fields = dict(m)
        fields["Name"] = fields.pop("MemberName")
        fields["Location"] = fields.pop("Interface")
        conn.sendall(ev("QueueMember", ts, ActionID="ccpulse-status", **fields).encode())
    for position, (uniqueid, wait) in enumerate(entries, 1):
        conn.sendall(ev("QueueEntry", ts, Queue="support", Position=position, Channel=f"PJSIP/trunk-{uniqueid}",
                        Uniqueid=uniqueid, CallerIDNum="5550100", CallerIDName="caller", ConnectedLineNum="unknown",
                        ConnectedLineName="unknown", Wait=wait, Priority=0, ActionID="ccpulse-status").encode())
    conn.sendall(ev("QueueStatusComplete", ts, ActionID="ccpulse-status", EventList="Complete",
                    ListItems=len(members) + len(entries) + 1).encode())


def main():
    port = int(sys.argv[1])
    log = open(sys.argv[2], "w", buffering=1)
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(1)
    log.write("listening\n")
    for n in (1, 2, 3):
        conn, _ = server.accept()
        conn.sendall(b"Asterisk Call Manager/5.0.1\r\n")
        buf = b""
        message, buf = read_message(conn, buf)
        login = headers_of(message)
        log.write(f"conn {n}: Action {login.get('Action')} Username {login.get('Username')} "
                  f"Secret {login.get('Secret')} Events {login.get('Events')}\n")
        if n == 1:
            conn.sendall(msg(Response="Error", ActionID=login.get("ActionID", ""),
                             Message="Authentication failed").encode())
            conn.close()
            continue
        conn.sendall(msg(Response="Success", ActionID=login.get("ActionID", ""),
                         Message="Authentication accepted").encode())
        conn.sendall(ev("FullyBooted", T, Privilege="system,all", Status="Fully Booted").encode())
        message, buf = read_message(conn, buf)
        log.write(f"conn {n}: Action {headers_of(message).get('Action')}\n")
        if n == 2:
            status_reply(conn, [member("PJSIP/alice", "support", T)], [("w0", 30)], T)
            conn.sendall(ev("QueueCallerJoin", T + 1, Channel="PJSIP/trunk-c1", Uniqueid="c1", Linkedid="c1",
                            Queue="support", Position=2, Count=2, CallerIDNum="5550101").encode())
            conn.sendall(ev("AgentCalled", T + 2, Channel="PJSIP/trunk-c1", Uniqueid="c1", Queue="support",
                            Interface="PJSIP/alice", MemberName="PJSIP/alice",
                            DestChannel="PJSIP/alice-1").encode())
            conn.sendall(ev("QueueCallerLeave", T + 9, Channel="PJSIP/trunk-c1", Uniqueid="c1", Queue="support",
                            Position=2, Count=1).encode())
            conn.sendall(ev("AgentConnect", T + 9, Channel="PJSIP/trunk-c1", Uniqueid="c1", Queue="support",
                            Interface="PJSIP/alice", MemberName="PJSIP/alice", HoldTime=8, RingTime=7).encode())
            conn.close()
            continue
        alice = member("PJSIP/alice", "support", T + 30, InCall=1, Status=2)
        status_reply(conn, [alice], [], T + 30)
        conn.sendall(ev("AgentComplete", T + 69, Channel="PJSIP/trunk-c1", Uniqueid="c1", Queue="support",
                        Interface="PJSIP/alice", MemberName="PJSIP/alice", HoldTime=8, TalkTime=60,
                        Reason="caller").encode())
        conn.sendall(ev("QueueCallerJoin", T + 70, Channel="PJSIP/trunk-c2", Uniqueid="c2", Queue="support",
                        Position=1, Count=1, CallerIDNum="5550102").encode())
        conn.sendall(ev("QueueCallerAbandon", T + 74, Channel="PJSIP/trunk-c2", Uniqueid="c2", Queue="support",
                        Position=1, OriginalPosition=1, HoldTime=4).encode())
        conn.sendall(ev("QueueCallerLeave", T + 74, Channel="PJSIP/trunk-c2", Uniqueid="c2", Queue="support",
                        Position=1, Count=0).encode())
        conn.sendall(ev("QueueCallerJoin", T + 80, Channel="PJSIP/trunk-c3", Uniqueid="c3", Queue="support",
                        Position=1, Count=1, CallerIDNum="5550103").encode())
        conn.sendall(ev("QueueCallerLeave", T + 200, Channel="PJSIP/trunk-c3", Uniqueid="c3", Queue="support",
                        Position=1, Count=0).encode())
        conn.sendall(("Event: Newchannel\r\nTimestamp: 1795425505.000000\r\nChannel: PJSIP/x\r\n\r\n").encode())
        conn.sendall(ev("QueueMemberPause", T + 210, **member("PJSIP/alice", "support", T + 210, Paused=1,
                                                               PausedReason="lunch")).encode())
        conn.sendall(b"this line has no colon\r\n\r\n")
        while conn.recv(4096):
            pass
        conn.close()


if __name__ == "__main__":
    main()
