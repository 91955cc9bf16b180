"""Helpers shared by the routing end-to-end scripts: the shard's service REST API with a policy SAS token, devices
created through the service SDK and connected with the device SDK, and reads of the events API."""
import base64
import hashlib
import hmac
import json
import os
import time
import urllib.parse

import requests


def setup(connection_json):
    """Loads connection.json and points requests at the installation's trust bundle."""
    conn = json.load(open(connection_json))
    os.environ["REQUESTS_CA_BUNDLE"] = conn["trustBundle"]
    os.environ["NO_PROXY"] = "*"
    for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        os.environ.pop(proxy, None)
    return conn


def hub(conn, name="hub-1"):
    return [h for h in conn["hubs"] if h["name"] == name][0]


def token(connection_string, ttl=3600):
    parts = dict(p.split("=", 1) for p in connection_string.split(";"))
    resource = urllib.parse.quote_plus(parts["HostName"])
    expiry = int(time.time()) + ttl
    signature = base64.b64encode(hmac.new(base64.b64decode(parts["SharedAccessKey"]), ("%s\n%d" % (resource, expiry)).encode(),
                                          hashlib.sha256).digest()).decode()
    return "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=%s" % (resource, urllib.parse.quote(signature, safe=""), expiry,
                                                                parts["SharedAccessKeyName"])


def call(shard, method, path, body=None, params=None, timeout=90):
    """One service API request; returns (status, parsed JSON or text)."""
    host = dict(p.split("=", 1) for p in shard["serviceConnectionString"].split(";"))["HostName"]
    reply = requests.request(method, "https://%s%s" % (host, path), params=params, timeout=timeout,
                             headers={"Authorization": token(shard["serviceConnectionString"]), "Content-Type": "application/json"},
                             data=None if body is None else json.dumps(body))
    try:
        return reply.status_code, reply.json()
    except ValueError:
        return reply.status_code, reply.text


def create_device(shard, device_id):
    """Creates a SAS device through the service SDK and returns its primary key."""
    from azure.iot.hub import IoTHubRegistryManager
    manager = IoTHubRegistryManager.from_connection_string(shard["serviceConnectionString"])
    created = manager.create_device_with_sas(device_id, None, None, "enabled")
    return created.authentication.symmetric_key.primary_key


def connect(conn, shard, device_id, key):
    from azure.iot.device import IoTHubDeviceClient
    client = IoTHubDeviceClient.create_from_symmetric_key(
        symmetric_key=key, hostname=shard["hostName"], device_id=device_id,
        server_verification_cert=open(conn["trustBundle"]).read(), connection_retry=False)
    client.connect()
    return client


def json_message(body, **properties):
    from azure.iot.device import Message
    message = Message(json.dumps(body), content_encoding="utf-8", content_type="application/json")
    for key, value in properties.items():
        message.custom_properties[key] = value
    return message


def read_all(shard, endpoint="events", consumer_group=None, wait=0, start=None):
    """Every retained event of an event log, partition by partition (fromSequenceNumber = first, or `start`)."""
    prefix = "/events" if endpoint == "events" else "/events/%s" % endpoint
    status, partitions = call(shard, "GET", prefix + "/partitions")
    assert status == 200, (status, partitions)
    events = []
    for partition in partitions:
        params = {"maxCount": 1000, "waitSeconds": wait}
        if consumer_group:
            params["consumerGroup"] = consumer_group
        if start is not None:
            params["fromSequenceNumber"] = start.get(partition["partitionId"], partition["firstSequenceNumber"])
        elif not consumer_group:
            params["fromSequenceNumber"] = partition["firstSequenceNumber"]
        while True:
            status, page = call(shard, "GET", "%s/partitions/%s" % (prefix, partition["partitionId"]), params=params)
            assert status == 200, (status, page)
            events += page
            if len(page) < 1000:
                break
            params["fromSequenceNumber"] = page[-1]["sequenceNumber"] + 1
    return events


def wait_until(condition, timeout=60, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return condition()


def device_token(host, device_id, key, ttl=3600):
    resource = urllib.parse.quote("%s/devices/%s" % (host, device_id), safe="")
    expiry = int(time.time()) + ttl
    signature = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (resource, expiry)).encode(), hashlib.sha256).digest()).decode()
    return "SharedAccessSignature sr=%s&sig=%s&se=%d" % (resource, urllib.parse.quote(signature, safe=""), expiry)


def paho_device(conn, shard, device_id, key):
    """A raw MQTT device (paho) for fast, explicit QoS 1 publishing: returns a connected, looping client."""
    import ssl
    import threading
    import paho.mqtt.client as mqtt
    connected = threading.Event()
    client = mqtt.Client(client_id=device_id, protocol=mqtt.MQTTv311, clean_session=True)
    client.username_pw_set("%s/%s/?api-version=2021-04-12" % (shard["hostName"], device_id),
                           device_token(shard["hostName"], device_id, key))
    client.tls_set(ca_certs=conn["trustBundle"], cert_reqs=ssl.CERT_REQUIRED)
    client.on_connect = lambda c, u, f, rc: connected.set() if rc == 0 else None
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(shard["hostName"], shard["mqttPort"], keepalive=60)
    client.loop_start()
    if not connected.wait(20):
        raise RuntimeError("the device did not connect")
    return client


def telemetry_topic(device_id):
    return "devices/%s/messages/events/%%24.ct=application%%2Fjson&%%24.ce=utf-8" % device_id
