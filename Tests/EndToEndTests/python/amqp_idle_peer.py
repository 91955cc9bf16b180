"""AMQP idle timeout against a raw peer (amqp_wire): a peer that opens and then falls silent is closed with
amqp:resource-limit-exceeded after the server's timeout; a peer that sends an empty frame now and then stays open.

Usage: amqp_idle_peer.py CONNECTION_JSON
Prints one JSON object: {"steps": {name: {"ok": bool, "error": str?, ...}}}.
"""
import json
import sys
import time

import amqp_wire as wire
import routing_support as support
import csr_support

conn = support.setup(sys.argv[1])
shard = support.hub(conn, "hub-1")
HOST, PORT, BUNDLE = shard["hostName"], shard["amqpPort"], conn["trustBundle"]
steps = {}
EMPTY_FRAME = b"\x00\x00\x00\x08\x02\x00\x00\x00"


def step(name, fn):
    csr_support.step(steps, name, fn)


def silent():
    peer = wire.Peer(HOST, PORT, BUNDLE, timeout=30)
    peer.sasl()
    _, opened = peer.open()
    advertised = opened.fields[4] if len(opened.fields) > 4 else None
    started = time.monotonic()
    close, _ = peer.until("close")
    waited = time.monotonic() - started
    error = close.fields[0] if close.fields else None
    condition = error.value[0] if isinstance(error, wire.Described) else None
    return {"advertisedIdleTimeOut": advertised, "closedAfter": waited, "condition": str(condition), "eof": peer.closed()}


def keeping_alive():
    peer = wire.Peer(HOST, PORT, BUNDLE, timeout=30)
    peer.sasl()
    peer.open()
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline:
        peer.send(EMPTY_FRAME)
        time.sleep(0.5)
    peer.sock.settimeout(0.5)
    still_open = not peer.closed()
    peer.close()
    return {"openAfter": still_open}


step("silentPeer", silent)
step("keepAlivePeer", keeping_alive)
print(json.dumps({"steps": steps}, default=str))
