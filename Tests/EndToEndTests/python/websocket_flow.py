"""Devices reach DPS and their shard over MQTT inside WebSockets on port 443, with the unmodified Azure device SDK.

Usage: websocket_flow.py CONNECTION_JSON DATABASE
Prints one JSON object: {"steps": {name: {"ok": bool, ...}}}.
"""
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading

import routing_support
import websocket
from azure.iot.device import IoTHubDeviceClient, Message, MethodResponse, ProvisioningDeviceClient, X509
from azure.iot.hub import IoTHubRegistryManager
from azure.iot.hub.models import CloudToDeviceMethod, Twin, TwinProperties
from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, EnrollmentGroup, IndividualEnrollment
from provisioningserviceclient.protocol.models import SymmetricKeyAttestation
import csr_support

conn = json.load(open(sys.argv[1]))
database = sys.argv[2]
os.environ["REQUESTS_CA_BUNDLE"] = conn["trustBundle"]
os.environ["NO_PROXY"] = "*"
trust = open(conn["trustBundle"]).read()
steps = {}
WAIT = 30


def step(name, fn):
    csr_support.step(steps, name, fn)


service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
group = service.create_or_update(EnrollmentGroup.create("ws-flow", AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
key = base64.b64encode(hmac.new(base64.b64decode(group.attestation.symmetric_key.primary_key), b"ws-dev-1", hashlib.sha256).digest()).decode()
state = {}
events = {"c2d": [], "methods": [], "patches": []}
changed = threading.Condition()


def record(kind, value):
    with changed:
        events[kind].append(value)
        changed.notify_all()


def wait_for(kind, count):
    with changed:
        return changed.wait_for(lambda: len(events[kind]) >= count, timeout=WAIT)


def provision():
    result = ProvisioningDeviceClient.create_from_symmetric_key(
        provisioning_host=conn["dps"]["host"], registration_id="ws-dev-1", id_scope=conn["idScope"], symmetric_key=key,
        server_verification_cert=trust, websockets=True).register()
    state["hub"] = [h for h in conn["hubs"] if h["hostName"] == result.registration_state.assigned_hub][0]
    return {"status": result.status, "assignedHub": result.registration_state.assigned_hub}


def connect():
    hub = state["hub"]
    client = IoTHubDeviceClient.create_from_symmetric_key(symmetric_key=key, hostname=hub["hostName"], device_id="ws-dev-1",
                                                          server_verification_cert=trust, websockets=True)
    client.on_message_received = lambda m: record("c2d", {"data": m.data.decode(), "messageId": m.message_id,
                                                          "properties": m.custom_properties})
    client.on_twin_desired_properties_patch_received = lambda p: record("patches", p)

    def on_method(request):
        record("methods", request.name)
        client.send_method_response(MethodResponse.create_from_method_request(request, 200, {"echo": request.payload}))

    client.on_method_request_received = on_method
    client.connect()
    state["client"] = client
    return {"connected": client.connected}


def telemetry():
    message = Message('{"over": "websockets"}', message_id="ws-mid-1", content_encoding="utf-8", content_type="application/json")
    message.custom_properties["via"] = "wss"
    state["client"].send_message(message)
    row = sqlite3.connect("file:%s?mode=ro" % database, uri=True).execute(
        "SELECT body, properties_json, system_properties_json FROM event_log WHERE endpoint = 'events' AND device_id = 'ws-dev-1' "
        "AND json_extract(system_properties_json, '$.\"iothub-message-source\"') = 'Telemetry' "
        "ORDER BY sequence_number DESC LIMIT 1").fetchone()
    body, properties, system = row
    return {"body": bytes(body).decode(), "properties": json.loads(properties),
            "messageId": json.loads(system).get("message-id") or json.loads(system).get("messageId")}


def registry():
    return IoTHubRegistryManager.from_connection_string(state["hub"]["serviceConnectionString"])


def cloud_to_device():
    # Sent through the REST extension so this flow does not depend on the service AMQP link.
    status, _ = routing_support.call(state["hub"], "POST", "/devices/ws-dev-1/messages/deviceBound",
                                     {"payload": "hello over wss", "messageId": "ws-c2d-1", "properties": {"kind": "greeting"}})
    if status >= 300:
        raise RuntimeError("C2D send answered %d" % status)
    if not wait_for("c2d", 1):
        raise RuntimeError("no C2D message arrived over WebSockets")
    message = events["c2d"][0]
    return {"data": message["data"], "messageId": message["messageId"], "kind": message["properties"].get("kind")}


def method():
    response = registry().invoke_device_method("ws-dev-1", CloudToDeviceMethod(method_name="ping", payload={"n": 1},
                                                                                response_timeout_in_seconds=WAIT))
    return {"methodStatus": response.status, "payload": json.dumps(response.payload, sort_keys=True)}


def twin():
    client = state["client"]
    client.patch_twin_reported_properties({"transport": "mqtt-ws"})
    service = registry()
    twin = service.get_twin("ws-dev-1")
    service.update_twin("ws-dev-1", Twin(properties=TwinProperties(desired={"interval": 7})), twin.etag)
    if not wait_for("patches", 1):
        raise RuntimeError("no desired-property patch arrived over WebSockets")
    device_view = client.get_twin()
    return {"reported": service.get_twin("ws-dev-1").properties.reported.get("transport"),
            "patchInterval": events["patches"][0].get("interval"),
            "deviceDesired": device_view["desired"].get("interval")}


def raw_peers():
    """A WebSocket that carries garbage is closed; one that asks for an unknown subprotocol is not upgraded."""
    host = state["hub"]["hostName"]
    options = {"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": conn["trustBundle"]}
    garbage = websocket.create_connection("wss://%s/$iothub/websocket" % host, subprotocol="mqtt", sslopt=options, timeout=WAIT,
                                          subprotocols=["mqtt"])
    garbage.send_binary(b"\xff\xff\xff\xff\xff")
    closed = False
    try:
        while True:
            opcode, _ = garbage.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                closed = True
                break
    except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
        closed = True
    refused = None
    try:
        websocket.create_connection("wss://%s/$iothub/websocket" % host, sslopt=options, timeout=WAIT, subprotocols=["chat"])
    except websocket.WebSocketBadStatusException as error:
        refused = error.status_code
    return {"garbageClosed": closed, "unknownSubprotocolStatus": refused}


def x509_device():
    """A self-signed X.509 device registers and connects over WebSockets: its TLS client certificate is the credential."""
    work = tempfile.mkdtemp()
    cert, key = os.path.join(work, "ws-x509.pem"), os.path.join(work, "ws-x509.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "30", "-subj", "/CN=ws-x509-1", "-addext", "extendedKeyUsage=clientAuth"],
                   check=True, capture_output=True)
    service.create_or_update(IndividualEnrollment.create("ws-x509-1", AttestationMechanism.create_with_x509_client_certs(open(cert).read())))
    result = ProvisioningDeviceClient.create_from_x509_certificate(
        provisioning_host=conn["dps"]["host"], registration_id="ws-x509-1", id_scope=conn["idScope"],
        x509=X509(cert_file=cert, key_file=key), server_verification_cert=trust, websockets=True).register()
    client = IoTHubDeviceClient.create_from_x509_certificate(
        x509=X509(cert_file=cert, key_file=key), hostname=result.registration_state.assigned_hub,
        device_id=result.registration_state.device_id, server_verification_cert=trust, websockets=True)
    client.connect()
    client.send_message(Message("x509 over wss"))
    connected = client.connected
    client.shutdown()
    return {"status": result.status, "connected": connected}


def still_serving():
    state["client"].send_message(Message("after the hostile peers"))
    return {"connected": state["client"].connected}


step("provision", provision)
if steps["provision"]["ok"]:
    step("connect", connect)
if steps.get("connect", {}).get("ok"):
    step("telemetry", telemetry)
    step("cloudToDevice", cloud_to_device)
    step("method", method)
    step("twin", twin)
    step("x509", x509_device)
    step("rawPeers", raw_peers)
    step("stillServing", still_serving)
    state["client"].shutdown()
print(json.dumps({"steps": steps}))
