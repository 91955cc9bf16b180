"""Telemetry → built-in endpoint throughput and latency: DEVICES paho devices publish MESSAGES QoS 1 messages each
(pipelined), while a reader long-polls every partition of the built-in endpoint until all have arrived.

Usage: routing_bench.py CONNECTION_JSON DEVICES MESSAGES
Prints one JSON object with counts, rates (messages/s) and latency percentiles (ms):
  routing: enqueuedTimeUtc − iothub-enqueuedtime (hub accepted → appended to the built-in endpoint, server clock)
  endToEnd: publish by the device → returned by a long-polling reader (client clock)
then 200 messages paced 20 ms apart from one device, each PUBACKed before the next (latency without client queueing).
"""
import json
import sys
import threading
import time
from datetime import datetime, timezone

import routing_support as support

conn = support.setup(sys.argv[1])
devices, per_device = int(sys.argv[2]), int(sys.argv[3])
shard = support.hub(conn, "hub-1")
total = devices * per_device


def timestamp(text):
    # 2026-01-01T00:00:00.1234567Z → seconds since the epoch
    whole, _, fraction = text.rstrip("Z").partition(".")
    base = datetime.strptime(whole, "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
    return base + (float("0." + fraction) if fraction else 0.0)


def percentile(values, p):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(p / 100.0 * len(ordered)))] * 1000, 2)


def summary(values):
    return {"p50": percentile(values, 50), "p95": percentile(values, 95), "p99": percentile(values, 99), "max": percentile(values, 100)}


_, partitions = support.call(shard, "GET", "/events/partitions")
start = {p["partitionId"]: p["lastSequenceNumber"] + 1 for p in partitions}
keys = [support.create_device(shard, "bench-%d" % d) for d in range(devices)]
clients = [support.paho_device(conn, shard, "bench-%d" % d, keys[d]) for d in range(devices)]

seen = {}
routing_latency = []
end_to_end = []
done = threading.Event()
# Readers run until the end, not until `done`: the bulk phase sets `done` and the paced phase clears it again, and a
# reader that saw it set in between would have stopped reading before the paced messages.
stop = threading.Event()
lock = threading.Lock()


def reader(partition):
    position = start[partition]
    while not stop.is_set():
        status, events = support.call(shard, "GET", "/events/partitions/%s" % partition,
                                      params={"fromSequenceNumber": position, "maxCount": 1000, "waitSeconds": 5})
        now = time.time()
        if status != 200:
            continue
        with lock:
            for event in events:
                position = event["sequenceNumber"] + 1
                body = event["body"] if event["bodyEncoding"] == "json" else {}
                if "bench" not in body:
                    continue
                seen[body["bench"]] = True
                routing_latency.append(timestamp(event["enqueuedTimeUtc"]) - timestamp(event["systemProperties"]["iothub-enqueuedtime"]))
                end_to_end.append(now - body["sent"])
            if len(seen) >= total:
                done.set()


readers = [threading.Thread(target=reader, args=(p,), daemon=True) for p in start]
for thread in readers:
    thread.start()

began = time.time()
acked = [0]


def publish(index):
    client = clients[index]
    infos = []
    for n in range(per_device):
        payload = json.dumps({"bench": "%d-%d" % (index, n), "sent": time.time(), "temperature": 20 + n % 15})
        infos.append(client.publish(support.telemetry_topic("bench-%d" % index), payload, qos=1))
    for info in infos:
        info.wait_for_publish(timeout=120)
    with lock:
        acked[0] += sum(1 for info in infos if info.is_published())


publishers = [threading.Thread(target=publish, args=(d,)) for d in range(devices)]
for thread in publishers:
    thread.start()
for thread in publishers:
    thread.join()
intake_seconds = time.time() - began
done.wait(timeout=300)
visible_seconds = time.time() - began
bulk_end_to_end = list(end_to_end)
bulk_routing = list(routing_latency)

# Paced: one message every 20 ms, each PUBACKed before the next — latency without queueing in the client.
paced = 200
with lock:
    del end_to_end[:]
    del routing_latency[:]
    done.clear()
    total += paced
for n in range(paced):
    payload = json.dumps({"bench": "paced-%d" % n, "sent": time.time(), "temperature": 20})
    clients[0].publish(support.telemetry_topic("bench-0"), payload, qos=1).wait_for_publish(timeout=30)
    time.sleep(0.02)
done.wait(timeout=120)
stop.set()
for client in clients:
    client.loop_stop()
    client.disconnect()

print(json.dumps({
    "devices": devices, "messages": devices * per_device, "acked": acked[0], "visible": len([k for k in seen if not k.startswith("paced-")]),
    "intakePerSecond": round(acked[0] / intake_seconds, 1),
    "endToEndPerSecond": round(len(seen) / visible_seconds, 1),
    "routingLatencyMs": summary(bulk_routing),
    "endToEndLatencyMs": summary(bulk_end_to_end),
    "pacedMessages": len(end_to_end),
    "pacedRoutingLatencyMs": summary(routing_latency),
    "pacedEndToEndLatencyMs": summary(end_to_end),
}))
