"""DPS over AMQP deadlines and limits against a raw peer (amqp_wire), on a server whose open deadline
(mqttConnectTimeoutSeconds) is 2 s and AMQP idle timeout 3 s: a peer that stops after the SASL header is cut off by the
open deadline; a peer that opens (SASL ANONYMOUS) and falls silent is closed with amqp:resource-limit-exceeded; a frame
larger than the advertised max-frame-size ends the connection with a framing error; a link before any credential is
refused with amqp:unauthorized-access.

Usage: dps_amqp_deadlines.py CONNECTION_JSON
Prints one JSON object: {"steps": {name: {"ok": bool, "error": str?, ...}}}.
"""
import json
import struct
import sys
import time

import amqp_wire as wire
import csr_support

conn = json.load(open(sys.argv[1]))
HOST, PORT, BUNDLE, SCOPE = conn["dps"]["host"], conn["dps"]["amqpPort"], conn["trustBundle"], conn["idScope"]
steps = {}


def step(name, fn):
    csr_support.step(steps, name, fn)


def error_condition(frame):
    error = frame.fields[0] if frame.fields else None
    return str(error.value[0]) if isinstance(error, wire.Described) else None


def open_deadline():
    peer = wire.Peer(HOST, PORT, BUNDLE, timeout=30)
    started = time.monotonic()
    peer.send(wire.SASL_HEADER)
    peer.header()
    peer.frame()  # sasl-mechanisms; then nothing more from the peer
    eof = peer.closed()
    return {"closedAfter": time.monotonic() - started, "eof": eof}


def idle():
    peer = wire.Peer(HOST, PORT, BUNDLE, timeout=30)
    _, mechanisms, outcome = peer.sasl("ANONYMOUS")
    _, opened = peer.open()
    started = time.monotonic()
    close, _ = peer.until("close")
    return {"mechanisms": [str(m) for m in (mechanisms.field(0) or [])], "saslOutcome": outcome.field(0),
            "advertisedIdleTimeOut": opened.field(4), "closedAfter": time.monotonic() - started, "condition": error_condition(close),
            "eof": peer.closed()}


def oversized_frame():
    peer = wire.Peer(HOST, PORT, BUNDLE, timeout=30)
    peer.sasl("ANONYMOUS")
    _, opened = peer.open()
    peer.send(struct.pack(">IBBH", 1 << 20, 2, 0, 0) + b"\x00" * 1024)
    close, _ = peer.until("close")
    return {"maxFrameSize": opened.field(2), "condition": error_condition(close), "eof": peer.closed()}


def anonymous_link():
    peer = wire.Peer(HOST, PORT, BUNDLE, timeout=30)
    peer.sasl("ANONYMOUS")
    peer.open()
    peer.begin()
    peer.attach("recv_link", 0, True, "%s/registrations/nobody" % SCOPE, "local_endpoint")
    detach, _ = peer.until("detach")
    peer.close()
    return {"condition": detach.error()}


step("openDeadline", open_deadline)
step("idle", idle)
step("oversizedFrame", oversized_frame)
step("anonymousLink", anonymous_link)
print(json.dumps({"steps": steps}, default=str))
