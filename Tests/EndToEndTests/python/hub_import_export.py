"""Import and export jobs between two shards through the IoT Hub service SDK, for the end-to-end tests.

Usage: hub_import_export.py CA_BUNDLE HUB1_CONNECTION_STRING HUB2_CONNECTION_STRING COUNT

  1. asks each shard for a container SAS URI on its own blob service (``POST /provisio/containers/{c}/sas``,
     signed with the SDK's own ``ConnectionStringAuthentication``);
  2. registers COUNT devices with known keys on hub 1 (``bulk_create_or_update_devices``, 100 at a time) and tags one;
  3. exports hub 1 with keys (``create_import_export_job``, ``excludeKeysInExport: false``) into hub 1's container and
     polls ``get_import_export_job`` until it ends, noting the progress values seen;
  4. reads that devices.txt and writes a blob with azure-storage-blob's ``ContainerClient`` (container SAS URI);
  5. imports that ``devices.txt`` into hub 2 (errors to a container of hub 2) and polls it likewise;
  6. on hub 2: the device count, the tagged twin, and a device connecting over MQTT with the key it had on hub 1;
  7. ``get_import_export_jobs``, ``cancel_import_export_job`` of an ended job, an import from a container URI with a
     forged signature (the job fails) and a job of an unknown type (400).
Prints one JSON object; a step the SDK rejects raises.
"""

import base64
import json
import os
import sys
import time

WAIT_SECONDS = 90


def status_of(call):
    """Runs ``call``; returns the HTTP status of the HttpOperationError it raises, or None when it succeeds."""
    from msrest.exceptions import HttpOperationError

    try:
        call()
    except HttpOperationError as error:
        return error.response.status_code
    return None


def container_uri(connection_string, ca_bundle, container):
    """A container SAS URI (read, write, list) on the shard's own blob service."""
    from azure.iot.hub.auth import ConnectionStringAuthentication

    auth = ConnectionStringAuthentication(connection_string)
    session = auth.signed_session()
    response = session.post("https://%s/provisio/containers/%s/sas?permissions=rwl" % (auth["HostName"], container),
                            verify=ca_bundle)
    response.raise_for_status()
    return response.json()["containerUri"]


def wait_for_job(manager, job_id):
    """Polls the job until it ends; returns it and the distinct progress values seen."""
    seen = []
    deadline = time.monotonic() + WAIT_SECONDS
    job = manager.get_import_export_job(job_id)
    while job.status not in ("completed", "failed", "cancelled") and time.monotonic() < deadline:
        if job.progress is not None and (not seen or seen[-1] != job.progress):
            seen.append(job.progress)
        time.sleep(0.05)
        job = manager.get_import_export_job(job_id)
    return job, seen


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    ca_bundle, hub1, hub2, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    os.environ["REQUESTS_CA_BUNDLE"] = ca_bundle
    os.environ["NO_PROXY"] = "*"
    for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        os.environ.pop(proxy, None)

    from azure.iot.device import IoTHubDeviceClient
    from azure.iot.hub import IoTHubJobManager, IoTHubRegistryManager
    from azure.iot.hub.models import (AuthenticationMechanism, ExportImportDevice, JobProperties, SymmetricKey, Twin)

    result = {}
    export_uri = container_uri(hub1, ca_bundle, "export")
    errors_uri = container_uri(hub2, ca_bundle, "import-log")
    result["containerUriHasSas"] = "sr=c" in export_uri and "sig=" in export_uri

    registry1 = IoTHubRegistryManager.from_connection_string(hub1)
    registry2 = IoTHubRegistryManager.from_connection_string(hub2)
    jobs1 = IoTHubJobManager.from_connection_string(hub1)
    jobs2 = IoTHubJobManager.from_connection_string(hub2)

    keys = {}
    for start in range(0, count, 100):
        batch = []
        for index in range(start, min(count, start + 100)):
            device_id = "moved-%05d" % index
            key = base64.b64encode(os.urandom(32)).decode()
            keys[device_id] = key
            batch.append(ExportImportDevice(id=device_id, import_mode="create", status="enabled", authentication=AuthenticationMechanism(
                type="sas", symmetric_key=SymmetricKey(primary_key=key, secondary_key=base64.b64encode(os.urandom(32)).decode()))))
        outcome = registry1.bulk_create_or_update_devices(batch)
        if not outcome.is_successful:
            raise RuntimeError("bulk registration failed: %s" % outcome.errors)
    registry1.update_twin("moved-00007", Twin(tags={"site": "north"}))

    export = jobs1.create_import_export_job(JobProperties(
        type="export", output_blob_container_uri=export_uri, exclude_keys_in_export=False))
    result["exportCreated"] = {"status": export.status, "redacted": "REDACTED" in (export.output_blob_container_uri or "")}
    export, export_progress = wait_for_job(jobs1, export.job_id)
    result["export"] = {"status": export.status, "progress": export.progress, "failureReason": export.failure_reason,
                        "progressSeen": export_progress}

    # The export container is an ordinary blob container to azure-storage-blob: read devices.txt, write a blob.
    from azure.storage.blob import ContainerClient

    blobs = ContainerClient.from_container_url(export_uri, connection_verify=ca_bundle)
    lines = blobs.download_blob("devices.txt").readall().decode().splitlines()
    result["downloadedLines"] = len(lines)
    result["downloadedHasKeys"] = all(json.loads(line)["authentication"]["symmetricKey"]["primaryKey"] for line in lines)
    blobs.upload_blob("note.txt", b"written with a container SAS", overwrite=True)
    result["roundTrip"] = blobs.download_blob("note.txt").readall().decode()

    imported = jobs2.create_import_export_job(JobProperties(
        type="import", input_blob_container_uri=export_uri, output_blob_container_uri=errors_uri))
    imported, import_progress = wait_for_job(jobs2, imported.job_id)
    result["import"] = {"status": imported.status, "progress": imported.progress, "failureReason": imported.failure_reason,
                        "progressSeen": import_progress}

    result["hub2DeviceCount"] = registry2.get_device_registry_statistics().total_device_count
    result["hub2Tags"] = registry2.get_twin("moved-00007").tags
    host2 = dict(part.split("=", 1) for part in hub2.split(";"))["HostName"].rsplit(":", 1)[0]
    with open(ca_bundle) as handle:
        trust = handle.read()
    device = IoTHubDeviceClient.create_from_symmetric_key(
        symmetric_key=keys["moved-01234" if count > 1234 else "moved-00001"], hostname=host2,
        device_id="moved-01234" if count > 1234 else "moved-00001", server_verification_cert=trust, connection_retry=False)
    device.connect()
    result["connectedOnHub2"] = device.connected
    device.shutdown()

    result["listedJobIds"] = [job.job_id for job in jobs1.get_import_export_jobs()]
    result["exportJobId"] = export.job_id
    # The SDK hands the cancel answer back as a plain dict (its operation declares the body as "object").
    cancelled = jobs1.cancel_import_export_job(export.job_id)
    result["cancelEndedStatus"] = cancelled.get("status") if isinstance(cancelled, dict) else cancelled.status
    forged = export_uri.replace("sig=", "sig=AAAA")
    failing = jobs2.create_import_export_job(JobProperties(
        type="import", input_blob_container_uri=forged, output_blob_container_uri=errors_uri))
    failing, _ = wait_for_job(jobs2, failing.job_id)
    result["forged"] = {"status": failing.status, "failureReason": failing.failure_reason}
    result["unknownTypeStatus"] = status_of(lambda: jobs1.create_import_export_job(JobProperties(type="backup")))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
