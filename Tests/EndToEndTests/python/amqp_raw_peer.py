"""AMQP protocol edge cases against a shard's AMQPS listener, with a raw peer (amqp_wire): a wrong protocol header,
garbage after the header, a frame over the negotiated size, SASL failure, an unknown address, a C2D transfer split
over many frames, credit exhaustion and resumption on a partition receiver — and after each, a fresh connection
still authenticates.

Usage: amqp_raw_peer.py CONNECTION_JSON
Prints one JSON object: {"steps": {name: {"ok": bool, "error": str?, ...}}}.
"""
import json
import sys

import amqp_wire as wire
import routing_support as support

conn = support.setup(sys.argv[1])
shard = support.hub(conn, "hub-1")
settings = dict(p.split("=", 1) for p in shard["serviceConnectionString"].split(";"))
HOST, PORT, BUNDLE = shard["hostName"], shard["amqpPort"], conn["trustBundle"]
steps = {}


class StepFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise StepFailure(message)


def step(name, fn):
    try:
        steps[name] = dict(ok=True, **(fn() or {}))
    except Exception as error:
        steps[name] = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}
    # Whatever the previous connection did, a new one still works.
    try:
        steps[name]["healthyAfter"] = healthy()
    except Exception as error:
        steps[name]["healthyAfter"] = False
        steps[name]["healthError"] = "%s: %s" % (type(error).__name__, error)


def peer():
    return wire.Peer(HOST, PORT, BUNDLE)


def service_token():
    return support.token(shard["serviceConnectionString"])


def authenticated():
    """A connection through SASL ANONYMOUS, open, begin and a CBS put-token of the service policy (hub audience)."""
    connection = peer()
    _, _, outcome = connection.sasl()
    check(outcome.field(0) == 0, "sasl outcome %r" % outcome)
    connection.open()
    connection.begin()
    status, description = connection.put_token("https://" + settings["HostName"], service_token())
    check(status in (200, 202), "put-token answered %r %r" % (status, description))
    return connection


def healthy():
    connection = authenticated()
    connection.close()
    return True


def wrong_header():
    connection = peer()
    connection.send(b"AMQP\x01\x01\x00\x00")
    answer = connection.header()
    closed = connection.closed()
    connection.close()
    check(answer[:4] == b"AMQP", "answered %r" % answer)
    check(closed, "the connection stayed open")
    return {"answer": answer.hex()}


def garbage_after_header():
    connection = peer()
    connection.sasl()
    connection.open()
    connection.send(b"\x00\x00\x00\x10\x02\x00\x00\x00\xde\xad\xbe\xef\xde\xad\xbe\xef")
    close, _ = connection.until("close")
    closed = connection.closed()
    connection.close()
    check(close.error() in ("amqp:decode-error", "amqp:connection:framing-error"), "close %r" % close)
    check(closed, "the connection stayed open")
    return {"condition": close.error()}


def oversized_frame():
    connection = peer()
    connection.sasl()
    _, opened = connection.open()
    limit = opened.field(2)
    check(isinstance(limit, int) and 512 <= limit < 16 * 1024 * 1024, "server max-frame-size %r" % limit)
    connection.begin()
    body = wire.performative(wire.FLOW, [wire.UInt(0), wire.UInt(1), wire.UInt(0), wire.UInt(1), None, None, None, None, None, None,
                                         {"pad": "x" * (limit + 100)}])
    connection.send(wire.frame(body))
    close, _ = connection.until("close")
    closed = connection.closed()
    connection.close()
    check(close.error() == "amqp:connection:framing-error", "close %r" % close)
    check(closed, "the connection stayed open")
    return {"maxFrameSize": limit, "condition": close.error()}


def sasl_failure():
    connection = peer()
    user = "%s@sas.root.%s" % (settings["SharedAccessKeyName"], settings["HostName"].split(".")[0])
    token = service_token()
    forged = token.replace("sig=", "sig=AAAA")
    _, mechanisms, outcome = connection.sasl("PLAIN", b"\x00" + user.encode() + b"\x00" + forged.encode())
    closed = connection.closed()
    connection.close()
    offered = sorted(str(m) for m in (mechanisms.field(0) or []))
    check({"MSSBCBS", "ANONYMOUS", "PLAIN"} <= set(offered), "mechanisms %r" % offered)
    check(outcome.name == "sasl-outcome" and outcome.field(0) == 1, "outcome %r" % outcome)
    check(closed, "the connection stayed open")
    return {"mechanisms": offered, "code": outcome.field(0)}


def unknown_address():
    connection = authenticated()
    connection.attach("nowhere", 1, True, "amqps://%s/no/such/node" % HOST, "me")
    detach, seen = connection.until("detach")
    connection.close()
    check(detach.error() == "amqp:not-found", "detach %r" % detach)
    return {"condition": detach.error(), "frames": [f.name for f in seen]}


def split_transfer():
    key = support.create_device(shard, "raw-split")
    connection = authenticated()
    connection.attach("c2d", 1, False, "raw-peer", "amqps://%s/messages/devicebound" % HOST, rcv_settle=1)
    attached, _ = connection.until("attach")
    check(attached.field(10) and attached.field(10) > 1024, "attach max-message-size %r" % attached.field(10))
    flow, _ = connection.until("flow")
    check((flow.field(6) or 0) > 0, "no credit granted: %r" % flow)
    body = ("x" * 4000).encode()
    payload = wire.message([(wire.PROPERTIES, ["split-1", None, "/devices/raw-split/messages/devicebound"]),
                            (wire.DATA, body)])
    pieces = [payload[i:i + 500] for i in range(0, len(payload), 500)]
    for index, piece in enumerate(pieces):
        connection.transfer(1, 0, piece, more=index < len(pieces) - 1, first=index == 0)
    disposition, _ = connection.until("disposition")
    state = disposition.field(4)
    # An unknown device's message: rejected, with IoT Hub's condition.
    unknown = wire.message([(wire.PROPERTIES, ["split-2", None, "/devices/nobody/messages/devicebound"]), (wire.DATA, b"x")])
    connection.transfer(1, 1, unknown)
    rejected, _ = connection.until("disposition")
    connection.close()
    check(isinstance(state, wire.Described) and state.descriptor == wire.ACCEPTED, "disposition %r" % disposition)
    rejected_state = rejected.field(4)
    check(isinstance(rejected_state, wire.Described) and rejected_state.descriptor == wire.REJECTED, "disposition %r" % rejected)
    condition = str(rejected_state.value[0].value[0]) if rejected_state.value and isinstance(rejected_state.value[0], wire.Described) else None
    device = support.connect(conn, shard, "raw-split", key)
    try:
        received = device.receive_message(timeout=30)
    finally:
        device.shutdown()
    check(received is not None and received.data == body, "the device did not get the reassembled message")
    return {"frames": len(pieces), "rejectedCondition": condition}


def credit():
    created = support.create_device(shard, "raw-credit")
    device = support.paho_device(conn, shard, "raw-credit", created)
    for index in range(6):
        device.publish(support.telemetry_topic("raw-credit"), json.dumps({"n": index}), qos=1).wait_for_publish(20)
    events = support.wait_until(lambda: [e for e in support.read_all(shard)
                                         if e["systemProperties"].get("iothub-connection-device-id") == "raw-credit"] or None)
    device.loop_stop()
    device.disconnect()
    check(events and len(events) >= 6, "the events were not stored")
    partition = events[0]["partitionId"]
    connection = peer()
    connection.sasl()
    connection.open()
    connection.begin()
    entity = shard["name"]
    status, _ = connection.put_token("sb://%s/%s" % (HOST, entity), eh_token())
    check(status in (200, 202), "event hubs put-token %r" % status)
    filters = {wire.Symbol("apache.org:selector-filter:string"): wire.Described(
        "apache.org:selector-filter:string", "amqp.annotation.x-opt-offset > '-1'")}
    connection.attach("partition", 1, True, "amqps://%s/%s/ConsumerGroups/$Default/Partitions/%s" % (HOST, entity, partition),
                      "raw-receiver", filters=filters)
    connection.until("attach")
    connection.flow(1, 2)
    first = [connection.until("transfer")[0] for _ in range(2)]
    connection.sock.settimeout(1.5)
    extra = []
    try:
        extra.append(connection.frame())
    except Exception:
        pass
    connection.sock.settimeout(20)
    check(not [f for f in extra if f.name == "transfer"], "a transfer beyond the credit: %r" % extra)
    connection.flow(1, 3, delivery_count=2)
    more = [connection.until("transfer")[0] for _ in range(3)]
    connection.close()
    settled = [f.field(4) for f in first + more]
    check(all(settled), "events not pre-settled: %r" % settled)
    tags = [len(f.field(2) or b"") for f in first + more]
    return {"received": len(first) + len(more), "tagLengths": tags}


def token_expiry():
    """A C2D link under a token that lapses in a few seconds is closed with amqp:unauthorized-access."""
    connection = peer()
    connection.sasl()
    connection.open()
    connection.begin()
    status, _ = connection.put_token("https://" + settings["HostName"], support.token(shard["serviceConnectionString"], ttl=3))
    check(status in (200, 202), "put-token %r" % status)
    connection.attach("c2d", 1, False, "raw-peer", "amqps://%s/messages/devicebound" % HOST)
    connection.until("attach")
    connection.sock.settimeout(30)
    detach, _ = connection.until("detach")
    connection.close()
    check(detach.error() == "amqp:unauthorized-access", "detach %r" % detach)
    return {"condition": detach.error()}


def eh_token():
    parts = dict(p.split("=", 1) for p in shard["eventHubsConnectionString"].split(";") if p)
    host = parts["Endpoint"].replace("sb://", "").strip("/")
    return support.token("HostName=sb://%s/%s;SharedAccessKeyName=%s;SharedAccessKey=%s" % (
        host, parts["EntityPath"], parts["SharedAccessKeyName"], parts["SharedAccessKey"]))


step("wrongHeader", wrong_header)
step("garbageAfterHeader", garbage_after_header)
step("oversizedFrame", oversized_frame)
step("saslFailure", sasl_failure)
step("unknownAddress", unknown_address)
step("splitTransfer", split_transfer)
step("credit", credit)
step("tokenExpiry", token_expiry)
print(json.dumps({"steps": steps}))
