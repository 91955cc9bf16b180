"""Kill -9 in the middle of a twin-update job, for the crash-durability test (azure-iot-hub 2.7.0, unmodified).

Usage: job_crash.py CA_BUNDLE CONNECTION_STRING setup COUNT
       job_crash.py CA_BUNDLE CONNECTION_STRING start
       job_crash.py CA_BUNDLE CONNECTION_STRING verify

``setup`` registers COUNT devices (``crash-00000`` …) with ``bulk_create_or_update_devices``, 100 per call.
``start`` creates the twin-update job ``crash-job`` (desired ``wave: 1`` on every enabled device) and returns as
soon as the job reports a first succeeded device, printing the statistics it saw (the test then kills the server).
``verify`` waits for the job to end after the restart and reads every twin with ``query_iot_hub``: each device's
desired ``$version`` must have moved by exactly one (a new twin starts at 1). Each mode prints one JSON object.
"""

import datetime
import json
import os
import sys
import time

WAIT_SECONDS = 240


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    ca_bundle, connection_string, mode = sys.argv[1:4]
    os.environ["REQUESTS_CA_BUNDLE"] = ca_bundle
    os.environ["NO_PROXY"] = "*"
    for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        os.environ.pop(proxy, None)

    from azure.iot.hub import IoTHubJobManager, IoTHubRegistryManager
    from azure.iot.hub.models import (AuthenticationMechanism, ExportImportDevice, JobRequest, QuerySpecification,
                                      SymmetricKey, Twin, TwinProperties)

    manager = IoTHubRegistryManager.from_connection_string(connection_string)
    jobs = IoTHubJobManager.from_connection_string(connection_string)

    def statistics(job):
        s = job.device_job_statistics
        return {"status": job.status, "deviceCount": s.device_count, "succeededCount": s.succeeded_count,
                "failedCount": s.failed_count, "pendingCount": s.pending_count}

    if mode == "setup":
        count = int(sys.argv[4])
        ids = ["crash-%05d" % n for n in range(count)]
        failed = 0
        for start in range(0, count, 100):
            batch = [ExportImportDevice(id=device_id, import_mode="create",
                                        authentication=AuthenticationMechanism(type="sas", symmetric_key=SymmetricKey()))
                     for device_id in ids[start:start + 100]]
            outcome = manager.bulk_create_or_update_devices(batch)
            failed += len(outcome.errors or [])
        print(json.dumps({"created": count - failed}))
        return 0

    if mode == "start":
        request = JobRequest(job_id="crash-job", type="scheduleUpdateTwin", query_condition="status = 'enabled'",
                             start_time=datetime.datetime.now(datetime.timezone.utc), max_execution_time_in_seconds=3600,
                             update_twin=Twin(etag="*", properties=TwinProperties(desired={"wave": 1})))
        jobs.create_scheduled_job("crash-job", request)
        deadline = time.monotonic() + WAIT_SECONDS
        job = jobs.get_scheduled_job("crash-job")
        while (job.device_job_statistics.succeeded_count or 0) == 0 and job.status not in ("completed", "failed") \
                and time.monotonic() < deadline:
            time.sleep(0.005)
            job = jobs.get_scheduled_job("crash-job")
        print(json.dumps(statistics(job)))
        return 0

    deadline = time.monotonic() + WAIT_SECONDS
    job = jobs.get_scheduled_job("crash-job")
    while job.status not in ("completed", "failed", "cancelled") and time.monotonic() < deadline:
        time.sleep(0.1)
        job = jobs.get_scheduled_job("crash-job")
    versions = {}
    token = None
    while True:
        page = manager.query_iot_hub(QuerySpecification(query="SELECT * FROM devices"), token, 1000)
        for twin in page.items:
            if twin.device_id.startswith("crash-"):
                desired = twin.properties.desired
                versions[twin.device_id] = (desired.get("$version"), desired.get("wave"))
        token = page.continuation_token
        if not token:
            break
    report = {
        "job": statistics(job),
        "devices": len(versions),
        "updatedOnce": sum(1 for version, wave in versions.values() if version == 2 and wave == 1),
        "notUpdated": sorted(d for d, (version, wave) in versions.items() if version == 1)[:20],
        "updatedMoreThanOnce": sorted(d for d, (version, wave) in versions.items() if version > 2)[:20],
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
