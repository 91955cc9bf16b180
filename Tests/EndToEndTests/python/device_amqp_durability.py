"""Device telemetry over AMQP survives kill -9: every message the server settled as `accepted` is in the built-in
endpoint after a restart (accepted means durably committed).

Usage: device_amqp_durability.py CONNECTION_JSON send ACKED_FILE     (sends until the server dies; appends each accepted id)
       device_amqp_durability.py CONNECTION_JSON verify ACKED_FILE   (prints {"acknowledged": n, "lost": [ids]})
Phase `send` creates the device, writes its key to ACKED_FILE + ".key" and keeps up to 32 unsettled transfers in flight
(python-qpid-proton, CBS put-token) so accepted dispositions come from group commits under load.
"""
import json
import os
import sys

import device_amqp_support as support

shard = support.Shard(sys.argv[1])
phase, acked_file = sys.argv[2], sys.argv[3]
DEVICE = "durable-amqp"
WINDOW = 32
LIMIT = 200000


def send():
    from proton import Delivery, Timeout
    from device_amqp_proton import DeviceConnection, data
    key = shard.create_device(DEVICE)
    with open(acked_file + ".key", "w") as handle:
        handle.write(key)
    connection = DeviceConnection()
    connection.authenticate(DEVICE, key)
    sender = connection.sender(shard.address(DEVICE, "messages/events")).link
    in_flight, sent = {}, 0
    with open(acked_file, "a") as acked:
        try:
            while sent < LIMIT:
                while len(in_flight) < WINDOW and sender.credit > 0 and sent < LIMIT:
                    message_id = "durable-%d" % sent
                    in_flight[sender.send(data(json.dumps({"n": sent}), id=message_id))] = message_id
                    sent += 1
                try:
                    connection.connection.wait(
                        lambda: any(d.remote_state for d in in_flight) or (sender.credit > 0 and len(in_flight) < WINDOW), timeout=5)
                except Timeout:
                    continue
                done = [d for d in in_flight if d.remote_state]
                for delivery in done:
                    if delivery.remote_state == Delivery.ACCEPTED:
                        acked.write(in_flight[delivery] + "\n")
                    delivery.settle()
                    del in_flight[delivery]
                if done:
                    acked.flush()
                    os.fsync(acked.fileno())
        except Exception:
            pass  # the server was killed


def verify():
    acknowledged = [line for line in open(acked_file).read().split("\n") if line]
    stored = {e["systemProperties"].get("message-id") for e in support.routing_support.read_all(shard.shard)
              if e["systemProperties"].get("iothub-connection-device-id") == DEVICE}
    lost = sorted(set(acknowledged) - stored)
    print(json.dumps({"acknowledged": len(acknowledged), "stored": len(stored), "lost": lost[:50]}))


if phase == "send":
    send()
else:
    verify()
sys.stdout.flush()
# Leave without tearing down proton's C objects.
os._exit(0)
