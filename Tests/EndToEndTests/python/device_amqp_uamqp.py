"""Device AMQP with uamqp 1.6.11 (azure-uamqp-c, the C SDK's AMQP stack): SASL MSSBCBS, then a CBS put-token with the
device SAS as the C SDK writes it (`sr` raw, audience `{host}/devices/{id}`), then the device links.

Usage: device_amqp_uamqp.py CONNECTION_JSON

Steps: telemetry with properties and the C SDK's batched format (0x80013700, two inner messages) read back from the
built-in endpoint with azure-eventhub; C2D complete, reject and abandon (released, then modified) with feedback; a
direct method round trip and the twin (GET, reported PATCH, desired notification), each on a link pair sharing one
connection; a module's telemetry. DEVICE_AMQP_STEPS=name,... runs a subset.
Prints one JSON object: {"steps": {name: {"ok": bool, "error": str?, ...}}}.
"""
import json
import os
import sys
import time
import uuid

import uamqp
from uamqp import types
from uamqp.message import BatchMessage, Message, MessageProperties

import csr_support
import device_amqp_support as support

shard = support.Shard(sys.argv[1])
check, StepFailure = support.check, support.StepFailure
steps = {}


def step(name, fn):
    csr_support.step(steps, name, fn)


def auth(device_id, key, module_id=None):
    """CBS auth with the device's (or module's) own SAS: put-token name = `{host}/devices/{id}[/modules/{m}]`."""
    token, expiry = shard.sas(device_id, key, module_id=module_id)
    return uamqp.authentication.SASTokenAuth(
        audience=shard.audience(device_id, module_id), uri="amqps://%s/devices/%s" % (shard.host, device_id), token=token,
        expires_at=expiry, port=shard.port, verify=shard.trust)


def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


# Telemetry --------------------------------------------------------------------------------------------------------

def telemetry():
    device = "uamqp-telemetry"
    key = shard.create_device(device)
    client = uamqp.SendClient(shard.address(device, "messages/events"), auth=auth(device, key),
                              link_properties={types.AMQPSymbol("com.microsoft:client-version"): "uamqp-e2e/1.0"})
    try:
        single = Message(json.dumps({"temperature": 21.5}).encode(), properties=MessageProperties(
            message_id="u-mid-1", correlation_id="u-cid-1", content_type="application/json", content_encoding="utf-8"),
            application_properties={"alert": "true", "b key": "v/1&2"})
        client.send_message(single)
        check(single.state == uamqp.constants.MessageState.SendComplete, "single message state %r" % single.state)
        inner = [
            Message(b'{"batched":1}', properties=MessageProperties(message_id="u-batch-1", correlation_id="u-bcid-1",
                                                                  content_type="application/json", content_encoding="utf-8"),
                    application_properties={"part": "one"}),
            Message(b'{"batched":2}', properties=MessageProperties(message_id="u-batch-2"),
                    application_properties={"part": "two"}),
        ]
        batch = BatchMessage(data=inner)
        client.send_message(batch)
    finally:
        client.close()
    events = shard.eventhub_events(device, 3)
    by_id = {e["system"].get("message-id"): e for e in events}
    check(set(by_id) >= {"u-mid-1", "u-batch-1", "u-batch-2"}, "message ids %r" % sorted(by_id))
    first = by_id["u-mid-1"]
    check(json.loads(first["body"]) == {"temperature": 21.5}, "body %r" % first["body"])
    check(first["properties"].get("alert") == "true" and first["properties"].get("b key") == "v/1&2",
          "application properties %r" % first["properties"])
    system = first["system"]
    check(system.get("correlation-id") == "u-cid-1", "correlation-id %r" % system)
    check(system.get("content-type") == "application/json", "content-type %r" % system)
    check(system.get("content-encoding") == "utf-8", "content-encoding %r" % system)
    check(system.get("iothub-connection-device-id") == device, "device id %r" % system)
    one, two = by_id["u-batch-1"], by_id["u-batch-2"]
    check(json.loads(one["body"]) == {"batched": 1} and json.loads(two["body"]) == {"batched": 2},
          "batched bodies %r %r" % (one["body"], two["body"]))
    check(one["properties"].get("part") == "one" and two["properties"].get("part") == "two",
          "batched application properties %r %r" % (one["properties"], two["properties"]))
    check(one["system"].get("correlation-id") == "u-bcid-1" and one["system"].get("content-type") == "application/json",
          "batched system properties %r" % one["system"])
    check(two["system"].get("iothub-connection-device-id") == device, "batched device id %r" % two["system"])
    return {"deviceId": system.get("iothub-connection-device-id"), "authMethod": system.get("iothub-connection-auth-method"),
            "messageIds": sorted(by_id), "properties": first["properties"],
            "system": {k: system.get(k) for k in ("message-id", "correlation-id", "content-type", "content-encoding")},
            "batched": [one["body"], two["body"]]}


# C2D --------------------------------------------------------------------------------------------------------------

class DeviceReceiver:
    """A C2D receiver link that remembers what it settled: a settled message delivered again is recorded (and
    completed) instead of ending the step, so the rest of the scenario still runs and the step fails at the end."""

    def __init__(self, device, key):
        self.client = uamqp.ReceiveClient(shard.address(device, "messages/devicebound"), auth=auth(device, key),
                                          auto_complete=False, timeout=0, prefetch=10)
        self.seen = []  # message id, delivery count and delivery tag length, in arrival order
        self.settled = set()
        self.redelivered = []  # settled (completed or rejected) messages that came again

    def next(self, message_id, timeout=30):
        """Receives until the message with `message_id` arrives and returns it unsettled; any other new message fails."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.client.receive_message_batch(max_batch_size=1, timeout=1000):
                mid = text(message.properties.message_id)
                tag = message.delivery_tag
                count = message.header.delivery_count if message.header else 0
                self.seen.append({"messageId": mid, "deliveryCount": count, "tagLength": len(tag) if tag is not None else None})
                if mid in self.settled:
                    self.redelivered.append("%s (delivery count %d)" % (mid, count))
                    message.accept()
                    continue
                check(mid == message_id, "%s arrived while waiting for %s (seen %r)" % (mid, message_id, self.seen))
                return message
        raise StepFailure("%s did not arrive within %d s (seen %r)" % (message_id, timeout, self.seen))

    def accept(self, message):
        check(message.accept(), "accept did not settle")
        self.settled.add(text(message.properties.message_id))

    def reject(self, message):
        check(message.reject(condition="Rejected by application", description="Rejected by application"), "reject did not settle")
        self.settled.add(text(message.properties.message_id))

    def close(self):
        self.client.close()


def cloud_to_device():
    device = "uamqp-c2d"
    key = shard.create_device(device)
    for name in ("complete", "reject", "abandon"):
        shard.send_c2d(device, "c2d %s" % name, "u-c2d-" + name, correlationId="u-corr-" + name,
                       contentType="text/plain", prop=name)
    receiver = DeviceReceiver(device, key)
    try:
        complete = receiver.next("u-c2d-complete")
        check(b"".join(complete.get_data()) == b"c2d complete", "body %r" % b"".join(complete.get_data()))
        check(text(complete.properties.correlation_id) == "u-corr-complete", "correlation id %r" % complete.properties.correlation_id)
        check(text(complete.properties.content_type) == "text/plain", "content type %r" % complete.properties.content_type)
        props = {text(k): text(v) for k, v in (complete.application_properties or {}).items()}
        check(props.get("prop") == "complete", "application properties %r" % props)
        receiver.accept(complete)
        receiver.reject(receiver.next("u-c2d-reject"))
        abandoned = receiver.next("u-c2d-abandon")
        first_count = abandoned.header.delivery_count if abandoned.header else 0
        check(abandoned.release(), "release did not settle")
        again = receiver.next("u-c2d-abandon")
        second_count = again.header.delivery_count if again.header else 0
        check(second_count > first_count, "delivery count after release %d, before %d" % (second_count, first_count))
        check(again.modify(True, False), "modify did not settle")
        third = receiver.next("u-c2d-abandon")
        third_count = third.header.delivery_count if third.header else 0
        check(third_count > second_count, "delivery count after modify %d, before %d" % (third_count, second_count))
        receiver.accept(third)
        # The queue is FIFO: a marker sent now comes after anything redelivered, so settled messages that come back
        # show up before it (and are recorded) instead of being waited for blindly.
        shard.send_c2d(device, "marker", "u-c2d-marker")
        receiver.accept(receiver.next("u-c2d-marker"))
    finally:
        receiver.close()
    check(not receiver.redelivered, "settled messages were delivered again: %s" % ", ".join(receiver.redelivered))
    tags = {s["tagLength"] for s in receiver.seen}
    check(tags == {16}, "delivery tag lengths %r" % tags)
    records = {name: shard.feedback_record("u-c2d-" + name) for name in ("complete", "reject", "abandon")}
    check(records["complete"]["statusCode"] == "Success", "complete feedback %r" % records["complete"])
    check(records["reject"]["statusCode"] == "Rejected", "reject feedback %r" % records["reject"])
    check(records["abandon"]["statusCode"] == "Success", "abandoned then completed feedback %r" % records["abandon"])
    check(all(r["deviceId"] == device for r in records.values()), "feedback device ids %r" % records)
    return {"deliveryCounts": [first_count, second_count, third_count], "tagLengths": sorted(tags),
            "feedback": {name: r["statusCode"] for name, r in records.items()},
            "arrivals": [s["messageId"] for s in receiver.seen]}


# Direct methods ---------------------------------------------------------------------------------------------------

def methods():
    device = "uamqp-methods"
    key = shard.create_device(device)
    connection = uamqp.Connection(shard.host.encode(), auth(device, key), container_id="uamqp-methods-" + str(uuid.uuid4()))
    properties = {types.AMQPSymbol("com.microsoft:channel-correlation-id"): device,
                  types.AMQPSymbol("com.microsoft:api-version"): "2020-09-30"}
    requests = uamqp.ReceiveClient(shard.address(device, "methods/devicebound"), auto_complete=False, timeout=0, prefetch=10,
                                   link_properties=properties, client_name="methods_requests_link-" + device)
    responses = uamqp.SendClient(shard.address(device, "methods/devicebound"), link_properties=properties,
                                 client_name="methods_responses_link-" + device)
    requests.open(connection=connection)
    responses.open(connection=connection)
    try:
        # Token first, then both links attached, before the service calls.
        deadline = time.monotonic() + 20
        while not (requests.client_ready() and responses.client_ready()):
            check(time.monotonic() < deadline, "the methods links did not open within 20 s")
            time.sleep(0.02)
        outcome, finished = shard.invoke_method(device, "reboot", {"delay": 1})
        request = None
        deadline = time.monotonic() + 30
        while request is None and time.monotonic() < deadline and not finished.is_set():
            batch = requests.receive_message_batch(max_batch_size=1, timeout=1000)
            request = batch[0] if batch else None
        check(request is not None, "no method request arrived (%r)" % outcome)
        correlation = request.properties.correlation_id
        check(isinstance(correlation, uuid.UUID), "correlation-id %r is not a uuid" % (correlation,))
        name = {text(k): text(v) for k, v in (request.application_properties or {}).items()}.get("IoThub-methodname")
        check(name == "reboot", "method name %r" % name)
        payload = json.loads(b"".join(request.get_data()))
        check(payload == {"delay": 1}, "request payload %r" % payload)
        request.accept()
        reply = Message(json.dumps({"rebooted": True}).encode(), properties=MessageProperties(correlation_id=correlation),
                        application_properties={"IoThub-status": 201})
        responses.send_message(reply)
        check(finished.wait(30), "invoke_device_method did not return")
        check("result" in outcome, "invoke_device_method failed: %r" % outcome)
        check(outcome["result"]["status"] == 201 and outcome["result"]["payload"] == {"rebooted": True},
              "method result %r" % outcome["result"])
        return {"methodName": name, "request": payload, "result": outcome["result"]}
    finally:
        responses.close()
        requests.close()
        connection.destroy()


# Twin -------------------------------------------------------------------------------------------------------------

class TwinLinks:
    """The twin link pair of one device on one uamqp connection (as the C SDK attaches it)."""

    def __init__(self, device, key):
        self.connection = uamqp.Connection(shard.host.encode(), auth(device, key), container_id="uamqp-twin-" + str(uuid.uuid4()))
        properties = {types.AMQPSymbol("com.microsoft:channel-correlation-id"): "twin:%s" % uuid.uuid4(),
                      types.AMQPSymbol("com.microsoft:api-version"): "2020-09-30"}
        self.replies = uamqp.ReceiveClient(shard.address(device, "twin"), auto_complete=False, timeout=0, prefetch=10,
                                           link_properties=properties, client_name="link-rcv-%s-%s" % (device, uuid.uuid4()))
        self.requests = uamqp.SendClient(shard.address(device, "twin"), link_properties=properties,
                                         client_name="link-snd-%s-%s" % (device, uuid.uuid4()))
        self.replies.open(connection=self.connection)
        self.requests.open(connection=self.connection)
        deadline = time.monotonic() + 20
        while not (self.replies.client_ready() and self.requests.client_ready()):
            check(time.monotonic() < deadline, "the twin links did not open within 20 s")
            time.sleep(0.02)
        self.pending = []  # messages received while waiting for something else

    def receive(self, accept, timeout=20):
        """The first received message `accept(message)` is true for (completed); others are kept for later."""
        for message in list(self.pending):
            if accept(message):
                self.pending.remove(message)
                return message
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.replies.receive_message_batch(max_batch_size=1, timeout=1000):
                message.accept()
                if accept(message):
                    return message
                self.pending.append(message)
        raise StepFailure("nothing expected arrived on the twin link within %d s (others %r)" % (
            timeout, [annotations(m) for m in self.pending]))

    def request(self, operation, resource=None, body=b" "):
        """Sends a twin request; returns the reply's (status, version, body)."""
        correlation = str(uuid.uuid4())
        values = {types.AMQPSymbol("operation"): operation}
        if resource:
            values[types.AMQPSymbol("resource")] = resource
        self.requests.send_message(Message(body, properties=MessageProperties(correlation_id=correlation), annotations=values))
        reply = self.receive(lambda m: text(m.properties.correlation_id) == correlation)
        values = annotations(reply)
        return values.get("status"), values.get("version"), b"".join(reply.get_data())

    def close(self):
        self.requests.close()
        self.replies.close()
        self.connection.destroy()


def annotations(message):
    return {text(k): text(v) for k, v in (message.annotations or {}).items()}


def twin():
    device = "uamqp-twin"
    key = shard.create_device(device)
    shard.update_desired(device, {"interval": 30})
    links = TwinLinks(device, key)
    try:
        status, _, body = links.request("GET")
        check(status == 200, "GET status %r" % status)
        document = json.loads(body)
        check(document["desired"].get("interval") == 30, "GET body %r" % document)
        status, version, _ = links.request("PATCH", "/properties/reported", json.dumps({"battery": 88}).encode())
        check(status == 204 and isinstance(version, int), "PATCH status %r version %r" % (status, version))
        reported = shard.twin(device).properties.reported
        check(reported.get("battery") == 88, "service twin reported %r" % reported)
        status, _, _ = links.request("PUT", "/notifications/twin/properties/desired")
        check(status == 200, "PUT (subscribe) status %r" % status)
        shard.update_desired(device, {"interval": 60})
        notification = links.receive(lambda m: m.properties is None or m.properties.correlation_id is None)
        patch = json.loads(b"".join(notification.get_data()))
        check(patch.get("interval") == 60 and "$version" in patch, "notification body %r" % patch)
        check(annotations(notification).get("version") == patch["$version"], "notification annotations %r" % annotations(notification))
    finally:
        links.close()
    return {"get": document, "patchVersion": version, "reported": {"battery": reported.get("battery")}, "notification": patch}


# Modules ----------------------------------------------------------------------------------------------------------

def module_telemetry():
    device, module = "uamqp-module-host", "sensor"
    shard.create_device(device)
    key = shard.create_module(device, module)
    client = uamqp.SendClient(shard.address(device, "messages/events", module_id=module), auth=auth(device, key, module))
    try:
        client.send_message(Message(b'{"module":true}', properties=MessageProperties(message_id="u-module-1"),
                                    application_properties={"from": "module"}))
    finally:
        client.close()
    events = shard.eventhub_events(device, 1, module_id=module)
    event = events[0]
    check(event["system"].get("iothub-connection-module-id") == module, "module id %r" % event["system"])
    check(event["system"].get("message-id") == "u-module-1", "message id %r" % event["system"])
    check(event["properties"].get("from") == "module", "application properties %r" % event["properties"])
    return {"deviceId": event["system"].get("iothub-connection-device-id"),
            "moduleId": event["system"].get("iothub-connection-module-id"), "body": event["body"]}


STEPS = [("telemetry", telemetry), ("cloudToDevice", cloud_to_device), ("methods", methods), ("twin", twin), ("moduleTelemetry", module_telemetry)]
if __name__ == "__main__":
    only = os.environ.get("DEVICE_AMQP_STEPS")  # a comma-separated subset, for working on one scenario
    for name, fn in STEPS:
        if not only or name in only.split(","):
            step(name, fn)
    shard.close()
    support.report(steps)
