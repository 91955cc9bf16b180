"""IoT Hub service links over AMQP with the unmodified clients: azure-iot-hub 2.7.0 `send_c2d_message` (uamqp) to an
online and an offline MQTT device (azure-iot-device) and to an unknown device, then the delivery feedback read with a
uamqp `ReceiveClient` on /messages/serviceBound/feedback: released once (it comes back), then completed (it is gone).

Usage: amqp_service_flow.py CONNECTION_JSON
Prints one JSON object: {"steps": {name: {"ok": bool, "error": str?, ...}}}.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.parse

import routing_support as support
import csr_support

conn = support.setup(sys.argv[1])
os.environ["SSL_CERT_FILE"] = conn["trustBundle"]
shard = support.hub(conn, "hub-1")
settings = dict(p.split("=", 1) for p in shard["serviceConnectionString"].split(";"))
steps = {}
state = {}


StepFailure, check = csr_support.StepFailure, csr_support.check


def step(name, fn):
    csr_support.step(steps, name, fn)


def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def registry():
    from azure.iot.hub import IoTHubRegistryManager
    if "registry" not in state:
        state["registry"] = IoTHubRegistryManager.from_connection_string(shard["serviceConnectionString"])
    return state["registry"]


def received(device, timeout=30):
    message = device.receive_message(timeout=timeout)
    check(message is not None, "the device received nothing within %d s" % timeout)
    return {"body": message.data.decode() if isinstance(message.data, bytes) else message.data,
            "messageId": message.message_id, "correlationId": message.correlation_id,
            "contentType": message.content_type, "contentEncoding": message.content_encoding,
            "properties": {k: v for k, v in message.custom_properties.items() if not k.startswith("$")}}


def online():
    key = support.create_device(shard, "c2d-online")
    device = support.connect(conn, shard, "c2d-online", key)
    state["online"] = device
    registry().send_c2d_message("c2d-online", json.dumps({"hello": 1}), {
        "messageId": "m-online", "correlationId": "c-online", "contentType": "application/json",
        "contentEncoding": "utf-8", "prop": "v", "iothub-ack": "full"})
    message = received(device)
    check(message["messageId"] == "m-online", "message id %r" % message["messageId"])
    check(message["correlationId"] == "c-online", "correlation id %r" % message["correlationId"])
    check(message["properties"].get("prop") == "v", "properties %r" % message["properties"])
    check(json.loads(message["body"]) == {"hello": 1}, "body %r" % message["body"])
    return {"message": message}


def offline():
    key = support.create_device(shard, "c2d-offline")
    registry().send_c2d_message("c2d-offline", "while you were away", {"messageId": "m-offline", "colour": "blue"})
    device = support.connect(conn, shard, "c2d-offline", key)
    try:
        message = received(device)
    finally:
        device.shutdown()
    check(message["body"] == "while you were away", "body %r" % message["body"])
    check(message["messageId"] == "m-offline", "message id %r" % message["messageId"])
    check(message["properties"].get("colour") == "blue", "properties %r" % message["properties"])
    return {"message": message}


def unknown():
    try:
        registry().send_c2d_message("no-such-device", "hello", {})
    except Exception as error:
        return {"errorType": type(error).__name__, "error": str(error)[:200]}
    raise StepFailure("a message to an unknown device was accepted")


def feedback_client():
    import uamqp
    from azure.core.credentials import AccessToken
    host, name, key = settings["HostName"], settings["SharedAccessKeyName"], settings["SharedAccessKey"]

    def get_token():
        expiry = int(time.time() + 3600)
        signature = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (host, expiry)).encode(), hashlib.sha256).digest())
        return AccessToken("SharedAccessSignature sr=%s&sig=%s&se=%d&skn=%s" % (
            host, urllib.parse.quote(signature), expiry, name), expiry)
    auth = uamqp.authentication.JWTTokenAuth(audience="https://" + host, uri="https://" + host, get_token=get_token,
                                             token_type=b"servicebus.windows.net:sastoken")
    auth.update_token()
    return uamqp.ReceiveClient("amqps://%s/messages/serviceBound/feedback" % host, auth=auth, auto_complete=False,
                               timeout=0, prefetch=10)


def receive_feedback(timeout=30):
    """Opens a feedback receiver and returns (client, first batch) once a batch arrives or `timeout` passes."""
    client = feedback_client()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = client.receive_message_batch(max_batch_size=10, timeout=2000)
        if batch:
            return client, batch
    return client, []


def describe(message):
    body = b"".join(message.get_data())
    tag = getattr(message, "delivery_tag", None)
    return {"records": json.loads(body), "contentType": text(message.properties.content_type),
            "userId": text(message.properties.user_id), "tagLength": len(tag) if tag is not None else None,
            "enqueuedTime": (message.annotations or {}).get(b"iothub-enqueuedtime") is not None}


def feedback():
    client, batch = receive_feedback()
    check(batch, "no feedback message within 30 s")
    first = describe(batch[0])
    for message in batch:
        message.release()
    client.close()
    client, again = receive_feedback()
    check(again, "the released feedback did not come back")
    second = describe(again[0])
    records = [r for m in again for r in describe(m)["records"]]
    for message in again:
        message.accept()
    client.close()
    online = [r for r in records if r.get("originalMessageId") == "m-online"]
    check(online, "no record for m-online in %r" % records)
    check(online[0]["statusCode"] == "Success" and online[0]["deviceId"] == "c2d-online", "record %r" % online[0])
    check(first["contentType"] == "application/vnd.microsoft.iothub.feedback.json", "content type %r" % first["contentType"])
    check(first["tagLength"] in (None, 16), "delivery tag of %r bytes" % first["tagLength"])
    client, left = receive_feedback(timeout=4)
    leftover = [r for m in left for r in describe(m)["records"]]
    client.close()
    check(not any(r.get("originalMessageId") == "m-online" for r in leftover), "a completed record came back: %r" % leftover)
    return {"first": first, "second": second, "record": online[0]}


step("online", online)
step("offline", offline)
step("unknownDevice", unknown)
if steps["online"]["ok"]:
    step("feedback", feedback)
for name in ("online",):
    if name in state:
        state[name].shutdown()
if "registry" in state:
    try:
        state["registry"].amqp_svc_client.disconnect_sync()
    except Exception:
        pass
print(json.dumps({"steps": steps}))
sys.stdout.flush()
# uamqp's C objects can crash the interpreter at exit; the report is out, so leave without tearing them down.
os._exit(0)
