"""Durability of routing, driven step by step by RoutingDurabilityTests (the server restarts between steps).

Usage: routing_durability.py CONNECTION_JSON STATE_FILE MODE [ARGS]
  create                       create the device durable-dev on hub-1 (key kept in STATE_FILE)
  send START COUNT             send {"n": START…START+COUNT-1} with the device SDK (each returns after PUBACK)
  read-checkpoint GROUP AFTER  read every event with consumer group GROUP, checkpoint the one with n = AFTER
  resume GROUP TOTAL           read with GROUP from its checkpoint until the last n is TOTAL-1
  send-loop ACKED_FILE COUNT   publish with paho, appending each PUBACKed n to ACKED_FILE, until COUNT or the server dies
  read-all TOTAL               every n in the built-in endpoint once TOTAL distinct ones are there (or after a minute)
Prints one JSON object.
"""
import json
import os
import sys
import time

import routing_support as support

conn = support.setup(sys.argv[1])
state_file, mode, args = sys.argv[2], sys.argv[3], sys.argv[4:]
shard = support.hub(conn, "hub-1")
DEVICE = "durable-dev"


def key():
    return json.load(open(state_file))["key"]


def numbers(events):
    return [e["body"]["n"] for e in events if e["bodyEncoding"] == "json" and "n" in e["body"]]


if mode == "create":
    json.dump({"key": support.create_device(shard, DEVICE)}, open(state_file, "w"))
    print(json.dumps({"created": DEVICE}))
elif mode == "send":
    start, count = int(args[0]), int(args[1])
    client = support.connect(conn, shard, DEVICE, key())
    for n in range(start, start + count):
        client.send_message(support.json_message({"n": n}))
    client.shutdown()
    print(json.dumps({"sent": count}))
elif mode == "read-checkpoint":
    group, after = args[0], int(args[1])
    events = support.wait_until(lambda: (lambda found: found if len(numbers(found)) >= after + 1 else None)(
        support.read_all(shard, consumer_group=group)), timeout=60) or []
    target = [e for e in events if e["body"].get("n") == after][0]
    status, body = support.call(shard, "PUT", "/events/consumergroups/%s/checkpoints/%s" % (group, target["partitionId"]),
                                {"sequenceNumber": target["sequenceNumber"]})
    _, stored = support.call(shard, "GET", "/events/consumergroups/%s/checkpoints/%s" % (group, target["partitionId"]))
    print(json.dumps({"read": numbers(events), "partition": target["partitionId"], "checkpoint": target["sequenceNumber"],
                      "putStatus": status, "stored": stored}))
elif mode == "resume":
    group, total = args[0], int(args[1])
    # Long-poll each partition from the group's checkpoint until the newest message is there.
    events = support.wait_until(lambda: (lambda found: found if total - 1 in numbers(found) else None)(
        support.read_all(shard, consumer_group=group, wait=1)), timeout=60) or []
    partition = [e["partitionId"] for e in events if "n" in e["body"]][0] if events else "0"
    _, stored = support.call(shard, "GET", "/events/consumergroups/%s/checkpoints/%s" % (group, partition))
    print(json.dumps({"read": numbers(events), "stored": stored}))
elif mode == "send-loop":
    acked_file, count = args[0], int(args[1])
    client = support.paho_device(conn, shard, DEVICE, key())
    acked = 0
    with open(acked_file, "a") as out:
        for n in range(count):
            info = client.publish(support.telemetry_topic(DEVICE), json.dumps({"n": n}), qos=1)
            try:
                info.wait_for_publish(timeout=10)
            except Exception:
                break
            if not info.is_published():
                break
            out.write("%d\n" % n)
            out.flush()
            os.fsync(out.fileno())
            acked += 1
    print(json.dumps({"acked": acked}))
elif mode == "read-all":
    total = int(args[0])
    events = support.wait_until(lambda: (lambda found: found if len(set(numbers(found))) >= total else None)(
        support.read_all(shard)), timeout=60) or support.read_all(shard)
    print(json.dumps({"read": numbers(events)}))
else:
    print(__doc__, file=sys.stderr)
    sys.exit(2)
