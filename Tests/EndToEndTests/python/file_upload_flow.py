"""Device file upload exactly as Azure's sample does it — IoTHubDeviceClient.get_storage_info_for_blob, then
azure-storage-blob's BlobClient.from_blob_url(...).upload_blob(...), then notify_blob_upload_status — against the
shard's own Blob endpoint, plus the refusals: a SAS for another blob, an expired SAS, an eleventh concurrent upload.

Usage: file_upload_flow.py CONNECTION_JSON DATA_DIR
Prints one JSON object: {"steps": {name: {"ok": bool, ...}}}.
"""
import base64
import hashlib
import json
import os
import sqlite3
import sys
import time

import requests
from azure.core.exceptions import HttpResponseError
from azure.iot.device import IoTHubDeviceClient
from azure.storage.blob import BlobClient

import routing_support
import csr_support

conn = routing_support.setup(sys.argv[1])
data_dir = sys.argv[2]
trust_path = conn["trustBundle"]
trust = open(trust_path).read()
shard = routing_support.hub(conn, "hub-1")
short_lived = routing_support.hub(conn, "hub-2")
quiet = routing_support.hub(conn, "hub-3")
steps = {}


def step(name, fn):
    csr_support.step(steps, name, fn)


def device(hub, device_id):
    key = routing_support.create_device(hub, device_id)
    client = IoTHubDeviceClient.create_from_symmetric_key(symmetric_key=key, hostname=hub["hostName"], device_id=device_id,
                                                          server_verification_cert=trust)
    return client, key


def blob_url(info):
    return "https://%s/%s/%s%s" % (info["hostName"], info["containerName"], info["blobName"], info["sasToken"])


def on_disk(hub, info):
    path = os.path.join(data_dir, "files", hub["name"], info["containerName"], *info["blobName"].split("/"))
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def notifications(hub="hub-1"):
    rows = sqlite3.connect("file:%s?mode=ro" % os.path.join(data_dir, "provisio.sqlite"), uri=True).execute(
        "SELECT json FROM file_notification WHERE shard = ? ORDER BY id", (hub,)).fetchall()
    return [json.loads(row[0]) for row in rows]


client, key = device(shard, "file-dev-1")
state = {}


def small_file():
    info = client.get_storage_info_for_blob("logs/small.txt")
    data = b"hello from a device file upload\n" * 32
    result = BlobClient.from_blob_url(blob_url(info), connection_verify=trust_path).upload_blob(data)
    client.notify_blob_upload_status(info["correlationId"], True, 201, "OK")
    state["small"] = info
    return {"blobName": info["blobName"], "hostName": info["hostName"], "sasHasSig": "sig=" in info["sasToken"],
            "etag": result.get("etag") is not None, "matches": on_disk(shard, info) == hashlib.sha256(data).hexdigest(),
            "size": len(data)}


def block_file():
    info = client.get_storage_info_for_blob("images/big.bin")
    data = os.urandom(300 * 1024 + 17)
    blob = BlobClient.from_blob_url(blob_url(info), connection_verify=trust_path, max_single_put_size=64 * 1024,
                                    max_block_size=100 * 1024)
    blob.upload_blob(data)
    client.notify_blob_upload_status(info["correlationId"], True, 201, "OK")
    properties = blob.get_blob_properties()
    downloaded = blob.download_blob().readall()
    return {"matches": on_disk(shard, info) == hashlib.sha256(data).hexdigest(), "propertiesSize": properties.size,
            "blobType": getattr(properties.blob_type, "value", str(properties.blob_type)), "size": len(data), "downloadMatches": downloaded == data}


def notified():
    records = routing_support.wait_until(lambda: [n for n in notifications() if n["deviceId"] == "file-dev-1"] if len(notifications()) >= 2 else None, 10)
    assert records, "no file notifications were queued"
    return {"notifications": [{"blobName": n["blobName"], "blobSizeInBytes": n["blobSizeInBytes"],
                               "blobUriEnds": n["blobUri"].endswith("/" + n["blobName"])} for n in records]}


def error_code(call):
    try:
        call()
    except HttpResponseError as error:
        return {"status": error.status_code, "code": error.error_code}
    return {"status": None, "code": None}


def other_blob():
    info = client.get_storage_info_for_blob("mine.txt")
    stolen = "https://%s/%s/%s%s" % (info["hostName"], info["containerName"], "file-dev-2/theirs.txt", info["sasToken"])
    refused = error_code(lambda: BlobClient.from_blob_url(stolen, connection_verify=trust_path).upload_blob(b"x"))
    read_other = error_code(lambda: BlobClient.from_blob_url(
        "https://%s/%s/%s%s" % (info["hostName"], info["containerName"], state["small"]["blobName"], info["sasToken"]),
        connection_verify=trust_path).download_blob().readall())
    client.notify_blob_upload_status(info["correlationId"], False, 403, "refused")
    return {"upload": refused, "read": read_other}


def expired_sas():
    # hub-2 issues SAS tokens that live 2 seconds: poll Get Blob Properties (404 while valid) until it is refused.
    short_client, _ = device(short_lived, "file-dev-3")
    info = short_client.get_storage_info_for_blob("late.txt")
    blob = BlobClient.from_blob_url(blob_url(info), connection_verify=trust_path)
    first = error_code(blob.get_blob_properties)
    refused = routing_support.wait_until(lambda: (lambda r: r if r["status"] == 403 else None)(error_code(blob.get_blob_properties)), 20, 0.25)
    upload = error_code(lambda: blob.upload_blob(b"too late"))
    return {"whileValid": first, "afterExpiry": refused, "uploadAfterExpiry": upload}


def concurrent_limit():
    busy, busy_key = device(shard, "file-dev-2")
    infos = [busy.get_storage_info_for_blob("part-%d.bin" % n) for n in range(10)]
    token = routing_support.device_token(shard["hostName"], "file-dev-2", busy_key)
    eleventh = requests.post("https://%s/devices/file-dev-2/files" % shard["hostName"], params={"api-version": "2019-10-01"},
                             headers={"Authorization": token, "Content-Type": "application/json"}, json={"blobName": "part-10.bin"})
    sdk_refused = False
    try:
        busy.get_storage_info_for_blob("part-10.bin")
    except Exception:
        sdk_refused = True
    busy.notify_blob_upload_status(infos[0]["correlationId"], False, 500, "gave up")
    after_release = busy.get_storage_info_for_blob("part-11.bin")
    return {"eleventhStatus": eleventh.status_code, "eleventhError": eleventh.json().get("Message", "").split(";")[0],
            "sdkRefused": sdk_refused, "afterRelease": bool(after_release.get("sasToken"))}


def foreign_notification():
    # file-dev-2 cannot report on file-dev-1's upload, and file-dev-1 cannot ask for a SAS as file-dev-2.
    other = requests.post("https://%s/devices/file-dev-2/files" % shard["hostName"],
                          headers={"Authorization": routing_support.device_token(shard["hostName"], "file-dev-1", key)},
                          json={"blobName": "x"})
    return {"status": other.status_code}


def size_limit_and_quiet_hub():
    # hub-3 takes files of at most 1024 bytes and sends no file notifications.
    small_client, _ = device(quiet, "file-dev-4")
    too_big = small_client.get_storage_info_for_blob("big.bin")
    single = error_code(lambda: BlobClient.from_blob_url(blob_url(too_big), connection_verify=trust_path).upload_blob(b"x" * 2000))
    blocks = error_code(lambda: BlobClient.from_blob_url(blob_url(too_big), connection_verify=trust_path, max_single_put_size=512,
                                                         max_block_size=512).upload_blob(b"y" * 2000))
    fits = small_client.get_storage_info_for_blob("fits.bin")
    BlobClient.from_blob_url(blob_url(fits), connection_verify=trust_path).upload_blob(b"z" * 1024)
    small_client.notify_blob_upload_status(fits["correlationId"], True, 201, "OK")
    return {"single": single, "blocks": blocks, "fitsMatches": on_disk(quiet, fits) == hashlib.sha256(b"z" * 1024).hexdigest(),
            "quietNotifications": len(notifications("hub-3"))}


def c_sdk_shape():
    # The Azure IoT C SDK's requests (reference §12.2, §13.2): trailing slashes, the blob path with %2f, the SAS
    # before comp/blockid, space-padded block ids, no x-ms-version, and statusCode 400 even on success.
    token = routing_support.device_token(shard["hostName"], "file-dev-1", key) + "&skn="
    headers = {"Authorization": token, "User-Agent": "iothubclient/1.15.0 (native; Linux; x86_64)"}
    grant = requests.post("https://%s/devices/file-dev-1/files/?api-version=2016-11-14" % shard["hostName"], headers=headers,
                          data='{ "blobName": "c-sdk.txt" }')
    info = grant.json()
    device_part, name = info["blobName"].split("/", 1)
    base = "https://%s/%s/%s%%2f%s%s" % (info["hostName"], info["containerName"], device_part, name, info["sasToken"])
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "*/*"}
    chunks = [b"first part of the c sdk file|", b"second part"]
    ids = [base64.b64encode(("%6d" % n).encode()).decode() for n in range(len(chunks))]
    block_statuses = [requests.put(base + "&comp=block&blockid=" + block_id, data=chunk, headers=form).status_code
                      for block_id, chunk in zip(ids, chunks)]
    block_list = '<?xml version="1.0" encoding="utf-8"?><BlockList>%s</BlockList>' % "".join("<Latest>%s</Latest>" % i for i in ids)
    committed = requests.put(base + "&comp=blocklist", data=block_list, headers=form)
    notified = requests.post("https://%s/devices/file-dev-1/files/notifications/?api-version=2016-11-14" % shard["hostName"],
                             headers=dict(headers, **{"Content-Type": "application/json"}),
                             data=json.dumps({"correlationId": info["correlationId"], "isSuccess": True, "statusCode": 400,
                                              "statusDescription": ""}))
    queued = routing_support.wait_until(lambda: [n for n in notifications() if n["blobName"] == "file-dev-1/c-sdk.txt"], 10)
    return {"grantStatus": grant.status_code, "blockStatuses": block_statuses, "commitStatus": committed.status_code,
            "notifyStatus": notified.status_code, "matches": on_disk(shard, info) == hashlib.sha256(b"".join(chunks)).hexdigest(),
            "queued": len(queued or [])}


def hostile_blob_requests():
    # Malformed Blob API requests get Azure's XML errors; the endpoint keeps serving.
    info = client.get_storage_info_for_blob("hostile.txt")
    base = "https://%s/%s/" % (info["hostName"], info["containerName"])
    sas = info["sasToken"]

    def code(reply):
        return [reply.status_code, reply.headers.get("x-ms-error-code"), "<Code>" in reply.text]

    results = {
        "noSAS": code(requests.put(base + info["blobName"], data=b"x", headers={"x-ms-blob-type": "BlockBlob"})),
        "traversal": code(requests.put(base + "file-dev-1/..%2f..%2fescape.txt" + sas, data=b"x", headers={"x-ms-blob-type": "BlockBlob"})),
        "noBlobType": code(requests.put(base + info["blobName"] + sas, data=b"x")),
        "badBlockId": code(requests.put(base + info["blobName"] + sas + "&comp=block&blockid=%21%21", data=b"x")),
        "badBlockList": code(requests.put(base + info["blobName"] + sas + "&comp=blocklist", data=b"<BlockList><Latest>")),
        "unknownBlock": code(requests.put(base + info["blobName"] + sas + "&comp=blocklist",
                                          data=b"<BlockList><Latest>QUFBQQ==</Latest></BlockList>")),
        "badComp": code(requests.put(base + info["blobName"] + sas + "&comp=appendblock", data=b"x")),
        "badRange": code(requests.get(base + state["small"]["blobName"] + state["small"]["sasToken"], headers={"x-ms-range": "bytes=999999-"})),
    }
    still = requests.get(base + state["small"]["blobName"] + state["small"]["sasToken"], headers={"x-ms-range": "bytes=0-4"})
    results["stillServing"] = [still.status_code, still.text, still.headers.get("Content-Range")]
    client.notify_blob_upload_status(info["correlationId"], False, 400, "hostile")
    return {"hostile": results}


step("smallFile", small_file)
step("blockFile", block_file)
step("notified", notified)
step("cSDKShape", c_sdk_shape)
step("otherBlob", other_blob)
step("expiredSAS", expired_sas)
step("concurrentLimit", concurrent_limit)
step("foreignDevice", foreign_notification)
step("sizeLimit", size_limit_and_quiet_hub)
step("hostile", hostile_blob_requests)
print(json.dumps({"steps": steps}))
