"""C2D over AMQP survives kill -9: every message whose send azure-iot-hub reported done (the `accepted` disposition)
reaches the device after a restart.

Usage: amqp_c2d_durability.py CONNECTION_JSON send ACKED_FILE   (sends until the server dies; appends each accepted id)
       amqp_c2d_durability.py CONNECTION_JSON receive ACKED_FILE KEY_FILE
Phase `send` creates the device and writes its key to ACKED_FILE + ".key"; phase `receive` prints
{"acknowledged": n, "lost": [ids]}.
"""
import json
import os
import sys
import time

import routing_support as support

conn = support.setup(sys.argv[1])
os.environ["SSL_CERT_FILE"] = conn["trustBundle"]
shard = support.hub(conn, "hub-1")
phase, acked_file = sys.argv[2], sys.argv[3]
DEVICE = "durable-c2d"
LIMIT = 45  # below the device queue's 50 pending messages


def send():
    key = support.create_device(shard, DEVICE)
    with open(acked_file + ".key", "w") as handle:
        handle.write(key)
    from azure.iot.hub import IoTHubRegistryManager
    manager = IoTHubRegistryManager.from_connection_string(shard["serviceConnectionString"])
    with open(acked_file, "a") as acked:
        for index in range(LIMIT):
            message_id = "durable-%d" % index
            try:
                manager.send_c2d_message(DEVICE, "payload %d" % index, {"messageId": message_id})
            except Exception:
                break  # the server was killed
            acked.write(message_id + "\n")
            acked.flush()
            os.fsync(acked.fileno())


def receive():
    acknowledged = [line for line in open(acked_file).read().split("\n") if line]
    key = open(acked_file + ".key").read().strip()
    device = support.connect(conn, shard, DEVICE, key)
    received = set()
    deadline = time.monotonic() + 60
    try:
        while not set(acknowledged) <= received and time.monotonic() < deadline:
            message = device.receive_message(timeout=5)
            if message is not None:
                received.add(message.message_id)
    finally:
        device.shutdown()
    print(json.dumps({"acknowledged": len(acknowledged), "lost": sorted(set(acknowledged) - received)}))


if phase == "send":
    send()
else:
    receive()
sys.stdout.flush()
# uamqp's C objects can crash the interpreter at exit; everything is written, so leave without tearing them down.
os._exit(0)
