"""Import and export job throughput on a running Provisio (not a test): writes a devices.txt of COUNT devices with
keys into a shard's container through azure-storage-blob, imports it with azure-iot-hub 2.7.0, printing the job's
`progress` as it moves, then exports the shard again; prints devices per second of each job.

Usage: python scripts/import_export_bench.py CA_BUNDLE HUB_CONNECTION_STRING COUNT
"""

import base64
import json
import os
import sys
import time


def container_uri(connection_string, ca_bundle, container):
    from azure.iot.hub.auth import ConnectionStringAuthentication

    auth = ConnectionStringAuthentication(connection_string)
    response = auth.signed_session().post(
        "https://%s/provisio/containers/%s/sas?permissions=rwl" % (auth["HostName"], container), verify=ca_bundle)
    response.raise_for_status()
    return response.json()["containerUri"]


def run(manager, properties):
    job = manager.create_import_export_job(properties)
    started = time.monotonic()
    last = None
    while job.status not in ("completed", "failed", "cancelled"):
        if job.progress != last:
            last = job.progress
            print("  %6.1fs  %s  progress %s" % (time.monotonic() - started, job.status, job.progress), flush=True)
        time.sleep(0.5)
        job = manager.get_import_export_job(job.job_id)
    return job, time.monotonic() - started


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    ca_bundle, hub, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    os.environ["REQUESTS_CA_BUNDLE"] = ca_bundle
    from azure.iot.hub import IoTHubJobManager
    from azure.iot.hub.models import JobProperties
    from azure.storage.blob import ContainerClient

    source = container_uri(hub, ca_bundle, "bench-input")
    output = container_uri(hub, ca_bundle, "bench-output")
    lines = []
    for index in range(count):
        key = base64.b64encode(os.urandom(32)).decode()
        lines.append(json.dumps({"id": "bench-%07d" % index, "importMode": "create", "status": "enabled",
                                 "authentication": {"type": "sas", "symmetricKey": {"primaryKey": key, "secondaryKey": key}}}))
    ContainerClient.from_container_url(source, connection_verify=ca_bundle).upload_blob(
        "devices.txt", ("\n".join(lines) + "\n").encode(), overwrite=True)
    manager = IoTHubJobManager.from_connection_string(hub)
    print("import of %d devices" % count)
    job, seconds = run(manager, JobProperties(type="import", input_blob_container_uri=source, output_blob_container_uri=output))
    print("import %s in %.1fs: %.0f devices/s" % (job.status, seconds, count / seconds))
    print("export")
    job, seconds = run(manager, JobProperties(type="export", output_blob_container_uri=output, exclude_keys_in_export=False))
    print("export %s in %.1fs: %.0f devices/s" % (job.status, seconds, count / seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
