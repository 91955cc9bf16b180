"""Scheduled jobs (jobs v2) through the unmodified IoT Hub service SDK, for the end-to-end tests.

Usage: hub_jobs.py CA_BUNDLE CONNECTION_STRING

With ``IoTHubRegistryManager`` creates three devices tagged site=north that connect over MQTT with
azure-iot-device (answering methods, recording desired patches), two north devices that stay offline and one
south device; with ``bulk_create_or_update_devices`` forty offline devices tagged group=slow. Then with
``IoTHubJobManager``: a twin-update job over ``tags.site = 'north'`` (every north twin updated, the connected
devices notified, the south one untouched); a method job over the same condition (connected devices answer,
offline ones fail); a job starting in ten minutes (``scheduled``) that is cancelled; a method job over the slow
group with a connect timeout, cancelled while it runs (its calls under way end, no other starts); a bad query condition (expects 400) and a duplicate job id
(expects 409); ``query_scheduled_jobs`` by type and status. Prints one JSON object with what each step returned.
"""

import datetime
import json
import sys
import threading
import time

import service_environment

WAIT_SECONDS = 60


def status_of(call):
    """Runs ``call``; returns the HTTP status of the HttpOperationError it raises, or None when it succeeds."""
    from msrest.exceptions import HttpOperationError

    try:
        call()
    except HttpOperationError as error:
        return error.response.status_code
    return None


def statistics(job):
    s = job.device_job_statistics
    return {"deviceCount": s.device_count, "failedCount": s.failed_count, "succeededCount": s.succeeded_count,
            "runningCount": s.running_count, "pendingCount": s.pending_count}


def wait_for(jobs, job_id, statuses):
    """Polls the job until its status is one of ``statuses``; returns it (or the last one seen)."""
    deadline = time.monotonic() + WAIT_SECONDS
    job = jobs.get_scheduled_job(job_id)
    while job.status not in statuses and time.monotonic() < deadline:
        time.sleep(0.1)
        job = jobs.get_scheduled_job(job_id)
    return job


def summary(job):
    return {"status": job.status, "type": job.type, "statistics": statistics(job),
            "hasEndTime": job.end_time is not None, "queryCondition": job.query_condition}


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    ca_bundle, connection_string = sys.argv[1:]
    trust, host = service_environment.prepare(ca_bundle, connection_string)

    from azure.iot.device import IoTHubDeviceClient, MethodResponse
    from azure.iot.hub import IoTHubJobManager, IoTHubRegistryManager
    from azure.iot.hub.models import (AuthenticationMechanism, CloudToDeviceMethod, ExportImportDevice, JobRequest,
                                      SymmetricKey, Twin, TwinProperties)

    manager = IoTHubRegistryManager.from_connection_string(connection_string)
    jobs = IoTHubJobManager.from_connection_string(connection_string)
    result = {}

    connected_ids = ["job-live-%d" % n for n in range(3)]
    offline_ids = ["job-off-%d" % n for n in range(2)]
    for device_id in connected_ids + offline_ids + ["job-south"]:
        manager.create_device_with_sas(device_id, None, None, "enabled")
        site = "south" if device_id == "job-south" else "north"
        manager.update_twin(device_id, Twin(tags={"site": site}), "*")
    slow = [ExportImportDevice(id="job-slow-%02d" % n, import_mode="create",
                               authentication=AuthenticationMechanism(type="sas", symmetric_key=SymmetricKey()))
            for n in range(40)]
    result["slowCreated"] = manager.bulk_create_or_update_devices(slow).is_successful
    for n in range(40):
        manager.update_twin("job-slow-%02d" % n, Twin(tags={"group": "slow"}), "*")
    versions_before = {device_id: manager.get_twin(device_id).properties.desired["$version"]
                       for device_id in connected_ids + offline_ids + ["job-south"]}

    clients = []
    patches = {device_id: [] for device_id in connected_ids}
    all_patched = threading.Event()
    lock = threading.Lock()
    for device_id in connected_ids:
        key = manager.get_device(device_id).authentication.symmetric_key.primary_key
        client = IoTHubDeviceClient.create_from_symmetric_key(
            symmetric_key=key, hostname=host, device_id=device_id, server_verification_cert=trust, connection_retry=False)

        def on_method(request, client=client, device_id=device_id):
            client.send_method_response(MethodResponse.create_from_method_request(
                request, 200, {"device": device_id, "echo": request.payload}))

        def on_patch(patch, device_id=device_id):
            with lock:
                patches[device_id].append(patch)
                if all(any("fw" in p for p in received) for received in patches.values()):
                    all_patched.set()

        client.on_method_request_received = on_method
        client.on_twin_desired_properties_patch_received = on_patch
        client.connect()
        clients.append(client)
    # The device SDK subscribes to methods lazily: one call per device makes sure the subscription is in place.
    for device_id in connected_ids:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                manager.invoke_device_method(device_id, CloudToDeviceMethod(method_name="ping", response_timeout_in_seconds=5))
                break
            except Exception:
                time.sleep(0.2)
    # Desired patches need the twin subscription, which the first patch handler assignment starts.
    for client in clients:
        client.get_twin()

    now = datetime.datetime.now(datetime.timezone.utc)
    twin_request = JobRequest(
        job_id="twin-north", type="scheduleUpdateTwin", query_condition="tags.site = 'north'", start_time=now,
        max_execution_time_in_seconds=120,
        update_twin=Twin(etag="*", tags={"updated": True}, properties=TwinProperties(desired={"fw": "2.0"})))
    created = jobs.create_scheduled_job("twin-north", twin_request)
    result["twinCreated"] = {"jobId": created.job_id, "status": created.status, "type": created.type}
    result["twinJob"] = summary(wait_for(jobs, "twin-north", ("completed", "failed", "cancelled")))
    result["twins"] = {}
    for device_id in connected_ids + offline_ids + ["job-south"]:
        twin = manager.get_twin(device_id)
        result["twins"][device_id] = {"fw": twin.properties.desired.get("fw"), "updated": (twin.tags or {}).get("updated"),
                                      "versionDelta": twin.properties.desired["$version"] - versions_before[device_id]}
    result["devicesNotified"] = all_patched.wait(20)
    result["duplicateStatus"] = status_of(lambda: jobs.create_scheduled_job("twin-north", twin_request))

    method_request = JobRequest(
        job_id="method-north", type="scheduleDeviceMethod", query_condition="tags.site = 'north'", start_time=now,
        max_execution_time_in_seconds=120,
        cloud_to_device_method=CloudToDeviceMethod(method_name="reboot", payload={"delay": 1},
                                                   response_timeout_in_seconds=10, connect_timeout_in_seconds=0))
    jobs.create_scheduled_job("method-north", method_request)
    result["methodJob"] = summary(wait_for(jobs, "method-north", ("completed", "failed", "cancelled")))

    later = JobRequest(job_id="later", type="scheduleUpdateTwin", query_condition="tags.site = 'north'",
                       start_time=now + datetime.timedelta(minutes=10), max_execution_time_in_seconds=60,
                       update_twin=Twin(etag="*", properties=TwinProperties(desired={"fw": "3.0"})))
    jobs.create_scheduled_job("later", later)
    result["laterBeforeCancel"] = wait_for(jobs, "later", ("scheduled",)).status
    result["laterCancelled"] = summary(jobs.cancel_scheduled_job("later"))

    slow_request = JobRequest(
        job_id="method-slow", type="scheduleDeviceMethod", query_condition="tags.group = 'slow'", start_time=now,
        max_execution_time_in_seconds=120,
        cloud_to_device_method=CloudToDeviceMethod(method_name="reboot", response_timeout_in_seconds=5,
                                                   connect_timeout_in_seconds=3))
    jobs.create_scheduled_job("method-slow", slow_request)
    result["slowRunning"] = wait_for(jobs, "method-slow", ("running", "completed", "failed", "cancelled")).status
    result["slowJob"] = summary(jobs.cancel_scheduled_job("method-slow"))

    bad = JobRequest(job_id="bad", type="scheduleUpdateTwin", query_condition="tags.site = = 'x'", start_time=now,
                     max_execution_time_in_seconds=60, update_twin=Twin(etag="*", properties=TwinProperties(desired={"a": 1})))
    result["badConditionStatus"] = status_of(lambda: jobs.create_scheduled_job("bad", bad))
    result["missingStatus"] = status_of(lambda: jobs.get_scheduled_job("no-such-job"))

    queried = jobs.query_scheduled_jobs("scheduleDeviceMethod", None)
    result["methodJobIds"] = sorted(item["jobId"] for item in queried.items)
    queried = jobs.query_scheduled_jobs(None, "cancelled")
    result["cancelledJobIds"] = sorted(item["jobId"] for item in queried.items)

    # The calls under way at the cancel end (each waits at most its connect timeout); nothing else starts.
    deadline = time.monotonic() + WAIT_SECONDS
    later_slow = jobs.get_scheduled_job("method-slow")
    while later_slow.device_job_statistics.running_count and time.monotonic() < deadline:
        time.sleep(0.1)
        later_slow = jobs.get_scheduled_job("method-slow")
    result["slowJobLater"] = summary(later_slow)
    for client in clients:
        try:
            client.shutdown()
        except Exception:
            pass
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
