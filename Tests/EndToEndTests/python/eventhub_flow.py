"""The Event Hubs-compatible built-in endpoint of a shard, read with the unmodified azure-eventhub 5.15.1 client.

Usage: eventhub_flow.py CONNECTION_JSON TRANSPORT [websocket]
TRANSPORT is `pyamqp` (the client's default stack) or `uamqp` (`uamqp_transport=True`, the C stack). With `websocket`
the client uses AMQP over WebSockets (wss://{host}:443/$servicebus/websocket).

A device (MQTT, azure-iot-device) is created under routes that send twin-change and lifecycle events to `events`,
gets a desired-property change and sends telemetry with system and application properties. The events REST API is
the ground truth every Event Hubs read is compared with.
Prints one JSON object: {"steps": {name: {"ok": bool, "error": str?, ...}}}.
"""
import datetime
import json
import os
import sys
import threading
import time

import routing_support as support
import csr_support

conn = support.setup(sys.argv[1])
transport = sys.argv[2]
websocket = len(sys.argv) > 3 and sys.argv[3] == "websocket"
os.environ["SSL_CERT_FILE"] = conn["trustBundle"]
shard = support.hub(conn, "hub-1")
steps = {}
DEVICE = "eh-device-%s%s" % (transport, "-ws" if websocket else "")
TELEMETRY = 3


StepFailure, check = csr_support.StepFailure, csr_support.check


def step(name, fn):
    csr_support.step(steps, name, fn)


def text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    return value


def client(consumer_group="$Default", connection_string=None):
    from azure.eventhub import EventHubConsumerClient, TransportType
    options = {"connection_verify": conn["trustBundle"], "retry_total": 1}
    if transport == "uamqp":
        options["uamqp_transport"] = True
    if websocket:
        options["transport_type"] = TransportType.AmqpOverWebsocket
    return EventHubConsumerClient.from_connection_string(
        connection_string or shard["eventHubsConnectionString"], consumer_group=consumer_group, **options)


def describe(event):
    return {
        "sequenceNumber": event.sequence_number,
        "offset": text(event.offset),
        "enqueuedTime": text(event.enqueued_time),
        "body": event.body_as_str(),
        "properties": {text(k): text(v) for k, v in (event.properties or {}).items()},
        "system": {text(k): str(text(v)) for k, v in (event.system_properties or {}).items()},
    }


def receive(partition, position, inclusive=False, count=None, until=None, timeout=40, consumer_group="$Default",
            batch=False, action=None, sink=None, error_sink=None, **options):
    """Receives on one partition until `count` events (or `until(events)`), `timeout` at most; returns (events, errors,
    last enqueued properties)."""
    events = sink if sink is not None else []
    errors = error_sink if error_sink is not None else []
    metrics = {}
    done = threading.Event()
    consumer = client(consumer_group)

    def on_event(context, event):
        if event is None:
            return
        events.append(describe(event))
        if options.get("track_last_enqueued_event_properties"):
            metrics.update({k: text(v) for k, v in (context.last_enqueued_event_properties or {}).items()})
        if (count is not None and len(events) >= count) or (until is not None and until(events)):
            done.set()

    def on_batch(context, batch_events):
        for event in batch_events:
            on_event(context, event)

    def on_error(context, error):
        errors.append("%s: %s" % (type(error).__name__, error))
        if options.get("stop_on_error"):
            done.set()

    arguments = dict(partition_id=partition, starting_position=position, starting_position_inclusive=inclusive,
                     on_error=on_error, max_wait_time=5)
    arguments.update({k: v for k, v in options.items() if k != "stop_on_error"})
    target = consumer.receive_batch if batch else consumer.receive
    if batch:
        arguments["on_event_batch"] = on_batch
    else:
        arguments["on_event"] = on_event
    thread = threading.Thread(target=target, kwargs=arguments, daemon=True)
    thread.start()
    if action is not None:
        action(events)
    done.wait(timeout)
    consumer.close()
    thread.join(30)
    return events, errors, metrics


# Ground truth and set-up ------------------------------------------------------------------------------------------
state = {}


def set_up():
    status, routing = support.call(shard, "GET", "/routing")
    check(status == 200, "GET /routing: %s" % status)
    routing["routes"] = [
        {"name": "twins", "source": "TwinChangeEvents", "condition": "true", "endpointNames": ["events"]},
        {"name": "lifecycle", "source": "DeviceLifecycleEvents", "condition": "true", "endpointNames": ["events"]},
    ]
    routing["endpoints"] = [e for e in routing.get("endpoints", []) if e.get("name") != "events"]
    status, reply = support.call(shard, "PUT", "/routing", routing)
    check(status == 200, "PUT /routing: %s %s" % (status, reply))
    key = support.create_device(shard, DEVICE)
    from azure.iot.hub import IoTHubRegistryManager
    from azure.iot.hub.models import Twin, TwinProperties
    manager = IoTHubRegistryManager.from_connection_string(shard["serviceConnectionString"])
    manager.update_twin(DEVICE, Twin(properties=TwinProperties(desired={"rate": 5})), "*")
    device = support.connect(conn, shard, DEVICE, key)
    from azure.iot.device import Message
    for index in range(TELEMETRY):
        message = Message(json.dumps({"index": index, "temperature": 20 + index}), message_id="mid-%d" % index,
                          content_encoding="utf-8", content_type="application/json")
        message.correlation_id = "cid-%d" % index
        message.custom_properties["alert"] = "yes" if index % 2 else "no"
        message.custom_properties["b key"] = "v/1&2"
        device.send_message(message)
    state["device"], state["key"] = device, key
    # All of the device's events live in one partition (chosen by device id).
    expected = 2 + TELEMETRY

    def stored():
        events = [e for e in support.read_all(shard) if e["systemProperties"].get("iothub-connection-device-id") == DEVICE]
        return events if len(events) >= expected else None
    events = support.wait_until(stored, timeout=60)
    check(events, "the events API never showed the device's %d events" % expected)
    state["truth"] = events
    state["partition"] = events[0]["partitionId"]
    check(len({e["partitionId"] for e in events}) == 1, "one device, one partition")
    sources = [e["systemProperties"].get("iothub-message-source") for e in events]
    return {"partition": state["partition"], "sources": sources}


def truth_sequence_numbers():
    return [e["sequenceNumber"] for e in state["truth"]]


def hub_properties():
    consumer = client()
    try:
        properties = consumer.get_eventhub_properties()
        ids = consumer.get_partition_ids()
        partition = consumer.get_partition_properties(state["partition"])
    finally:
        consumer.close()
    status, ranges = support.call(shard, "GET", "/events/partitions")
    check(status == 200, "GET /events/partitions: %s" % status)
    truth = [r for r in ranges if r["partitionId"] == state["partition"]][0]
    check(properties["eventhub_name"] == shard["name"], "name %r" % properties["eventhub_name"])
    check(partition["id"] == state["partition"] and partition["eventhub_name"] == shard["name"], "partition %r" % partition)
    check(partition["beginning_sequence_number"] == truth["firstSequenceNumber"],
          "begin %r vs %r" % (partition["beginning_sequence_number"], truth["firstSequenceNumber"]))
    check(partition["last_enqueued_sequence_number"] == truth["lastSequenceNumber"],
          "last %r vs %r" % (partition["last_enqueued_sequence_number"], truth["lastSequenceNumber"]))
    check(partition["is_empty"] is False, "partition reported empty")
    return {"name": properties["eventhub_name"], "partitionIds": list(properties["partition_ids"]), "idsCall": list(ids),
            "createdAt": text(properties["created_at"]) if properties.get("created_at") else None,
            "lastOffset": str(partition["last_enqueued_offset"]),
            "lastEnqueuedTime": text(partition["last_enqueued_time_utc"])}


def from_start():
    truth = state["truth"]
    events, errors, _ = receive(state["partition"], "-1", until=lambda got: any(
        e["sequenceNumber"] >= truth[-1]["sequenceNumber"] for e in got))
    mine = [e for e in events if e["system"].get("iothub-connection-device-id") == DEVICE]
    state["events"] = mine
    check([e["sequenceNumber"] for e in mine] == truth_sequence_numbers(),
          "sequence numbers %r vs %r (errors %r)" % ([e["sequenceNumber"] for e in mine], truth_sequence_numbers(), errors))
    check([e["sequenceNumber"] for e in events] == sorted(e["sequenceNumber"] for e in events), "out of order")
    telemetry = [e for e in mine if e["system"].get("iothub-message-source") == "Telemetry"]
    check(len(telemetry) == TELEMETRY, "telemetry %d" % len(telemetry))
    for index, event in enumerate(telemetry):
        check(json.loads(event["body"]) == {"index": index, "temperature": 20 + index}, "body %r" % event["body"])
        check(event["properties"].get("alert") == ("yes" if index % 2 else "no"), "properties %r" % event["properties"])
        check(event["properties"].get("b key") == "v/1&2", "properties %r" % event["properties"])
        check(event["system"].get("message-id") == "mid-%d" % index, "message-id %r" % event["system"])
        check(event["system"].get("correlation-id") == "cid-%d" % index, "correlation-id %r" % event["system"])
        check(event["system"].get("content-type") == "application/json", "content-type %r" % event["system"])
        check(event["system"].get("content-encoding") == "utf-8", "content-encoding %r" % event["system"])
    for event in mine:
        check(event["system"].get("x-opt-sequence-number") == str(event["sequenceNumber"]), "x-opt-sequence-number")
        check(event["system"].get("x-opt-offset") == str(event["offset"]), "x-opt-offset")
        check(event["enqueuedTime"] is not None, "no enqueued time")
    sample = telemetry[0]
    return {"sequenceNumbers": [e["sequenceNumber"] for e in mine], "sources": [e["system"].get("iothub-message-source") for e in mine],
            "systemKeys": sorted(sample["system"].keys()), "authMethod": sample["system"].get("iothub-connection-auth-method"),
            "deviceId": sample["system"].get("iothub-connection-device-id"), "errors": errors}


def from_sequence_number(inclusive):
    def run():
        truth = truth_sequence_numbers()
        start = truth[1]
        expected = [n for n in truth if (n >= start if inclusive else n > start)]
        events, errors, _ = receive(state["partition"], start, inclusive=inclusive, until=lambda got: any(
            e["sequenceNumber"] >= truth[-1] for e in got))
        got = [e["sequenceNumber"] for e in events]
        check(got == expected, "from %d (%s): %r, expected %r (errors %r)" % (start, inclusive, got, expected, errors))
        return {"start": start, "sequenceNumbers": got}
    return run


def from_offset():
    events = state["events"]
    offset = events[1]["offset"]
    expected = [e["sequenceNumber"] for e in events[2:]]
    got_events, errors, _ = receive(state["partition"], str(offset), until=lambda got: any(
        e["sequenceNumber"] >= expected[-1] for e in got))
    got = [e["sequenceNumber"] for e in got_events]
    check(got == expected, "after offset %s: %r, expected %r (errors %r)" % (offset, got, expected, errors))
    return {"offset": str(offset), "sequenceNumbers": got}


def from_enqueued_time():
    events = state["events"]
    reference = events[1]["enqueuedTime"]
    expected = [e["sequenceNumber"] for e in events if e["enqueuedTime"] > reference]
    check(expected, "every event has the same enqueued time")
    start = datetime.datetime.fromtimestamp(reference / 1000.0, tz=datetime.timezone.utc)
    got_events, errors, _ = receive(state["partition"], start, until=lambda got: any(
        e["sequenceNumber"] >= expected[-1] for e in got))
    got = [e["sequenceNumber"] for e in got_events]
    check(got == expected, "after %d ms: %r, expected %r (errors %r)" % (reference, got, expected, errors))
    return {"sequenceNumbers": got}


def latest():
    before = state["truth"][-1]["sequenceNumber"]
    from azure.iot.device import Message
    sent = []

    def send_until_received(events):
        # The receiver attaches asynchronously: keep sending until one arrives (at most 20 tries).
        for attempt in range(20):
            message = Message(json.dumps({"latest": attempt}), content_encoding="utf-8", content_type="application/json")
            state["device"].send_message(message)
            sent.append(attempt)
            if support.wait_until(lambda: events, timeout=2, interval=0.1):
                return

    events, errors, _ = receive(state["partition"], "@latest", count=1, action=send_until_received)
    check(events, "nothing arrived after @latest (errors %r)" % errors)
    check(all(e["sequenceNumber"] > before for e in events), "an event from before @latest: %r" % [e["sequenceNumber"] for e in events])
    check(all("latest" in json.loads(e["body"]) for e in events), "an old event after @latest")
    return {"received": len(events), "sent": len(sent)}


def batch():
    truth = truth_sequence_numbers()
    events, errors, _ = receive(state["partition"], "-1", batch=True, until=lambda got: any(
        e["sequenceNumber"] >= truth[-1] for e in got))
    got = [e["sequenceNumber"] for e in events if e["system"].get("iothub-connection-device-id") == DEVICE]
    check(got[:len(truth)] == truth, "receive_batch %r vs %r (errors %r)" % (got, truth, errors))
    return {"sequenceNumbers": got}


def runtime_metric():
    truth = truth_sequence_numbers()
    events, errors, metrics = receive(state["partition"], "-1", count=1, track_last_enqueued_event_properties=True)
    check(events, "nothing received (errors %r)" % errors)
    check(metrics.get("sequence_number") is not None and metrics["sequence_number"] >= truth[-1],
          "last enqueued properties %r" % metrics)
    return {"metrics": {k: str(v) for k, v in metrics.items()}}


def consumer_groups():
    truth = truth_sequence_numbers()
    results = {}

    def read(group):
        events, errors, _ = receive(state["partition"], "-1", consumer_group=group, until=lambda got: any(
            e["sequenceNumber"] >= truth[-1] for e in got))
        results[group] = ([e["sequenceNumber"] for e in events], errors)
    threads = [threading.Thread(target=read, args=(group,)) for group in ("$Default", "analytics")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    for group, (got, errors) in results.items():
        check([n for n in got if n in truth] == truth, "%s read %r (errors %r)" % (group, got, errors))
    return {"groups": sorted(results.keys())}


def owner_level():
    truth = truth_sequence_numbers()
    low_events, low_errors = [], []
    done = threading.Event()

    def low():
        receive(state["partition"], "-1", owner_level=1, stop_on_error=True, until=lambda got: False, timeout=40,
                sink=low_events, error_sink=low_errors)
        done.set()
    thread = threading.Thread(target=low)
    thread.start()
    # The lower receiver reads first, so it owns the partition before the higher one attaches.
    check(support.wait_until(lambda: low_events or done.is_set(), timeout=30), "the owner level 1 receiver read nothing")
    high, high_errors, _ = receive(state["partition"], "-1", owner_level=2, until=lambda got: any(
        e["sequenceNumber"] >= truth[-1] for e in got))
    thread.join(90)
    check(high and high[-1]["sequenceNumber"] >= truth[-1], "the higher owner level did not read (errors %r)" % high_errors)
    check(any("stolen" in e.lower() or "epoch" in e.lower() or "owner" in e.lower() for e in low_errors),
          "the lower receiver was not displaced: %r" % low_errors)
    return {"lowErrors": low_errors}


def wrong_key():
    parts = dict(p.split("=", 1) for p in shard["eventHubsConnectionString"].split(";") if p)
    parts["SharedAccessKey"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    bad = ";".join("%s=%s" % (k, v) for k, v in parts.items())
    consumer = client(connection_string=bad)
    started = time.monotonic()
    try:
        consumer.get_eventhub_properties()
        raise StepFailure("a wrong key read the event hub properties")
    except StepFailure:
        raise
    except Exception as error:
        return {"errorType": type(error).__name__, "error": str(error)[:300], "seconds": round(time.monotonic() - started, 1)}
    finally:
        consumer.close()


step("setUp", set_up)
if steps["setUp"]["ok"]:
    step("properties", hub_properties)
    step("fromStart", from_start)
    if steps["fromStart"]["ok"]:
        step("sequenceInclusive", from_sequence_number(True))
        step("sequenceExclusive", from_sequence_number(False))
        step("offset", from_offset)
        step("enqueuedTime", from_enqueued_time)
    step("batch", batch)
    step("runtimeMetric", runtime_metric)
    step("consumerGroups", consumer_groups)
    step("ownerLevel", owner_level)
    step("latest", latest)
step("wrongKey", wrong_key)
if "device" in state:
    state["device"].shutdown()
print(json.dumps({"steps": steps}))
sys.stdout.flush()
# uamqp's C objects can crash the interpreter at exit; the report is out, so leave without tearing them down.
os._exit(0)
