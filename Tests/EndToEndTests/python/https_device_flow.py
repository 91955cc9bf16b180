"""The IoT Hub device HTTPS API, with requests formed as the Azure IoT C SDK sends them (telemetry single and batch,
C2D polling with complete, reject, abandon and lock expiry) and a device certificate instead of a SAS token.

Usage: https_device_flow.py CONNECTION_JSON
Prints one JSON object: {"steps": {name: {"ok": bool, ...}}}.
"""
import base64
import hashlib
import hmac
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

import requests

import routing_support
import csr_support

conn = routing_support.setup(sys.argv[1])
shard = routing_support.hub(conn)
host = shard["hostName"]
base = "https://%s" % host
API = {"api-version": "2016-11-14"}
steps = {}


def step(name, fn):
    csr_support.step(steps, name, fn)


key = routing_support.create_device(shard, "http-dev-1")
other_key = routing_support.create_device(shard, "http-dev-2")


def auth(device_id="http-dev-1", device_key=None):
    # The C SDK's form: raw sr and an empty skn.
    return routing_support.device_token(host, device_id, device_key or key) + "&skn="


def device_headers(**extra):
    headers = {"Authorization": auth(), "User-Agent": "iothubclient/1.15.0 (native; Linux; x86_64)"}
    headers.update(extra)
    return headers


def body_of(event):
    # The events API gives JSON bodies as values, text as text and other bytes as base64 (shown here as hex).
    if event["bodyEncoding"] == "base64":
        return base64.b64decode(event["body"]).hex()
    return event["body"] if event["bodyEncoding"] == "text" else json.dumps(event["body"], separators=(",", ":"))


def events_of(device_id):
    return [e for e in routing_support.read_all(shard) if e.get("systemProperties", {}).get("iothub-connection-device-id") == device_id]


def telemetry_single():
    reply = requests.post(base + "/devices/http-dev-1/messages/events", params=API, data=b'{"temperature":21.5}', headers=device_headers(**{
        "iothub-to": "/devices/http-dev-1/messages/events", "Content-Type": "application/octet-stream",
        "iothub-app-alert": "true", "iothub-app-b-key": "v/1&2", "iothub-messageid": "mid-1", "iothub-correlationid": "cid-1",
        "iothub-contenttype": "application%2fjson", "iothub-contentencoding": "utf-8"}))
    assert reply.status_code == 204, (reply.status_code, reply.text)
    event = routing_support.wait_until(lambda: [e for e in events_of("http-dev-1") if e["systemProperties"].get("message-id") == "mid-1"], 10)
    assert event, "the message is not in the built-in endpoint"
    event = event[0]
    return {"status": reply.status_code, "body": body_of(event),
            "properties": event["properties"], "system": {k: event["systemProperties"].get(k) for k in
                                                           ("message-id", "correlation-id", "content-type", "content-encoding",
                                                            "iothub-connection-auth-method")}}


def telemetry_batch():
    batch = [{"body": '{"temperature":21.5}', "base64Encoded": False, "properties": {"iothub-app-alert": "true", "iothub-app-b-key": "v/1&2"}},
             {"body": base64.b64encode(b"\x01\x02").decode(), "properties": {"iothub-app-n": "2", "iothub-messageid": "batch-2"}}]
    reply = requests.post(base + "/devices/http-dev-1/messages/events", params=API, data=json.dumps(batch),
                          headers=device_headers(**{"Content-Type": "application/vnd.microsoft.iothub.json"}))
    assert reply.status_code == 204, (reply.status_code, reply.text)
    second = routing_support.wait_until(lambda: [e for e in events_of("http-dev-1") if e["systemProperties"].get("message-id") == "batch-2"], 10)
    assert second, "the second batch message is not in the built-in endpoint"
    first = [e for e in events_of("http-dev-1") if e["properties"].get("b-key") == "v/1&2" and "message-id" not in e["systemProperties"]]
    return {"status": reply.status_code, "batchBodies": [body_of(first[0]), body_of(second[0])],
            "batchProperties": second[0]["properties"]}


def foreign_paths():
    # http-dev-1's token on http-dev-2's paths, a token for the wrong key, and no credential at all.
    stolen = requests.post(base + "/devices/http-dev-2/messages/events", params=API, data=b"x", headers=device_headers())
    poll = requests.get(base + "/devices/http-dev-2/messages/deviceBound", params=API, headers=device_headers())
    wrong_key = requests.post(base + "/devices/http-dev-1/messages/events", params=API, data=b"x",
                              headers={"Authorization": auth("http-dev-1", other_key)})
    anonymous = requests.post(base + "/devices/http-dev-1/messages/events", params=API, data=b"x")
    return {"statuses": [stolen.status_code, poll.status_code, wrong_key.status_code, anonymous.status_code],
            "errorCode": stolen.headers.get("iothub-errorcode")}


def send_c2d(payload, message_id):
    status, body = routing_support.call(shard, "POST", "/devices/http-dev-1/messages/deviceBound", {
        "payload": payload, "messageId": message_id, "correlationId": "corr-" + message_id, "ack": "full",
        "contentType": "application/json", "contentEncoding": "utf-8", "properties": {"prop1": "val1"}})
    assert status == 204, (status, body)


def poll(path="devicebound", **params):
    return requests.get(base + "/devices/http-dev-1/messages/" + path, params=dict(API, **params), headers=device_headers())


def lock_of(reply):
    return reply.headers["ETag"].strip('"')


def settle(method, lock, suffix="", query=""):
    url = "%s/devices/http-dev-1/messages/devicebound/%s%s?api-version=2016-11-14%s" % (base, lock, suffix, query)
    return requests.request(method, url, headers=device_headers(**{"If-Match": '"%s"' % lock,
                                                                   "Content-Type": "application/x-www-form-urlencoded"}))


def feedback():
    records = []
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(records) < 3:
        status, page = routing_support.call(shard, "GET", "/messages/serviceBound/feedback")
        assert status == 200, (status, page)
        records += page
        if len(records) < 3:
            time.sleep(0.2)
    return {r["originalMessageId"]: r["statusCode"] for r in records}


def cloud_to_device():
    empty = poll()
    send_c2d('{"n":1}', "c2d-complete")
    got = poll(path="deviceBound")
    assert got.status_code == 200, (got.status_code, got.text)
    headers = {k: got.headers.get(k) for k in ("iothub-messageid", "iothub-correlationid", "iothub-deliverycount", "iothub-to",
                                               "iothub-app-prop1", "ContentType", "ContentEncoding", "iothub-enqueuedtime",
                                               "iothub-expiry", "iothub-ack", "iothub-sequencenumber")}
    completed = settle("DELETE", lock_of(got))
    again = settle("DELETE", lock_of(got))
    send_c2d("reject me", "c2d-reject")
    rejected = settle("DELETE", lock_of(poll()), query="&reject")
    send_c2d("abandon me", "c2d-abandon")
    first = poll()
    abandoned = settle("POST", lock_of(first), suffix="/abandon")
    second = poll()
    redelivered = [second.headers.get("iothub-messageid"), second.headers.get("iothub-deliverycount"), second.text]
    assert settle("DELETE", lock_of(second)).status_code == 204
    return {"emptyStatus": empty.status_code, "body": got.text, "headers": headers, "completeStatus": completed.status_code,
            "staleStatus": again.status_code, "staleErrorCode": again.json().get("errorCode"), "rejectStatus": rejected.status_code,
            "abandonStatus": abandoned.status_code, "redelivered": redelivered, "feedback": feedback(),
            "finallyEmpty": poll().status_code}


def lock_expiry():
    send_c2d("expire my lock", "c2d-lapse")
    first = poll(**{"iothub-messagelocktimeout": "1"})
    assert first.status_code == 200, (first.status_code, first.text)
    hidden = poll().status_code
    again = routing_support.wait_until(lambda: (lambda r: r if r.status_code == 200 else None)(poll()), 15, 0.1)
    assert again is not None, "the message did not return after its lock lapsed"
    lapsed = settle("DELETE", lock_of(first))
    assert settle("DELETE", lock_of(again)).status_code == 204
    return {"hiddenWhileLocked": hidden, "redeliveredId": again.headers.get("iothub-messageid"),
            "deliveryCount": again.headers.get("iothub-deliverycount"), "lapsedStatus": lapsed.status_code}


def x509_device():
    # A self-signed device: no Authorization header, the TLS client certificate is the credential.
    work = tempfile.mkdtemp()
    cert, cert_key = os.path.join(work, "x509.pem"), os.path.join(work, "x509.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", cert_key,
                    "-out", cert, "-days", "30", "-subj", "/CN=http-x509-1", "-addext", "extendedKeyUsage=clientAuth"],
                   check=True, capture_output=True)
    thumbprint = hashlib.sha1(ssl.PEM_cert_to_DER_cert(open(cert).read())).hexdigest().upper()
    from azure.iot.hub import IoTHubRegistryManager
    IoTHubRegistryManager.from_connection_string(shard["serviceConnectionString"]).create_device_with_x509(
        "http-x509-1", thumbprint, thumbprint, "enabled")
    sent = requests.post(base + "/devices/http-x509-1/messages/events", params=API, data=b"x509 over https", cert=(cert, cert_key),
                         headers={"iothub-messageid": "x509-mid"})
    assert sent.status_code == 204, (sent.status_code, sent.text)
    event = routing_support.wait_until(lambda: [e for e in events_of("http-x509-1") if e["systemProperties"].get("message-id") == "x509-mid"], 10)
    assert event, "the certificate device's message is not in the built-in endpoint"
    foreign = requests.get(base + "/devices/http-dev-1/messages/deviceBound", params=API, cert=(cert, cert_key))
    return {"status": sent.status_code, "body": body_of(event[0]),
            "system": {"iothub-connection-auth-method": event[0]["systemProperties"].get("iothub-connection-auth-method")},
            "statuses": [foreign.status_code]}


def hostile_requests():
    # Malformed telemetry and C2D requests get IoT Hub's error statuses; the device keeps working.
    url = base + "/devices/http-dev-1/messages/events"
    batch = {"Content-Type": "application/vnd.microsoft.iothub.json"}
    statuses = [
        requests.post(url, params=API, data=b"[{", headers=device_headers(**batch)).status_code,
        requests.post(url, params=API, data=b"[]", headers=device_headers(**batch)).status_code,
        requests.post(url, params=API, data=b'[{"body":"!!!"}]', headers=device_headers(**batch)).status_code,
        requests.post(url, params=API, data=b"x" * (256 * 1024 + 1), headers=device_headers()).status_code,
        requests.get(base + "/devices/http-dev-1/messages/deviceBound", params=dict(API, **{"iothub-messagelocktimeout": "x"}),
                     headers=device_headers()).status_code,
        requests.post(url, params=API, data=b"x", headers={"Authorization": "Bearer nonsense"}).status_code,
    ]
    still = requests.post(url, params=API, data=b"still here", headers=device_headers())
    return {"statuses": statuses + [still.status_code]}


def module_telemetry():
    # A module sends on its own path with its own SAS token; the device's token does not open the module's path.
    module_key = base64.b64encode(os.urandom(32)).decode()
    status, _ = routing_support.call(shard, "PUT", "/devices/http-dev-1/modules/sensor", {
        "deviceId": "http-dev-1", "moduleId": "sensor",
        "authentication": {"type": "sas", "symmetricKey": {"primaryKey": module_key, "secondaryKey": module_key}}})
    assert status in (200, 201), status
    resource = "%s/devices/http-dev-1/modules/sensor" % host
    expiry = int(time.time()) + 3600
    signature = base64.b64encode(hmac.new(base64.b64decode(module_key), ("%s\n%d" % (resource, expiry)).encode(), hashlib.sha256).digest()).decode()
    module_token = "SharedAccessSignature sr=%s&sig=%s&se=%d" % (resource, urllib.parse.quote(signature, safe=""), expiry)
    url = base + "/devices/http-dev-1/modules/sensor/messages/events"
    sent = requests.post(url, params=API, data=b"from the module", headers={"Authorization": module_token, "iothub-messageid": "mod-1"})
    device_token_status = requests.post(url, params=API, data=b"x", headers=device_headers()).status_code
    event = routing_support.wait_until(lambda: [e for e in events_of("http-dev-1") if e["systemProperties"].get("message-id") == "mod-1"], 10)
    assert event, "the module's message is not in the built-in endpoint"
    return {"status": sent.status_code, "body": body_of(event[0]), "statuses": [device_token_status],
            "system": {k: event[0]["systemProperties"].get(k) for k in ("iothub-connection-module-id", "iothub-connection-auth-method")}}


step("telemetrySingle", telemetry_single)
step("moduleTelemetry", module_telemetry)
step("telemetryBatch", telemetry_batch)
step("foreignPaths", foreign_paths)
step("cloudToDevice", cloud_to_device)
step("lockExpiry", lock_expiry)
step("x509", x509_device)
step("hostile", hostile_requests)
print(json.dumps({"steps": steps}))
