"""After a crash and restart: every acknowledged registration is still assigned, and every registration DPS
calls assigned has its device on that shard.

Usage: verify_registrations.py CONNECTION_JSON DATABASE ACKED_FILE
"""
import json
import os
import sqlite3
import sys

from provisioningserviceclient import ProvisioningServiceClient

conn = json.load(open(sys.argv[1]))
os.environ["REQUESTS_CA_BUNDLE"] = conn["trustBundle"]
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
shard_of_host = {hub["hostName"]: hub["name"] for hub in conn["hubs"]}
acked = [line.split() for line in open(sys.argv[3]) if line.strip()]
lost = []
for registration_id, hub in acked:
    state = service.get_registration_state(registration_id)
    if state.status != "assigned" or state.assigned_hub != hub:
        lost.append(registration_id)

database = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
devices = {(shard, key) for shard, key in database.execute("SELECT shard, device_key FROM hub_device")}
assigned = 0
orphans = []
for (text,) in database.execute("SELECT json FROM registration"):
    record = json.loads(text)
    state = record["state"]
    if state.get("status") != "assigned":
        continue
    assigned += 1
    if (record.get("hubName"), state["deviceId"].lower()) not in devices:
        orphans.append(state["registrationId"])
print(json.dumps({"acknowledged": len(acked), "lost": lost, "assignedInDPS": assigned, "missingOnShard": orphans}))
