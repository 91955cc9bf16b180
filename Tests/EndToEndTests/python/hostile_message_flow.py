"""Forgery and unchecked input against a running server (issue 12): a device forging hub-stamped system properties in
its property bag, registration ids DPS refuses (over HTTPS and MQTT, and as enrollments), cloud-to-device messages,
method payloads and twin patches over IoT Hub's limits (service API and device MQTT), and GET /routing with the
`service` policy. Ends with a group member that registers, connects and sends telemetry.

Usage: hostile_message_flow.py CONNECTION_JSON DATABASE
Prints one JSON object: {"steps": {name: {"ok": bool, ...}}, "secrets": [every key the script used]}.
"""
import base64
import hashlib
import hmac
import json
import sqlite3
import ssl
import sys
import threading
import time
import urllib.parse

import paho.mqtt.client as mqtt
import requests

import routing_support as support

conn = support.setup(sys.argv[1])
database = sys.argv[2]
shard = support.hub(conn, "hub-1")
steps = {}
secrets = []


def step(name, fn):
    try:
        steps[name] = dict(ok=True, **(fn() or {}))
    except Exception as error:  # every failure is reported, not raised
        steps[name] = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}


def sas(key, resource, key_name=None, ttl=3600):
    encoded = urllib.parse.quote(resource, safe="")
    expiry = int(time.time()) + ttl
    signature = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (encoded, expiry)).encode(),
                                          hashlib.sha256).digest()).decode()
    token = "SharedAccessSignature sr=%s&sig=%s&se=%d" % (encoded, urllib.parse.quote(signature, safe=""), expiry)
    return token + ("&skn=%s" % key_name if key_name else "")


def derived(group_key, registration_id):
    return base64.b64encode(hmac.new(base64.b64decode(group_key), registration_id.encode(), hashlib.sha256).digest()).decode()


def policy_key(scope, name):
    with sqlite3.connect("file:%s?mode=ro" % database, uri=True) as db:
        (key,) = db.execute("SELECT primaryKey FROM shared_access_policy WHERE scope = ? AND name = ?", (scope, name)).fetchone()
    return key


def service_host(connection_string):
    return dict(p.split("=", 1) for p in connection_string.split(";"))["HostName"]


def answer(reply):
    try:
        body = reply.json()
    except ValueError:
        body = {"text": reply.text[:300]}
    message = body.get("message") or body.get("Message") if isinstance(body, dict) else None
    code = body.get("errorCode") if isinstance(body, dict) else None
    return {"status": reply.status_code, "message": message, "errorCode": code}


def mqtt_device(device_id, key):
    """A raw MQTT device on hub-1 that records every message it receives by topic."""
    received = []
    arrived = threading.Condition()

    def on_message(client, userdata, message):
        with arrived:
            received.append((message.topic, message.payload))
            arrived.notify_all()

    client = support.paho_device(conn, shard, device_id, key)
    client.on_message = on_message
    return client, received, arrived


def await_topic(received, arrived, prefix, timeout=30):
    with arrived:
        arrived.wait_for(lambda: any(t.startswith(prefix) or prefix in t for t, _ in received), timeout=timeout)
        return [(t, p) for t, p in received if t.startswith(prefix) or prefix in t]


# --- forged system properties -------------------------------------------------------------------------------------

def forged_properties():
    key = support.create_device(shard, "hm-forger")
    secrets.append(key)
    client, _, _ = mqtt_device("hm-forger", key)
    bag = "&".join([
        "%24.mid=hm-forged", "%24.ct=application%2Fjson",
        "%24.iothub-connection-module-id=evil-module", "%24.iothub-connection-auth-generation-id=evil-generation",
        "%24.iothub-connection-device-id=evil-device", "%24.iothub-connection-auth-method=evil-method",
        "%24.iothub-enqueuedtime=evil-time", "%24.iothub-message-source=evil-source", "%24.cdid=evil-cdid", "%24.cmid=evil-cmid",
        "iothub-connection-module-id=evil-app-module", "iothub-connection-auth-generation-id=evil-app-generation",
        "normal=kept",
    ])
    client.publish("devices/hm-forger/messages/events/" + bag, json.dumps({"forged": True}), qos=1).wait_for_publish(20)
    client.disconnect()
    client.loop_stop()
    events = support.wait_until(lambda: [e for e in support.read_all(shard)
                                         if e["systemProperties"].get("message-id") == "hm-forged"], timeout=30)
    if not events:
        raise RuntimeError("the forged message was not routed")
    event = events[0]
    return {"systemProperties": event["systemProperties"], "properties": event["properties"],
            "forgedValues": json.dumps(event).count("evil")}


# --- registration ids -----------------------------------------------------------------------------------------------

BAD_HTTPS_IDS = {"tooLong": "a" * 129, "star": "bad*id", "trailingDot": "ends.", "trailingColon": "x" * 100 + ":"}
BAD_MQTT_IDS = {"tooLong": "b" * 129, "star": "bad*id", "space": "has space", "markup": "<b>markup</b>", "trailingDot": "ends."}


def enrollment_group():
    from provisioningserviceclient import ProvisioningServiceClient
    from provisioningserviceclient.models import AttestationMechanism, EnrollmentGroup
    from provisioningserviceclient.protocol.models import SymmetricKeyAttestation
    service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
    group = service.create_or_update(EnrollmentGroup.create(
        "hm-group", AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
    key = group.attestation.symmetric_key.primary_key
    secrets.append(key)
    return key


def https_registrations(group_key):
    answers = {}
    for name, registration_id in BAD_HTTPS_IDS.items():
        resource = "%s/registrations/%s" % (conn["idScope"], registration_id)
        reply = requests.put("https://%s:%d/%s/register" % (conn["dps"]["host"], conn["dps"]["httpsPort"], resource),
                             params={"api-version": "2021-06-01"}, timeout=30,
                             headers={"Authorization": sas(derived(group_key, registration_id), resource, "registration"),
                                      "Content-Type": "application/json"},
                             data=json.dumps({"registrationId": registration_id}))
        answers[name] = answer(reply)
    return {"answers": answers}


def mqtt_register(group_key, registration_id):
    """CONNACK code, then the register response's status and errorCode (if the connection was accepted)."""
    outcome = {"rc": None, "status": None, "errorCode": None, "message": None}
    connected, responded = threading.Event(), threading.Event()

    def on_connect(client, userdata, flags, rc):
        outcome["rc"] = rc
        connected.set()

    def on_message(client, userdata, message):
        parts = message.topic.split("/")
        outcome["status"] = int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else None
        try:
            body = json.loads(message.payload)
            outcome["errorCode"], outcome["message"] = body.get("errorCode"), body.get("message")
        except ValueError:
            pass
        responded.set()

    resource = "%s/registrations/%s" % (conn["idScope"], registration_id)
    client = mqtt.Client(client_id=registration_id, protocol=mqtt.MQTTv311, clean_session=True)
    client.username_pw_set("%s/api-version=2019-03-31" % resource, sas(derived(group_key, registration_id), resource, "registration"))
    client.tls_set(ca_certs=conn["trustBundle"], cert_reqs=ssl.CERT_REQUIRED)
    client.on_connect = on_connect
    client.on_message = on_message
    client.on_disconnect = lambda c, u, rc: connected.set()
    client.connect(conn["dps"]["host"], conn["dps"]["mqttPort"], keepalive=30)
    client.loop_start()
    connected.wait(20)
    if outcome["rc"] == 0:
        client.subscribe("$dps/registrations/res/#", qos=1)
        client.publish("$dps/registrations/PUT/iotdps-register/?$rid=1", json.dumps({"registrationId": registration_id}), qos=1)
        responded.wait(20)
    client.disconnect()
    client.loop_stop()
    return outcome


def mqtt_registrations(group_key):
    return {"mqtt": {name: mqtt_register(group_key, registration_id) for name, registration_id in BAD_MQTT_IDS.items()}}


def bad_enrollments():
    host = service_host(conn["dps"]["serviceConnectionString"])
    key = policy_key_from(conn["dps"]["serviceConnectionString"])
    answers = {}
    for name, registration_id in {"star": "bad*id", "trailingDot": "ends.", "tooLong": "c" * 129}.items():
        token = sas(key, host, "provisioningserviceowner")
        reply = requests.put("https://%s/enrollments/%s" % (host, urllib.parse.quote(registration_id, safe="*")),
                             params={"api-version": "2021-10-01"}, timeout=30,
                             headers={"Authorization": token, "Content-Type": "application/json"},
                             data=json.dumps({"registrationId": registration_id, "attestation": {"type": "symmetricKey"}}))
        answers[name] = answer(reply)
    return {"answers": answers}


def policy_key_from(connection_string):
    key = dict(p.split("=", 1) for p in connection_string.split(";"))["SharedAccessKey"]
    secrets.append(key)
    return key


# --- oversized messages, methods and twins --------------------------------------------------------------------------

def oversized():
    key = support.create_device(shard, "hm-big")
    secrets.append(key)
    client, received, arrived = mqtt_device("hm-big", key)
    client.subscribe([("$iothub/twin/res/#", 1), ("$iothub/methods/POST/#", 1)])
    answers = {}
    # A method the device answers with 140 KB: the caller gets the refusal, not the payload.
    def on_method(client_, userdata, message):
        if message.topic.startswith("$iothub/methods/POST/"):
            rid = message.topic.split("$rid=")[-1]
            client_.publish("$iothub/methods/res/200/?$rid=%s" % rid, json.dumps({"blob": "z" * 140 * 1024}), qos=0)
        else:
            with arrived:
                received.append((message.topic, message.payload))
                arrived.notify_all()
    client.on_message = on_method
    # Wait until the subscriptions are in place: a twin GET answered means the SUBSCRIBE was processed.
    client.publish("$iothub/twin/GET/?$rid=1", b"", qos=0)
    await_topic(received, arrived, "?$rid=1")

    answers["c2dBody"] = support.call(shard, "POST", "/devices/hm-big/messages/deviceBound",
                                      {"payload": "x" * 70 * 1024})
    answers["c2dProperties"] = support.call(shard, "POST", "/devices/hm-big/messages/deviceBound",
                                            {"payload": "x" * 40 * 1024, "properties": {"p": "y" * 30 * 1024}})
    answers["c2dReservedProperty"] = support.call(shard, "POST", "/devices/hm-big/messages/deviceBound",
                                                  {"payload": "x", "properties": {"$.mid": "forged"}})
    answers["methodRequest"] = support.call(shard, "POST", "/twins/hm-big/methods",
                                            {"methodName": "m", "payload": "x" * 130 * 1024, "responseTimeoutInSeconds": 10})
    answers["methodResponse"] = support.call(shard, "POST", "/twins/hm-big/methods",
                                             {"methodName": "m", "payload": {}, "responseTimeoutInSeconds": 10})
    answers["desired"] = support.call(shard, "PATCH", "/twins/hm-big",
                                      {"properties": {"desired": {"k%d" % i: "d" * 3000 for i in range(12)}}})
    answers["tags"] = support.call(shard, "PATCH", "/twins/hm-big", {"tags": {"k%d" % i: "t" * 3000 for i in range(3)}})
    answers["longValue"] = support.call(shard, "PATCH", "/twins/hm-big", {"tags": {"v": "t" * 5000}})
    result = {"answers": {name: {"status": status, "message": (body.get("Message") if isinstance(body, dict) else str(body))[:300]}
                          for name, (status, body) in answers.items()}}

    client.publish("$iothub/twin/PATCH/properties/reported/?$rid=7",
                   json.dumps({"k%d" % i: "r" * 3000 for i in range(12)}), qos=0)
    client.publish("$iothub/twin/PATCH/properties/reported/?$rid=8", json.dumps({"v": "r" * 5000}), qos=0)
    client.publish("$iothub/twin/PATCH/properties/reported/?$rid=9", json.dumps({"small": 1}), qos=0)
    statuses = {}
    for rid in ("7", "8", "9"):
        found = await_topic(received, arrived, "?$rid=%s" % rid)
        statuses[rid] = int(found[0][0].split("/")[3]) if found else None
    result["reportedStatuses"] = {"tooBig": statuses["7"], "longValue": statuses["8"], "small": statuses["9"]}
    client.disconnect()
    client.loop_stop()
    return result


# --- routing secrets ------------------------------------------------------------------------------------------------

def routing_secrets():
    routing = {
        "endpoints": [{"name": "secrethook", "type": "webhook",
                       "url": "https://hookuser:URLPASSWORD@127.0.0.1:9/hook?code=URLQUERYSECRET",
                       "headers": {"Authorization": "Bearer HEADERSECRET"}}],
        "routes": [{"name": "never", "source": "DeviceMessages", "condition": "false", "endpointNames": ["secrethook"]}],
        "fallbackRoute": {"name": "$fallback", "condition": "true", "endpointNames": ["events"], "isEnabled": True},
    }
    put_status, put_body = support.call(shard, "PUT", "/routing", routing)
    service_key = policy_key("hub:%s" % shard["name"], "service")
    secrets.append(service_key)
    host = service_host(shard["serviceConnectionString"])
    reply = requests.get("https://%s/routing" % host, timeout=30,
                         headers={"Authorization": sas(service_key, host, "service")})
    owner_status, owner_body = support.call(shard, "GET", "/routing")
    texts = {"service": reply.text, "owner": json.dumps(owner_body)}
    markers = ["URLPASSWORD", "URLQUERYSECRET", "HEADERSECRET"]
    return {"putStatus": put_status, "serviceStatus": reply.status_code, "ownerStatus": owner_status,
            "serviceSecrets": [m for m in markers if m in texts["service"]],
            "ownerSecrets": [m for m in markers if m in texts["owner"]],
            "serviceKeepsHeaderName": "Authorization" in texts["service"]}


# --- a normal device afterwards -------------------------------------------------------------------------------------

def healthy_member(group_key):
    from azure.iot.device import IoTHubDeviceClient, ProvisioningDeviceClient
    trust = open(conn["trustBundle"]).read()
    key = derived(group_key, "hm-good-1")
    registration = ProvisioningDeviceClient.create_from_symmetric_key(
        provisioning_host=conn["dps"]["host"], registration_id="hm-good-1", id_scope=conn["idScope"],
        symmetric_key=key, server_verification_cert=trust).register()
    state = registration.registration_state
    client = IoTHubDeviceClient.create_from_symmetric_key(
        symmetric_key=key, hostname=state.assigned_hub, device_id=state.device_id, server_verification_cert=trust,
        connection_retry=False)
    client.connect()
    client.send_message(support.json_message({"after": "hostile messages"}))
    client.shutdown()
    assigned = [h for h in conn["hubs"] if h["hostName"] == state.assigned_hub][0]
    found = support.wait_until(lambda: [e for e in support.read_all(assigned)
                                        if e["systemProperties"].get("iothub-connection-device-id") == state.device_id], timeout=30)
    return {"status": registration.status, "deviceId": state.device_id, "found": len(found or [])}


step("forgedProperties", forged_properties)
group_key = enrollment_group()
step("httpsRegistrations", lambda: https_registrations(group_key))
step("mqttRegistrations", lambda: mqtt_registrations(group_key))
step("badEnrollments", bad_enrollments)
step("oversized", oversized)
step("routingSecrets", routing_secrets)
step("healthy", lambda: healthy_member(group_key))
print(json.dumps({"steps": steps, "secrets": secrets}))
