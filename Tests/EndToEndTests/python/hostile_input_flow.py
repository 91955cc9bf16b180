"""Hostile input against a running server: a device SAS whose `se` is absurd, twin queries nested or chained past the
limits (sent with the read-only registryRead policy), routing conditions past the limits and absurd endpoint numbers
on PUT /routing. After each attack the script checks the answer; at the end a new device provisions through DPS,
connects to its hub and sends telemetry that reaches the built-in events endpoint.

Usage: hostile_input_flow.py CONNECTION_JSON DATABASE [attacks|store-bad-routing|healthy]
  attacks (default)    every attack above, then the healthy device
  store-bad-routing    writes a routing past today's limits for every shard into the (stopped) server's database,
                       as an older version could have stored it
  healthy              only the healthy device
Prints one JSON object: {"steps": {name: {"ok": bool, ...}}}.
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


def step(name, fn):
    try:
        steps[name] = dict(ok=True, **(fn() or {}))
    except Exception as error:  # every failure is reported, not raised
        steps[name] = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}


def signed(key, resource, expiry_text, key_name=None):
    """A SAS token over exactly `expiry_text`, however absurd."""
    encoded = urllib.parse.quote(resource, safe="")
    signature = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%s" % (encoded, expiry_text)).encode(),
                                          hashlib.sha256).digest()).decode()
    token = "SharedAccessSignature sr=%s&sig=%s&se=%s" % (encoded, urllib.parse.quote(signature, safe=""), expiry_text)
    return token + ("&skn=%s" % key_name if key_name else "")


def connack(device_id, password):
    """CONNACK return code paho reports for one CONNECT (None when none came), and whether the server then closed."""
    outcome = {"rc": None, "closed": False}
    done = threading.Event()

    def on_connect(client, userdata, flags, rc):
        outcome["rc"] = rc
        if rc == 0:
            done.set()

    def on_disconnect(client, userdata, rc):
        outcome["closed"] = True
        done.set()

    client = mqtt.Client(client_id=device_id, protocol=mqtt.MQTTv311, clean_session=True)
    client.username_pw_set("%s/%s/?api-version=2021-04-12" % (shard["hostName"], device_id), password)
    client.tls_set(ca_certs=conn["trustBundle"], cert_reqs=ssl.CERT_REQUIRED)
    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    client.connect(shard["hostName"], shard["mqttPort"], keepalive=30)
    client.loop_start()
    done.wait(15)
    client.disconnect()
    client.loop_stop()
    return outcome


def far_future_sas():
    key = support.create_device(shard, "hostile-se")
    resource = "%s/devices/hostile-se" % shard["hostName"]
    codes = {}
    for expiry in ["10000000000000000", "99999999999999999999", "-1", "1e16", "1800000000.5"]:
        codes[expiry] = connack("hostile-se", signed(key, resource, expiry))["rc"]
    valid = connack("hostile-se", signed(key, resource, str(int(time.time()) + 3600)))["rc"]
    return {"codes": codes, "validCode": valid}


def registry_read_token():
    """A SAS token of the shard's read-only registryRead policy, its key read from the data directory's database."""
    with sqlite3.connect("file:%s?mode=ro" % database, uri=True) as db:
        (key,) = db.execute("SELECT primaryKey FROM shared_access_policy WHERE scope = ? AND name = 'registryRead'",
                            ("hub:%s" % shard["name"],)).fetchone()
    return signed(key, service_host(), str(int(time.time()) + 3600), key_name="registryRead")


def service_host():
    """The service API's host (with its port when not 443), as the shard's service connection string names it."""
    return dict(p.split("=", 1) for p in shard["serviceConnectionString"].split(";"))["HostName"]


def query(token, text):
    reply = requests.post("https://%s/devices/query" % service_host(), params={"api-version": "2021-04-12"}, timeout=60,
                          headers={"Authorization": token, "Content-Type": "application/json"}, data=json.dumps({"query": text}))
    try:
        body = reply.json()
    except ValueError:
        body = reply.text
    return reply.status_code, body


def deep_twin_queries():
    token = registry_read_token()
    prefix = "SELECT * FROM devices WHERE "
    attacks = {
        "parentheses": prefix + "(" * 4000 + "deviceId='x'" + ")" * 4000,
        "not": prefix + "NOT " * 2000 + "deviceId = 'x'",
        "and": prefix + " AND ".join("a=%d" % (i % 10) for i in range(600)),
        "long": prefix + "NOT " * 3000 + "deviceId = 'x'",
    }
    answers = {}
    for name, text in attacks.items():
        status, body = query(token, text)
        answers[name] = {"status": status, "message": body.get("Message") if isinstance(body, dict) else str(body)[:300]}
    status, body = query(token, prefix + "deviceId = 'hostile-se'")
    return {"answers": answers, "normalStatus": status, "normalIds": [t.get("deviceId") for t in body] if status == 200 else body}


def routing_put(configuration):
    status, body = support.call(shard, "PUT", "/routing", body=configuration, params={"api-version": "2021-04-12"})
    return {"status": status, "message": body.get("Message") if isinstance(body, dict) else str(body)[:300],
            "reason": body.get("reason") if isinstance(body, dict) else None,
            "route": body.get("route") if isinstance(body, dict) else None}


def hostile_routing():
    long_and = " AND ".join("a='%d'" % (i % 10) for i in range(600))
    deep = "(" * 200 + "a = 'x'" + ")" * 200
    webhook = {"name": "hook", "type": "webhook", "url": "https://127.0.0.1:9/hook"}
    answers = {
        "longAnd": routing_put({"routes": [{"name": "long", "condition": long_and, "endpointNames": ["events"]}]}),
        "deep": routing_put({"routes": [{"name": "deep", "condition": deep, "endpointNames": ["events"]}]}),
        "timeout": routing_put({"endpoints": [dict(webhook, timeoutSeconds=1e16)]}),
        "retry": routing_put({"endpoints": [dict(webhook, retryInitialSeconds=1, retryMaximumSeconds=1e16)]}),
        "retention": routing_put({"endpoints": [{"name": "log", "type": "eventLog", "retentionSeconds": 10 ** 15}]}),
    }
    status, current = support.call(shard, "GET", "/routing", params={"api-version": "2021-04-12"})
    return {"answers": answers, "storedRoutes": [r["name"] for r in current.get("routes", [])] if status == 200 else None,
            "storedEndpoints": [e["name"] for e in current.get("endpoints", [])] if status == 200 else None}


def healthy_device():
    """A new device provisions through DPS (symmetric-key individual enrollment), connects and sends telemetry."""
    from azure.iot.device import IoTHubDeviceClient, Message, ProvisioningDeviceClient
    from provisioningserviceclient import ProvisioningServiceClient
    from provisioningserviceclient.models import AttestationMechanism, IndividualEnrollment
    from provisioningserviceclient.protocol.models import SymmetricKeyAttestation
    service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
    enrollment = service.create_or_update(IndividualEnrollment.create(
        "hostile-after", AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
    trust = open(conn["trustBundle"]).read()
    registration = ProvisioningDeviceClient.create_from_symmetric_key(
        provisioning_host=conn["dps"]["host"], registration_id="hostile-after", id_scope=conn["idScope"],
        symmetric_key=enrollment.attestation.symmetric_key.primary_key, server_verification_cert=trust).register()
    state = registration.registration_state
    client = IoTHubDeviceClient.create_from_symmetric_key(
        symmetric_key=enrollment.attestation.symmetric_key.primary_key, hostname=state.assigned_hub,
        device_id=state.device_id, server_verification_cert=trust, connection_retry=False)
    client.connect()
    client.send_message(support.json_message({"after": "hostile input"}))
    client.shutdown()
    assigned = [h for h in conn["hubs"] if h["hostName"] == state.assigned_hub][0]
    found = support.wait_until(lambda: [e for e in support.read_all(assigned) if e["systemProperties"].get("iothub-connection-device-id") == state.device_id], timeout=30)
    return {"status": registration.status, "assignedHub": state.assigned_hub, "deviceId": state.device_id,
            "bodies": [e.get("body") for e in found]}


def store_bad_routing():
    routing = {
        "endpoints": [{"name": "hook", "type": "webhook", "url": "https://127.0.0.1:9/hook", "timeoutSeconds": 1e16}],
        "routes": [{"name": "long", "condition": " AND ".join("a='%d'" % (i % 10) for i in range(600)), "endpointNames": ["hook"]}],
    }
    with sqlite3.connect(database) as db:
        for each in conn["hubs"]:
            db.execute("INSERT INTO routing_configuration (shard, json) VALUES (?, ?) "
                       "ON CONFLICT(shard) DO UPDATE SET json = excluded.json", (each["name"], json.dumps(routing)))
    return {}


mode = sys.argv[3] if len(sys.argv) > 3 else "attacks"
if mode == "store-bad-routing":
    step("storeBadRouting", store_bad_routing)
elif mode == "healthy":
    step("healthyDevice", healthy_device)
else:
    step("farFutureSAS", far_future_sas)
    step("deepTwinQueries", deep_twin_queries)
    step("hostileRouting", hostile_routing)
    step("healthyDevice", healthy_device)
print(json.dumps({"steps": steps}))
