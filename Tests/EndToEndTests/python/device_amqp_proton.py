"""Device AMQP with python-qpid-proton 0.40 (Apache Qpid Proton-C, independent of uamqp): SASL ANONYMOUS (or no SASL at
all with an X.509 client certificate), CBS put-tokens written by hand on one `$cbs` link pair (uuid message ids, the
Python device SDK's URL-encoded `sr`), then the device links.

Usage: device_amqp_proton.py CONNECTION_JSON WORK_DIR

Steps: telemetry with properties read back with azure-eventhub; C2D complete, reject and abandon (released and
modified, then abandoned until the maximum delivery count dead-letters it) with feedback; twin GET, reported PATCH (seen
by the service), desired subscription and a service update arriving as a notification; a direct method; two devices
with their own tokens on one connection; X.509 devices (self-signed thumbprint, bare AMQP header or SASL EXTERNAL; and
a CA-signed certificate DPS issued from a CSR); a token that lapses cuts the device's links off, one renewed in time
keeps them; a disabled device loses its links; wrong, expired and foreign tokens are refused; another device's
addresses are refused; a module's telemetry and twin. DEVICE_AMQP_STEPS=name,... runs a subset.
Prints one JSON object: {"steps": {name: {"ok": bool, "error": str?, ...}}}.
"""
import base64
import json
import os
import sys
import time
import uuid

import cproton
from proton import Condition, Delivery, Endpoint, Message, SSLDomain, Timeout, int32, symbol
from proton.utils import BlockingConnection, LinkDetached

import csr_support
import device_amqp_support as support

shard = support.Shard(sys.argv[1])
work = sys.argv[2]
check, StepFailure = support.check, support.StepFailure
steps = {}
UNAUTHORIZED = "amqp:unauthorized-access"


def step(name, fn):
    csr_support.step(steps, name, fn)


class DeviceConnection:
    """One TLS connection to the shard's AMQP port: SASL ANONYMOUS and CBS, or (with a certificate) no SASL at all."""

    def __init__(self, certificate=None, mechanism="ANONYMOUS", hub=None):
        hub = hub or shard
        domain = SSLDomain(SSLDomain.MODE_CLIENT)
        domain.set_trusted_ca_db(hub.trust)
        domain.set_peer_authentication(SSLDomain.VERIFY_PEER)
        options = {"sasl_enabled": True, "allowed_mechs": mechanism}
        if certificate:
            domain.set_credentials(certificate[0], certificate[1], None)
        if mechanism is None:
            # As the C SDK does with X.509: the bare AMQP header, identity from the certificate.
            options = {"sasl_enabled": False}
        self.connection = BlockingConnection("amqps://%s:%d" % (hub.host, hub.port), ssl_domain=domain, timeout=30,
                                             virtual_host=hub.host, **options)
        self.cbs = None
        self.links = 0

    def name(self, prefix):
        self.links += 1
        return "%s-%d-%s" % (prefix, self.links, uuid.uuid4())

    def put_token(self, audience, token):
        """A put-token on `$cbs`; returns (status-code, status-description) of the reply."""
        if self.cbs is None:
            self.cbs = (self.connection.create_sender("$cbs", name="$cbs-sender"),
                        self.connection.create_receiver("$cbs", name="$cbs-receiver", credit=10))
        sender, receiver = self.cbs
        request_id = uuid.uuid4()
        sender.send(Message(id=request_id, body=token, properties={
            "operation": "put-token", "type": "servicebus.windows.net:sastoken", "name": audience}))
        reply = receiver.receive(timeout=20)
        receiver.accept()
        check(reply.correlation_id == request_id, "CBS reply correlation-id %r, request %r" % (reply.correlation_id, request_id))
        # uamqp-c and the C SDK read status-code as an AMQP int.
        check(amqp_type(reply.properties.get("status-code")) == "int32", "CBS status-code %r" % reply.properties.get("status-code"))
        return reply.properties.get("status-code"), reply.properties.get("status-description")

    def authenticate(self, device_id, key, module_id=None, ttl=3600):
        token, expiry = shard.sas(device_id, key, module_id=module_id, ttl=ttl, encode_sr=True)
        status, description = self.put_token(shard.audience(device_id, module_id), token)
        check(status in (200, 202), "put-token for %s: %r %r" % (device_id, status, description))
        return expiry

    def sender(self, address, name="link-snd", properties=None):
        return self.connection.create_sender(address, name=self.name(name), options=LinkProperties(properties))

    def receiver(self, address, name="link-rcv", credit=10, properties=None):
        return self.connection.create_receiver(address, name=self.name(name), credit=credit, options=LinkProperties(properties))

    def close(self):
        try:
            self.connection.close()
        except Exception:
            pass


class LinkProperties:
    """A proton link option that sets attach properties (symbol keys)."""

    def __init__(self, properties):
        self.properties = properties

    def apply(self, link):
        if self.properties:
            link.properties = {symbol(k): v for k, v in self.properties.items()}

    def test(self, link):
        return True


def send(sender, message):
    """Sends and waits for the disposition; the outcome must be accepted."""
    delivery = sender.send(message, error_states=[])
    check(delivery.remote_state == Delivery.ACCEPTED, "disposition %r, not accepted" % delivery.remote_state)
    return delivery


def data(body, **fields):
    """A message whose body is one data section."""
    return Message(body=body if isinstance(body, bytes) else body.encode(), inferred=True, **fields)


def receive(receiver, timeout=30):
    """The next message (a data body as bytes) and its (still unsettled) delivery."""
    message = receiver.receive(timeout=timeout)
    delivery = receiver.fetcher.unsettled.popleft()
    delivery.blocking = receiver.connection  # settle() pumps this connection so the disposition goes out at once
    if isinstance(message.body, memoryview):
        message.body = bytes(message.body)
    return message, delivery


def tag_length(delivery):
    """The delivery tag's length in bytes (proton's Delivery.tag decodes it as UTF-8, which a GUID is not)."""
    return cproton.lib.pn_delivery_tag(delivery._impl).size


def settle(delivery, state, condition=None, failed=False):
    if condition:
        delivery.local.condition = condition
    if failed:
        delivery.local.failed = True
    delivery.update(state)
    delivery.settle()
    # Proton writes frames only while the connection is processed: push the disposition out now rather than at the
    # next receive (the server must see it even when the script goes on to wait for something else).
    blocking = delivery.blocking
    transport = blocking.conn.transport
    blocking.wait(lambda: transport.pending() <= 0, timeout=10, msg="sending a disposition")


def amqp_type(value):
    """The AMQP type proton decoded `value` from: its wrapper class (int32, ulong, ...), `long` for a plain int."""
    return "long" if type(value) is int else type(value).__name__


def refused(attach):
    """Runs an attach that must be refused; returns the detach's condition, its description and whether the server's
    attach carried a null terminus (as a refusal must, so the client knows the link was not created)."""
    try:
        link = attach()
    except LinkDetached as error:
        remote = error.link.remote_condition
        terminus = error.link.remote_target if error.link.is_sender else error.link.remote_source
        return error.condition, remote.description if remote else None, terminus.address is None
    except Exception as error:  # proton's "target does not match" when the server answered a null terminus first
        return "%s: %s" % (type(error).__name__, error), None, None
    link.close()
    raise StepFailure("the attach was accepted")


# Telemetry --------------------------------------------------------------------------------------------------------

def telemetry():
    device = "proton-telemetry"
    key = shard.create_device(device)
    connection = DeviceConnection()
    try:
        connection.authenticate(device, key)
        sender = connection.sender(shard.address(device, "messages/events"))
        # The C SDK will not send on a link whose peer max-message-size is 1024 or less (0, "no limit", included).
        max_message_size = sender.link.remote_max_message_size
        check(max_message_size > 1024, "telemetry attach max-message-size %r" % max_message_size)
        # Over IoT Hub's 256 KB: rejected with a condition, and the link stays usable for the messages below.
        oversized = sender.send(data(b"x" * (300 * 1024), id="p-too-big"), error_states=[])
        check(oversized.remote_state == Delivery.REJECTED, "a 300 KB message: disposition %r" % oversized.remote_state)
        too_big = oversized.remote.condition.name if oversized.remote.condition else None
        for index in range(2):
            send(sender, data(json.dumps({"index": index}), id="p-mid-%d" % index, correlation_id="p-cid-%d" % index,
                              content_type="application/json", content_encoding="utf-8",
                              properties={"alert": "yes" if index else "no", "b key": "v/1&2"}))
        sender.close()
    finally:
        connection.close()
    events = shard.eventhub_events(device, 2)
    by_id = {e["system"].get("message-id"): e for e in events}
    check(set(by_id) >= {"p-mid-0", "p-mid-1"}, "message ids %r" % sorted(by_id))
    for index in range(2):
        event = by_id["p-mid-%d" % index]
        check(json.loads(event["body"]) == {"index": index}, "body %r" % event["body"])
        check(event["properties"].get("alert") == ("yes" if index else "no") and event["properties"].get("b key") == "v/1&2",
              "application properties %r" % event["properties"])
        system = event["system"]
        check(system.get("correlation-id") == "p-cid-%d" % index, "correlation-id %r" % system)
        check(system.get("content-type") == "application/json" and system.get("content-encoding") == "utf-8",
              "content type/encoding %r" % system)
        check(system.get("iothub-connection-device-id") == device, "device id %r" % system)
    first = by_id["p-mid-0"]
    return {"deviceId": first["system"].get("iothub-connection-device-id"),
            "authMethod": first["system"].get("iothub-connection-auth-method"), "messageIds": sorted(by_id),
            "properties": first["properties"], "maxMessageSize": max_message_size, "oversized": too_big,
            "system": {k: first["system"].get(k) for k in ("message-id", "correlation-id", "content-type", "content-encoding")}}


# C2D --------------------------------------------------------------------------------------------------------------

class CloudToDeviceReceiver:
    """A C2D receiver link that remembers what it settled: a settled message delivered again is recorded (and
    completed) instead of ending the step, so the rest of the scenario still runs and the step fails at the end."""

    def __init__(self, connection, device_id):
        self.receiver = connection.receiver(shard.address(device_id, "messages/devicebound"))
        self.seen = []  # every arrival: message id, delivery count, tag length
        self.settled = set()
        self.redelivered = []  # settled (completed or rejected) messages that came again

    def next(self, message_id=None, timeout=30):
        """The next message, which must be `message_id` when given."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            check(remaining > 0, "%s did not arrive within %d s (seen %r)" % (message_id, timeout, self.seen))
            message, delivery = receive(self.receiver, timeout=remaining)
            self.seen.append({"messageId": message.id, "deliveryCount": message.delivery_count, "tagLength": tag_length(delivery)})
            if message.id in self.settled:
                self.redelivered.append("%s (delivery count %d)" % (message.id, message.delivery_count))
                settle(delivery, Delivery.ACCEPTED)
                continue
            check(message_id is None or message.id == message_id,
                  "%s arrived while waiting for %s (seen %r)" % (message.id, message_id, self.seen))
            return message, delivery

    def settle(self, message, delivery, state, **options):
        settle(delivery, state, **options)
        if state in (Delivery.ACCEPTED, Delivery.REJECTED):
            self.settled.add(message.id)


def cloud_to_device():
    device = "proton-c2d"
    key = shard.create_device(device)
    for name in ("complete", "reject", "abandon"):
        shard.send_c2d(device, "c2d %s" % name, "p-c2d-" + name, correlationId="p-corr-" + name, prop=name)
    connection = DeviceConnection()
    try:
        connection.authenticate(device, key)
        c2d = CloudToDeviceReceiver(connection, device)
        complete, delivery = c2d.next("p-c2d-complete")
        check(complete.body == b"c2d complete", "body %r" % complete.body)
        check(complete.correlation_id == "p-corr-complete", "correlation id %r" % complete.correlation_id)
        check((complete.properties or {}).get("prop") == "complete", "application properties %r" % complete.properties)
        c2d.settle(complete, delivery, Delivery.ACCEPTED)
        rejected, delivery = c2d.next("p-c2d-reject")
        c2d.settle(rejected, delivery, Delivery.REJECTED, condition=Condition("Rejected by application", "Rejected by application"))
        abandoned, delivery = c2d.next("p-c2d-abandon")
        c2d.settle(abandoned, delivery, Delivery.RELEASED)
        again, delivery = c2d.next("p-c2d-abandon")
        check(again.delivery_count > abandoned.delivery_count,
              "delivery count after release %d, before %d" % (again.delivery_count, abandoned.delivery_count))
        c2d.settle(again, delivery, Delivery.MODIFIED, failed=True)
        third, delivery = c2d.next("p-c2d-abandon")
        check(third.delivery_count > again.delivery_count,
              "delivery count after modify %d, before %d" % (third.delivery_count, again.delivery_count))
        c2d.settle(third, delivery, Delivery.ACCEPTED)
        # FIFO queue: a marker sent now comes after anything redelivered, so settled messages that come back show up
        # before it (and are recorded) instead of being waited for blindly.
        shard.send_c2d(device, "marker", "p-c2d-marker")
        marker, delivery = c2d.next("p-c2d-marker")
        c2d.settle(marker, delivery, Delivery.ACCEPTED)

        # Abandoned until the maximum delivery count (10): then it is dead-lettered with DeliveryCountExceeded
        # feedback (awaited, not slept for), and a marker sent afterwards is the next thing the device gets.
        shard.send_c2d(device, "exhaust", "p-c2d-exhaust")
        counts = []
        while len(counts) < 10:
            message, delivery = c2d.next("p-c2d-exhaust")
            counts.append(message.delivery_count)
            c2d.settle(message, delivery, Delivery.RELEASED)
        try:
            shard.feedback_record("p-c2d-exhaust")
        except StepFailure as error:
            raise StepFailure("%s; delivery counts seen %r" % (error, counts))
        c2d.settled.add("p-c2d-exhaust")
        shard.send_c2d(device, "marker 2", "p-c2d-marker2")
        marker, delivery = c2d.next("p-c2d-marker2")
        c2d.settle(marker, delivery, Delivery.ACCEPTED)
    finally:
        connection.close()
    check(not c2d.redelivered, "settled messages were delivered again: %s" % ", ".join(c2d.redelivered))
    tags = {s["tagLength"] for s in c2d.seen}
    check(tags == {16}, "delivery tag lengths %r" % tags)
    check(counts == sorted(counts) and len(set(counts)) == len(counts), "delivery counts not increasing: %r" % counts)
    records = {name: shard.feedback_record("p-c2d-" + name) for name in ("complete", "reject", "abandon", "exhaust")}
    check(records["complete"]["statusCode"] == "Success", "complete feedback %r" % records["complete"])
    check(records["reject"]["statusCode"] == "Rejected", "reject feedback %r" % records["reject"])
    check(records["abandon"]["statusCode"] == "Success", "abandoned then completed feedback %r" % records["abandon"])
    check(records["exhaust"]["statusCode"] == "DeliveryCountExceeded", "exhausted feedback %r" % records["exhaust"])
    return {"deliveryCounts": [s["deliveryCount"] for s in c2d.seen if s["messageId"] == "p-c2d-abandon"],
            "exhaustDeliveries": len(counts), "exhaustCounts": counts, "tagLengths": sorted(tags),
            "feedback": {name: r["statusCode"] for name, r in records.items()}}


# Twin -------------------------------------------------------------------------------------------------------------

class Twin:
    """The twin link pair of one device (or module)."""

    def __init__(self, connection, device_id, module_id=None):
        channel = {"com.microsoft:channel-correlation-id": "twin:%s" % uuid.uuid4(), "com.microsoft:api-version": "2020-09-30"}
        address = shard.address(device_id, "twin", module_id=module_id)
        self.sender = connection.sender(address, properties=channel)
        self.receiver = connection.receiver(address, properties=channel)
        self.notifications = []
        self.types = set()  # AMQP types of every reply's status and version, as proton decoded them

    def request(self, operation, resource=None, body=b" "):
        correlation = str(uuid.uuid4())
        annotations = {symbol("operation"): operation}
        if resource:
            annotations[symbol("resource")] = resource
        send(self.sender, data(body, correlation_id=correlation, annotations=annotations))
        deadline = time.monotonic() + 20
        while True:
            remaining = deadline - time.monotonic()
            check(remaining > 0, "no reply to %s within 20 s" % operation)
            reply, delivery = receive(self.receiver, timeout=remaining)
            settle(delivery, Delivery.ACCEPTED)
            if reply.correlation_id is None:
                self.notifications.append(reply)
                continue
            check(reply.correlation_id == correlation, "reply correlation-id %r, request %r" % (reply.correlation_id, correlation))
            annotations = reply.annotations or {}
            for name in ("status", "version"):
                if name in annotations:
                    self.types.add("%s:%s" % (name, amqp_type(annotations[name])))
            return annotations.get("status"), annotations.get("version"), reply.body

    def notification(self, timeout=20):
        if self.notifications:
            return self.notifications.pop(0)
        message, delivery = receive(self.receiver, timeout=timeout)
        settle(delivery, Delivery.ACCEPTED)
        return message


def twin():
    device = "proton-twin"
    key = shard.create_device(device)
    shard.update_desired(device, {"rate": 5})
    connection = DeviceConnection()
    try:
        connection.authenticate(device, key)
        pair = Twin(connection, device)
        status, _, body = pair.request("GET")
        check(status == 200, "GET status %r" % status)
        document = json.loads(body)
        check(document["desired"].get("rate") == 5 and "$version" in document["desired"] and "$version" in document["reported"],
              "GET body %r" % document)
        status, version, _ = pair.request("PATCH", "/properties/reported", json.dumps({"fw": "1.0", "n": 1}).encode())
        check(status == 204, "PATCH status %r" % status)
        check(isinstance(version, int) and version >= 1, "PATCH version %r" % (version,))
        # The C SDK drops a reply whose status is not an AMQP int or whose version is not a long.
        check(amqp_type(status) == "int32" and amqp_type(version) == "long", "PATCH reply types %r %r" % (
            amqp_type(status), amqp_type(version)))
        reported = shard.twin(device).properties.reported
        check(reported.get("fw") == "1.0" and reported.get("n") == 1, "service twin reported %r" % reported)
        status, _, _ = pair.request("PUT", "/notifications/twin/properties/desired")
        check(status == 200, "PUT (subscribe) status %r" % status)
        shard.update_desired(device, {"rate": 7})
        notification = pair.notification()
        check(notification.correlation_id is None, "notification with correlation-id %r" % notification.correlation_id)
        patch = json.loads(notification.body)
        annotations = notification.annotations or {}
        check(patch.get("rate") == 7 and "$version" in patch, "notification body %r" % patch)
        check(annotations.get("version") == patch["$version"], "notification version %r, body %r" % (annotations, patch))
        status, _, body = pair.request("GET")
        after = json.loads(body)
        check(after["reported"].get("fw") == "1.0" and after["desired"].get("rate") == 7, "GET after %r" % after)
        status, _, _ = pair.request("DELETE", "/notifications/twin/properties/desired")
        check(status == 200, "DELETE (unsubscribe) status %r" % status)
    finally:
        connection.close()
    return {"get": document, "patchVersion": version, "reported": {"fw": reported.get("fw"), "n": reported.get("n")},
            "notification": patch, "notificationVersion": annotations.get("version"),
            "notificationVersionType": amqp_type(annotations.get("version")), "replyTypes": sorted(pair.types)}


# Direct methods ---------------------------------------------------------------------------------------------------

def methods():
    device = "proton-methods"
    key = shard.create_device(device)
    connection = DeviceConnection()
    try:
        connection.authenticate(device, key)
        # Connected (a telemetry link) but without the methods links: the call is refused as for an offline device.
        connection.sender(shard.address(device, "messages/events"))
        unlinked, finished = shard.invoke_method(device, "getReading", {}, timeout=5)
        check(finished.wait(30), "invoke_device_method without a methods link did not return")
        check(unlinked.get("status") == 404, "a method call with no methods link: %r" % unlinked)
        channel = {"com.microsoft:channel-correlation-id": device, "com.microsoft:api-version": "2020-09-30"}
        # The C# SDK's spelling (deviceBound): the keywords are case-insensitive.
        requests = connection.receiver(shard.address(device, "methods/deviceBound"), name="methods_requests_link", properties=channel)
        responses = connection.sender(shard.address(device, "methods/deviceBound"), name="methods_responses_link", properties=channel)
        outcome, finished = shard.invoke_method(device, "getReading", {"sensor": "t1"})
        request, delivery = receive(requests, timeout=30)
        settle(delivery, Delivery.ACCEPTED)
        check(isinstance(request.correlation_id, uuid.UUID), "correlation-id %r is not a uuid" % (request.correlation_id,))
        name = (request.properties or {}).get("IoThub-methodname")
        check(name == "getReading", "method name %r" % name)
        payload = json.loads(request.body)
        check(payload == {"sensor": "t1"}, "request payload %r" % payload)
        send(responses, data(json.dumps({"celsius": 21.5}), correlation_id=request.correlation_id,
                             properties={"IoThub-status": int32(200)}))
        check(finished.wait(30), "invoke_device_method did not return")
        # A request the device takes but never answers times out for the caller.
        unanswered, finished = shard.invoke_method(device, "slow", {}, timeout=5)
        request, delivery = receive(requests, timeout=30)
        settle(delivery, Delivery.ACCEPTED)
        check((request.properties or {}).get("IoThub-methodname") == "slow", "method name %r" % request.properties)
        check(finished.wait(30), "the unanswered call did not return")
        check(unanswered.get("status") == 504, "an unanswered method call: %r" % unanswered)
    finally:
        connection.close()
    check("result" in outcome, "invoke_device_method failed: %r" % outcome)
    check(outcome["result"] == {"status": 200, "payload": {"celsius": 21.5}}, "method result %r" % outcome["result"])
    return {"methodName": name, "request": payload, "result": outcome["result"], "withoutLinkStatus": unlinked["status"],
            "unansweredStatus": unanswered["status"]}


# One connection, several identities -------------------------------------------------------------------------------

def two_devices():
    devices = ["proton-gw-a", "proton-gw-b"]
    keys = [shard.create_device(d) for d in devices]
    connection = DeviceConnection()
    try:
        for device, key in zip(devices, keys):
            connection.authenticate(device, key)
        for device in devices:
            sender = connection.sender(shard.address(device, "messages/events"))
            send(sender, data(json.dumps({"from": device}), id="gw-" + device, properties={"gateway": "yes"}))
            sender.close()
        shard.send_c2d(devices[1], "for b", "gw-c2d-b")
        receiver = connection.receiver(shard.address(devices[1], "messages/deviceBound", scheme=False))  # C#'s spelling
        message, delivery = receive(receiver)
        settle(delivery, Delivery.ACCEPTED)
        check(message.id == "gw-c2d-b", "device b received %r" % message.id)
    finally:
        connection.close()
    seen = {}
    for device in devices:
        event = shard.eventhub_events(device, 1)[0]
        check(event["system"].get("message-id") == "gw-" + device, "event of %s: %r" % (device, event["system"]))
        check(json.loads(event["body"]) == {"from": device}, "body of %s: %r" % (device, event["body"]))
        seen[device] = event["system"].get("iothub-connection-device-id")
    check(seen == {d: d for d in devices}, "device ids %r" % seen)
    return {"deviceIds": [seen[d] for d in devices]}


# X.509 ------------------------------------------------------------------------------------------------------------

def x509():
    device = "proton-x509"
    certificate = shard.create_x509_device(device, work)
    shard.send_c2d(device, "for the certificate", "x509-c2d")
    connection = DeviceConnection(certificate=certificate, mechanism=None)
    try:
        sender = connection.sender(shard.address(device, "messages/events"))
        send(sender, data(json.dumps({"x509": True}), id="x509-mid", properties={"auth": "certificate"}))
        receiver = connection.receiver(shard.address(device, "messages/devicebound"))
        message, delivery = receive(receiver)
        settle(delivery, Delivery.ACCEPTED)
        check(message.id == "x509-c2d" and message.body == b"for the certificate", "C2D %r %r" % (message.id, message.body))
        # The certificate admits its own device only.
        other = refused(lambda: connection.sender(shard.address("proton-telemetry", "messages/events")))
    finally:
        connection.close()
    # SASL EXTERNAL (the certificate named in SASL as well) admits the same device.
    connection = DeviceConnection(certificate=certificate, mechanism="EXTERNAL")
    try:
        sender = connection.sender(shard.address(device, "messages/events", scheme=False))
        send(sender, data(json.dumps({"x509": "external"}), id="x509-external"))
    finally:
        connection.close()
    events = {e["system"].get("message-id"): e for e in shard.eventhub_events(device, 2)}
    check(set(events) >= {"x509-mid", "x509-external"}, "events %r" % sorted(events))
    event = events["x509-mid"]
    check(event["properties"].get("auth") == "certificate", "application properties %r" % event["properties"])
    check(other[0] == UNAUTHORIZED, "another device's address with the certificate: %r" % (other,))
    record = shard.feedback_record("x509-c2d")
    check(record["statusCode"] == "Success", "feedback %r" % record)
    return {"deviceId": event["system"].get("iothub-connection-device-id"),
            "authMethod": event["system"].get("iothub-connection-auth-method"),
            "externalAuthMethod": events["x509-external"]["system"].get("iothub-connection-auth-method"), "otherDevice": other[0]}


def x509_ca_signed():
    """A device whose certificate a CA the hub trusts signed: issued by DPS from a CSR (HTTPS registration through a
    symmetric-key group), then admitted on its assigned shard's AMQP listener by the chain alone."""
    from provisioningserviceclient import ProvisioningServiceClient
    flow = csr_support.Flow(sys.argv[1], work)
    service = ProvisioningServiceClient.create_from_connection_string(shard.conn["dps"]["serviceConnectionString"])
    group_key = csr_support.symmetric_key_group(service, "amqp-ca-group")
    record = flow.register_with_csr("proton-ca-device", group_key)
    name = [h["name"] for h in shard.conn["hubs"] if h["hostName"] == record["hub"]][0]
    hub = support.Shard(sys.argv[1], name)
    device = record["deviceId"]
    connection = DeviceConnection(certificate=(record["chain"], record["key"]), mechanism=None, hub=hub)
    try:
        sender = connection.sender(hub.address(device, "messages/events"))
        send(sender, data(json.dumps({"ca": True}), id="ca-signed-1"))
        other = refused(lambda: connection.sender(hub.address("someone-else", "messages/events")))
    finally:
        connection.close()
    event = hub.eventhub_events(device, 1)[0]
    check(event["system"].get("message-id") == "ca-signed-1", "event %r" % event["system"])
    check(other[0] == UNAUTHORIZED, "another device's address: %r" % (other,))
    return {"deviceId": event["system"].get("iothub-connection-device-id"),
            "authMethod": event["system"].get("iothub-connection-auth-method"), "otherDevice": other[0]}


# Token expiry -----------------------------------------------------------------------------------------------------

def await_detaches(connection, links, deadline):
    """Processes the connection until every link in `links` (name: proton link) is detached by the server or the
    wall-clock `deadline` passes; returns {name: condition} and {name: seconds after `start`} of those detached."""
    conditions, times, start = {}, {}, time.time()
    while len(conditions) < len(links) and time.time() < deadline:
        try:
            connection.connection.wait(lambda: all(l.state & Endpoint.REMOTE_CLOSED for l in links.values()),
                                       timeout=max(0.1, deadline - time.time()))
        except LinkDetached:
            pass
        except Timeout:
            break
        for name, link in links.items():
            if link.state & Endpoint.REMOTE_CLOSED and name not in conditions:
                conditions[name] = link.remote_condition.name if link.remote_condition else None
                times[name] = round(time.time() - start, 1)
                if link.state & Endpoint.LOCAL_ACTIVE:
                    link.close()  # so the detach event still queued does not raise later
    return conditions, times


def token_lapse():
    device = "proton-lapse"
    key = shard.create_device(device)
    connection = DeviceConnection()
    try:
        expiry = connection.authenticate(device, key, ttl=6)
        receiver = connection.receiver(shard.address(device, "messages/devicebound"))
        sender = connection.sender(shard.address(device, "messages/events"))
        send(sender, data("before the token lapses", id="lapse-1"))
        check(time.time() < expiry, "the links opened after the token lapsed")
        conditions, _ = await_detaches(connection, {"receiver": receiver.link, "sender": sender.link}, expiry + 60)
        lapsed_after = round(time.time() - expiry, 1)
        check(conditions == {"receiver": UNAUTHORIZED, "sender": UNAUTHORIZED}, "links after the token lapsed: %r" % conditions)
        check(lapsed_after > -1, "the links were cut %.1f s before the token expired" % -lapsed_after)
        # The connection itself stays usable: a fresh token admits new links.
        connection.authenticate(device, key)
        again = connection.sender(shard.address(device, "messages/events"))
        send(again, data("after renewal", id="lapse-2"))
    finally:
        connection.close()
    return {"conditions": conditions, "secondsAfterExpiry": lapsed_after}


def disabled():
    """A device disabled through the service loses its links; another device on the same connection keeps its own."""
    devices = ["proton-disable-a", "proton-disable-b"]
    keys = [shard.create_device(d) for d in devices]
    connection = DeviceConnection()
    try:
        for device, key in zip(devices, keys):
            connection.authenticate(device, key)
        receiver = connection.receiver(shard.address(devices[0], "messages/devicebound"))
        sender = connection.sender(shard.address(devices[0], "messages/events"))
        bystander = connection.sender(shard.address(devices[1], "messages/events"))
        registry = shard.registry()
        current = registry.get_device(devices[0])
        registry.update_device_with_sas(devices[0], current.etag, keys[0], keys[0], "disabled")
        conditions, _ = await_detaches(connection, {"receiver": receiver.link, "sender": sender.link}, time.time() + 30)
        check(conditions == {"receiver": UNAUTHORIZED, "sender": UNAUTHORIZED}, "links after disabling: %r" % conditions)
        send(bystander, data("the other device is unaffected", id="bystander-1"))
        check(bystander.link.state & Endpoint.REMOTE_ACTIVE, "the other device's link was detached")
        attach = refused(lambda: connection.sender(shard.address(devices[0], "messages/events")))
    finally:
        connection.close()
    check(attach[0] == UNAUTHORIZED, "attach of a disabled device: %r" % (attach,))
    return {"conditions": conditions, "reattach": attach[0]}


def token_renewal():
    device = "proton-renew"
    key = shard.create_device(device)
    connection = DeviceConnection()
    try:
        expiry = connection.authenticate(device, key, ttl=8)
        receiver = connection.receiver(shard.address(device, "messages/devicebound"))
        sender = connection.sender(shard.address(device, "messages/events"))
        # A new token for the same device on the same $cbs link before the first one lapses, as the SDKs renew.
        connection.authenticate(device, key, ttl=3600)
        check(time.time() < expiry, "the renewal came after the first token lapsed")
        # Past the first token's expiry, with the connection processed (a detach would raise here).
        while time.time() < expiry + 3:
            try:
                connection.connection.wait(lambda: time.time() > expiry + 3, timeout=0.5)
            except Timeout:
                pass  # proton's wait times out when the connection is quiet; the clock is what we wait for
        send(sender, data("after the first token's expiry", id="renewed-1"))
        shard.send_c2d(device, "still here", "renewed-c2d")
        message, delivery = receive(receiver)
        settle(delivery, Delivery.ACCEPTED)
        check(message.id == "renewed-c2d", "C2D %r" % message.id)
    finally:
        connection.close()
    event = shard.eventhub_events(device, 1)[0]
    check(event["system"].get("message-id") == "renewed-1", "event %r" % event["system"])
    return {"telemetry": event["system"].get("message-id"), "cloudToDevice": message.id}


def refused_tokens():
    device = "proton-badtoken"
    key = shard.create_device(device)
    wrong = base64.b64encode(b"w" * 32).decode()
    connection = DeviceConnection()
    try:
        statuses = {}
        token, _ = shard.sas(device, wrong)
        statuses["wrongKey"] = connection.put_token(shard.audience(device), token)[0]
        token, _ = shard.sas(device, key, ttl=-60)
        statuses["expired"] = connection.put_token(shard.audience(device), token)[0]
        token, _ = shard.sas(device, key)
        statuses["otherAudience"] = connection.put_token(shard.audience("proton-telemetry"), token)[0]
        attach = refused(lambda: connection.sender(shard.address(device, "messages/events")))
    finally:
        connection.close()
    check(statuses == {"wrongKey": 401, "expired": 401, "otherAudience": 401}, "put-token statuses %r" % statuses)
    check(attach[0] == UNAUTHORIZED, "attach without a valid token: %r" % (attach,))
    return {"statuses": statuses, "attach": attach[0]}


# Access rules -----------------------------------------------------------------------------------------------------

def other_device():
    mine, theirs = "proton-own", "proton-theirs"
    key = shard.create_device(mine)
    shard.create_device(theirs)
    connection = DeviceConnection()
    try:
        connection.authenticate(mine, key)
        results = {
            "telemetry": refused(lambda: connection.sender(shard.address(theirs, "messages/events"))),
            "cloudToDevice": refused(lambda: connection.receiver(shard.address(theirs, "messages/devicebound"))),
            "twin": refused(lambda: connection.receiver(shard.address(theirs, "twin", scheme=False))),
            "methods": refused(lambda: connection.receiver(shard.address(theirs, "methods/devicebound"))),
        }
        # The connection is still fine for the device's own addresses.
        sender = connection.sender(shard.address(mine, "messages/events", scheme=False))
        send(sender, data("still mine", id="own-1"))
    finally:
        connection.close()
    for name, (condition, _, null_terminus) in results.items():
        check(condition == UNAUTHORIZED and null_terminus, "%s: %r" % (name, results))
    return {"conditions": {name: result[0] for name, result in results.items()},
            "descriptions": {name: result[1] for name, result in results.items()}}


# Modules ----------------------------------------------------------------------------------------------------------

def module():
    device, module_id = "proton-module-host", "thermostat"
    shard.create_device(device)
    key = shard.create_module(device, module_id)
    shard.update_desired(device, {"setpoint": 20}, module_id=module_id)
    connection = DeviceConnection()
    try:
        connection.authenticate(device, key, module_id=module_id)
        sender = connection.sender(shard.address(device, "messages/events", module_id=module_id))
        send(sender, data(json.dumps({"module": module_id}), id="module-mid", properties={"kind": "module"}))
        pair = Twin(connection, device, module_id)
        status, _, body = pair.request("GET")
        check(status == 200, "module GET status %r" % status)
        document = json.loads(body)
        check(document["desired"].get("setpoint") == 20, "module GET body %r" % document)
        status, version, _ = pair.request("PATCH", "/properties/reported", json.dumps({"mode": "heat"}).encode())
        check(status == 204, "module PATCH status %r" % status)
        reported = shard.twin(device, module_id).properties.reported
        check(reported.get("mode") == "heat", "service module twin reported %r" % reported)
        # The module's token does not open its device's own addresses.
        device_link = refused(lambda: connection.sender(shard.address(device, "messages/events")))
    finally:
        connection.close()
    event = shard.eventhub_events(device, 1, module_id=module_id)[0]
    check(event["system"].get("message-id") == "module-mid", "module event %r" % event["system"])
    check(event["properties"].get("kind") == "module", "module application properties %r" % event["properties"])
    check(device_link[0] == UNAUTHORIZED, "the device address with the module's token: %r" % (device_link,))
    return {"moduleId": event["system"].get("iothub-connection-module-id"), "get": document,
            "reported": {"mode": reported.get("mode")}, "deviceAddress": device_link[0]}


STEPS = [("telemetry", telemetry), ("cloudToDevice", cloud_to_device), ("twin", twin), ("methods", methods),
         ("twoDevices", two_devices), ("x509", x509), ("x509CASigned", x509_ca_signed), ("tokenLapse", token_lapse), ("tokenRenewal", token_renewal), ("disabled", disabled),
         ("refusedTokens", refused_tokens), ("otherDevice", other_device),
         ("module", module)]
if __name__ == "__main__":
    only = os.environ.get("DEVICE_AMQP_STEPS")  # a comma-separated subset, for working on one scenario
    for name, fn in STEPS:
        if not only or name in only.split(","):
            step(name, fn)
    shard.close()
    support.report(steps)
