"""The IoT Hub → Event Hubs redirect as the azure-eventhub sample `iot_hub_connection_string_receive_async.py` does
it: a uamqp ReceiveClient with SASL PLAIN (`{policy}@sas.root.{hub}` and a hub-scoped token) on
`amqps://{hub}/messages/events/ConsumerGroups/$Default/Partitions/0` gets `amqp:link:redirect`; the sample builds an
Event Hubs connection string from the redirect's hostname and address and reads the event hub with it.

Usage: eventhub_redirect.py CONNECTION_JSON
Prints one JSON object: {"steps": {name: {"ok": bool, "error": str?, ...}}}.
"""
import base64
import hashlib
import hmac
import json
import os
import re
import sys
import time
import urllib.parse

import routing_support as support
import csr_support

conn = support.setup(sys.argv[1])
os.environ["SSL_CERT_FILE"] = conn["trustBundle"]
shard = support.hub(conn, "hub-1")
settings = dict(p.split("=", 1) for p in shard["serviceConnectionString"].split(";"))
steps = {}


def step(name, fn):
    csr_support.step(steps, name, fn)


def sas(host, policy, key, ttl=3600):
    expiry = int(time.time() + ttl)
    signed = (urllib.parse.quote_plus(host) + "\n" + str(expiry)).encode()
    signature = base64.b64encode(hmac.new(base64.b64decode(key), signed, hashlib.sha256).digest())
    return "SharedAccessSignature " + urllib.parse.urlencode({"sr": host, "sig": signature, "se": str(expiry), "skn": policy})


def redirect():
    import uamqp
    from uamqp import errors
    host, policy, key = settings["HostName"], settings["SharedAccessKeyName"], settings["SharedAccessKey"]
    user = "%s@sas.root.%s" % (policy, host.split(".")[0])
    uri = "amqps://%s:%s@%s/messages/events/ConsumerGroups/$Default/Partitions/0" % (
        urllib.parse.quote_plus(user), urllib.parse.quote_plus(sas(host, policy, key)), host)
    client = uamqp.ReceiveClient(uri, timeout=5000)
    try:
        client.receive_message_batch(max_batch_size=1)
        raise RuntimeError("the hub did not redirect")
    except errors.LinkRedirect as redirect:
        hostname = redirect.hostname.decode() if isinstance(redirect.hostname, bytes) else redirect.hostname
        address = redirect.address.decode() if isinstance(redirect.address, bytes) else redirect.address
    finally:
        client.close()
    entity = re.findall(r":\d+\/.*/ConsumerGroups", address)[0][1:-len("/ConsumerGroups")].split("/", 1)[1]
    connection = "Endpoint=sb://%s/;SharedAccessKeyName=%s;SharedAccessKey=%s;EntityPath=%s" % (hostname, policy, key, entity)
    from azure.eventhub import EventHubConsumerClient
    consumer = EventHubConsumerClient.from_connection_string(connection, consumer_group="$Default",
                                                             connection_verify=conn["trustBundle"])
    try:
        properties = consumer.get_eventhub_properties()
    finally:
        consumer.close()
    return {"hostname": hostname, "address": address, "entity": entity, "name": properties["eventhub_name"],
            "partitionIds": list(properties["partition_ids"])}


step("redirect", redirect)
print(json.dumps({"steps": steps}))
sys.stdout.flush()
os._exit(0)
