"""File-upload notifications over AMQP: a device uploads a file as Azure's sample does (azure-iot-device
get_storage_info_for_blob, azure-storage-blob upload_blob, notify_blob_upload_status), then a uamqp ReceiveClient on
/messages/serviceBound/filenotifications reads the notification, releases it (it comes back), accepts it (it is gone).

Usage: amqp_file_notification_flow.py CONNECTION_JSON
Prints one JSON object: {"steps": {name: {"ok": bool, "error": str?, ...}}}.
"""
import base64
import hashlib
import hmac
import json
import os
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


StepFailure, check = csr_support.StepFailure, csr_support.check


def step(name, fn):
    csr_support.step(steps, name, fn)


def upload():
    from azure.iot.device import IoTHubDeviceClient
    from azure.storage.blob import BlobClient
    key = support.create_device(shard, "notify-dev")
    client = IoTHubDeviceClient.create_from_symmetric_key(symmetric_key=key, hostname=shard["hostName"], device_id="notify-dev",
                                                          server_verification_cert=open(conn["trustBundle"]).read())
    try:
        info = client.get_storage_info_for_blob("reports/day1.txt")
        url = "https://%s/%s/%s%s" % (info["hostName"], info["containerName"], info["blobName"], info["sasToken"])
        BlobClient.from_blob_url(url, connection_verify=conn["trustBundle"]).upload_blob(b"twelve bytes")
        client.notify_blob_upload_status(info["correlationId"], True, 201, "OK")
    finally:
        client.shutdown()
    return {"blobName": info["blobName"]}


def receiver():
    import uamqp
    from azure.core.credentials import AccessToken
    host, name, key = settings["HostName"], settings["SharedAccessKeyName"], settings["SharedAccessKey"]

    def get_token():
        expiry = int(time.time() + 3600)
        signature = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (host, expiry)).encode(), hashlib.sha256).digest())
        return AccessToken("SharedAccessSignature sr=%s&sig=%s&se=%d&skn=%s" % (
            host, urllib.parse.quote(signature), expiry, name), expiry)
    auth = uamqp.authentication.JWTTokenAuth(audience="https://" + host, uri="https://" + host, get_token=get_token,
                                             token_type=b"servicebus.windows.net:sastoken")
    auth.update_token()
    return uamqp.ReceiveClient("amqps://%s/messages/serviceBound/filenotifications" % host, auth=auth, auto_complete=False,
                               timeout=0, prefetch=10)


def receive(timeout=30):
    client = receiver()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch = client.receive_message_batch(max_batch_size=10, timeout=2000)
        if batch:
            return client, batch
    return client, []


def notifications():
    client, batch = receive()
    check(batch, "no file notification within 30 s")
    first = batch[0]
    body = json.loads(b"".join(first.get_data()))
    content_type = first.properties.content_type
    tag = getattr(first, "delivery_tag", None)
    for message in batch:
        message.release()
    client.close()
    client, again = receive()
    check(again, "the released notification did not come back")
    for message in again:
        message.accept()
    client.close()
    client, left = receive(timeout=4)
    client.close()
    check(not left, "an accepted notification came back")
    return {"notification": body, "contentType": content_type.decode() if isinstance(content_type, bytes) else content_type,
            "tagLength": len(tag) if tag is not None else None}


step("upload", upload)
if steps["upload"]["ok"]:
    step("notifications", notifications)
print(json.dumps({"steps": steps}))
sys.stdout.flush()
# uamqp's C objects can crash the interpreter at exit; the report is out, so leave without tearing them down.
os._exit(0)
