"""Routing end to end with the Azure SDKs: conditions on $body, application properties and $twin tags, the fallback
route, enrichments, a webhook over HTTPS that fails for a while, a storage endpoint, twin-change and lifecycle events.

Usage: routing_flow.py CONNECTION_JSON WEBHOOK_CERT WEBHOOK_KEY STORAGE_DIR
Prints one JSON object: {"steps": {name: {"ok": bool, ...}}}.
"""
import http.server
import json
import ssl
import sys
import threading
import time

import routing_support as support

conn = support.setup(sys.argv[1])
cert, key_file, storage_dir = sys.argv[2], sys.argv[3], sys.argv[4]
shard = support.hub(conn, "hub-1")
steps = {}
FAILING_REQUESTS = 4


def step(name, fn):
    try:
        steps[name] = dict(ok=True, **(fn() or {}))
    except Exception as error:
        steps[name] = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}


class Webhook(http.server.BaseHTTPRequestHandler):
    """Answers 503 to the first FAILING_REQUESTS requests, then 200; records every request."""
    received = []
    attempts = 0
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with Webhook.lock:
            Webhook.attempts += 1
            failing = Webhook.attempts <= FAILING_REQUESTS
            if not failing:
                Webhook.received.append({"headers": dict(self.headers), "event": json.loads(body)})
        self.send_response(503 if failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key_file)
server.socket = context.wrap_socket(server.socket, server_side=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
webhook_url = "https://127.0.0.1:%d/hook" % server.server_address[1]

routing = {
    "endpoints": [
        {"name": "alerts", "type": "webhook", "url": webhook_url, "trustBundle": cert, "headers": {"X-Webhook-Secret": "s3cret"},
         "maxAttempts": 100, "retryInitialSeconds": 0.2, "retryMaximumSeconds": 1},
        {"name": "ops", "type": "eventLog", "partitionCount": 2},
        {"name": "plant", "type": "eventLog"},
        {"name": "archive", "type": "storage", "directory": storage_dir, "batchSeconds": 1},
    ],
    "routes": [
        {"name": "hot", "source": "DeviceMessages", "condition": "$body.temperature > 30", "endpointNames": ["alerts"]},
        {"name": "ops", "source": "DeviceMessages", "condition": "processingPath = 'ops'", "endpointNames": ["ops", "archive"]},
        {"name": "plant", "source": "DeviceMessages", "condition": "$twin.tags.site = 'plant-7' AND IS_DEFINED($body.pressure)",
         "endpointNames": ["plant"]},
        {"name": "twins", "source": "TwinChangeEvents", "condition": "true", "endpointNames": ["events"]},
        {"name": "lifecycle", "source": "DeviceLifecycleEvents", "condition": "true", "endpointNames": ["events"]},
    ],
    "fallbackRoute": {"name": "$fallback", "condition": "true", "endpointNames": ["events"], "isEnabled": True},
    "enrichments": [
        {"key": "region", "value": "$twin.tags.region", "endpointNames": ["events", "alerts"]},
        {"key": "hub", "value": "$iothubname", "endpointNames": ["alerts"]},
        {"key": "pipeline", "value": "routing-e2e", "endpointNames": ["plant"]},
    ],
}


def configure():
    bad = dict(routing, routes=[{"name": "broken", "condition": "$body.temperature >> 30", "endpointNames": ["events"]}])
    bad_status, bad_body = support.call(shard, "PUT", "/routing", bad)
    status, body = support.call(shard, "PUT", "/routing", routing)
    assert status == 200, (status, body)
    _, current = support.call(shard, "GET", "/routing")
    return {"badStatus": bad_status, "badPosition": bad_body.get("position"), "badReason": bad_body.get("reason"),
            "badRoute": bad_body.get("route"), "endpoints": [e["name"] for e in current["endpoints"]],
            "routes": [r["name"] for r in current["routes"]]}


step("configure", configure)

from azure.iot.hub import IoTHubRegistryManager
from azure.iot.hub.models import Twin, TwinProperties

manager = IoTHubRegistryManager.from_connection_string(shard["serviceConnectionString"])
key1 = support.create_device(shard, "route-dev-1")
key2 = support.create_device(shard, "route-dev-2")
twin = manager.get_twin("route-dev-1")
manager.update_twin("route-dev-1", Twin(tags={"site": "plant-7", "region": "eu-west"}, properties=TwinProperties(desired={"rate": 5})),
                    twin.etag)
device1 = support.connect(conn, shard, "route-dev-1", key1)
device2 = support.connect(conn, shard, "route-dev-2", key2)
temperatures = [25, 35, 28, 40, 31, 30]


def send():
    for index, temperature in enumerate(temperatures):
        device1.send_message(support.json_message({"temperature": temperature, "index": index}))
    device1.send_message(support.json_message({"pressure": 1013, "temperature": 20}))
    for index in range(3):
        device2.send_message(support.json_message({"index": index, "level": "ops"}, processingPath="ops"))
    from azure.iot.device import Message
    device2.send_message(Message(b"\xff\x00binary"))
    return {}


step("send", send)


def webhook():
    hot = [t for t in temperatures if t > 30]
    support.wait_until(lambda: len(Webhook.received) >= len(hot), timeout=60)
    events = [r["event"] for r in Webhook.received]
    return {"temperatures": [e["body"]["temperature"] for e in events], "failedAttempts": FAILING_REQUESTS,
            "attempts": Webhook.attempts, "secretHeader": Webhook.received[0]["headers"].get("X-Webhook-Secret") if events else None,
            "enrichments": events[0]["properties"] if events else None,
            "deviceIds": sorted({e["systemProperties"].get("iothub-connection-device-id") for e in events}),
            "bodyEncoding": events[0]["bodyEncoding"] if events else None}


step("webhook", webhook)


def builtin():
    def telemetry():
        events = support.read_all(shard, wait=0)
        return [e for e in events if e["systemProperties"].get("iothub-message-source") == "Telemetry"]
    expected = len([t for t in temperatures if t <= 30]) + 1  # and the binary message of route-dev-2
    events = support.wait_until(lambda: (lambda found: found if len(found) >= expected else None)(telemetry()), timeout=60) or telemetry()
    json_events = [e for e in events if e["bodyEncoding"] == "json"]
    binary = [e for e in events if e["bodyEncoding"] == "base64"]
    first = json_events[0] if json_events else {}
    return {"temperatures": sorted(e["body"].get("temperature") for e in json_events),
            "regions": sorted({e["properties"].get("region", "-") for e in json_events}),
            "binary": binary[0]["body"] if binary else None,
            "systemKeys": sorted(first.get("systemProperties", {}).keys()),
            "keys": sorted(first.keys())}


step("builtin", builtin)


def named_logs():
    ops = support.wait_until(lambda: (lambda found: found if len(found) >= 3 else None)(support.read_all(shard, "ops")), timeout=60) or []
    plant = support.wait_until(lambda: support.read_all(shard, "plant"), timeout=60) or []
    status, partitions = support.call(shard, "GET", "/events/ops/partitions")
    return {"ops": sorted(e["body"]["index"] for e in ops), "opsPartitions": len(partitions),
            "plant": [e["body"] for e in plant], "plantProperties": plant[0]["properties"] if plant else None}


step("namedLogs", named_logs)


def storage():
    import glob
    import os
    files = support.wait_until(lambda: [f for f in glob.glob(os.path.join(storage_dir, "**"), recursive=True) if os.path.isfile(f)],
                               timeout=30) or []
    lines = [json.loads(line) for f in files for line in open(f) if line.strip()]
    support.wait_until(lambda: len([line for f in files for line in open(f) if line.strip()]) >= 3, timeout=30)
    lines = [json.loads(line) for f in files for line in open(f) if line.strip()]
    relative = [os.path.relpath(f, storage_dir) for f in files]
    return {"files": relative, "lines": len(lines), "indexes": sorted(e["body"]["index"] for e in lines)}


step("storage", storage)


def hub_events():
    manager.update_twin("route-dev-2", Twin(properties=TwinProperties(desired={"mode": "eco"})), "*")
    manager.delete_device("route-dev-2")

    def found():
        events = support.read_all(shard)
        ops = [(e["properties"].get("opType"), e["properties"].get("deviceId")) for e in events
               if e["systemProperties"].get("iothub-message-source") in ("twinChangeEvents", "deviceLifecycleEvents")]
        wanted = {("createDeviceIdentity", "route-dev-1"), ("updateTwin", "route-dev-2"), ("deleteDeviceIdentity", "route-dev-2")}
        return ops if wanted <= set(ops) else None
    operations = support.wait_until(found, timeout=30) or []
    events = support.read_all(shard)
    change = [e for e in events if e["properties"].get("opType") == "updateTwin" and e["properties"].get("deviceId") == "route-dev-1"]
    return {"operations": sorted({"%s:%s" % op for op in operations}),
            "twinChange": change[0]["body"] if change else None,
            "schema": change[0]["properties"].get("iothub-message-schema") if change else None}


step("hubEvents", hub_events)


def metrics():
    _, body = support.call(shard, "GET", "/routing/metrics")
    return {"alerts": body["endpoints"]["alerts"]}


step("metrics", metrics)
device1.shutdown()
print(json.dumps({"steps": steps}))
server.shutdown()
