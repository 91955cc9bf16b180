"""Automatic device configurations through the IoT Hub service SDK, for the end-to-end tests.

Usage: hub_configurations.py CA_BUNDLE CONNECTION_STRING

With ``IoTHubConfigurationManager`` and ``IoTHubRegistryManager`` (azure-iot-hub 2.7.0, unmodified) and a device
connected over MQTT (azure-iot-device 2.14.0, unmodified):
  1. ``test_configuration_queries``: a good target condition and metric query, then a malformed condition;
  2. an existing device tagged ``site: north`` and one untagged; configuration ``fw-base`` (priority 10, fw 1.0 and
     mode eco) converges the tagged twin only;
  3. a newly created device connects, is tagged north and receives fw 1.0 as a desired patch;
  4. ``fw-urgent`` (priority 20, fw 2.0) wins fw on both tagged devices; the connected device receives it and
     reports fw 2.0;
  5. both configurations' targeted and applied counts and ``fw-base``'s custom metric (devices reporting fw 2.0);
  6. list, update with the etag (priority), a stale etag (412), a create over an existing id (409);
  7. ``apply_configuration_on_edge_device`` writes content to the untagged device alone;
  8. delete both; a get after that is a 404.
Prints one JSON object with what each step returned; a step the SDK rejects raises.
"""

import json
import sys
import threading
import time

import service_environment

WAIT_SECONDS = 20


def status_of(call):
    """Runs ``call``; returns the HTTP status of the HttpOperationError it raises, or None when it succeeds."""
    from msrest.exceptions import HttpOperationError

    try:
        call()
    except HttpOperationError as error:
        return error.response.status_code
    return None


def poll(read, done):
    """Reads until ``done(value)`` holds or WAIT_SECONDS pass; returns the last value read."""
    deadline = time.monotonic() + WAIT_SECONDS
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    ca_bundle, connection_string = sys.argv[1:]
    trust, host = service_environment.prepare(ca_bundle, connection_string)

    from azure.iot.device import IoTHubDeviceClient
    from azure.iot.hub import IoTHubConfigurationManager, IoTHubRegistryManager
    from azure.iot.hub.models import (Configuration, ConfigurationContent, ConfigurationMetrics,
                                      ConfigurationQueriesTestInput, Twin, TwinProperties)

    registry = IoTHubRegistryManager.from_connection_string(connection_string)
    configurations = IoTHubConfigurationManager.from_connection_string(connection_string)
    result = {}
    north = Twin(tags={"site": "north"})

    good = configurations.test_configuration_queries(ConfigurationQueriesTestInput(
        target_condition="tags.site = 'north'",
        custom_metric_queries={"reportedTwo": "SELECT deviceId FROM devices WHERE properties.reported.fw = '2.0'"}))
    bad = configurations.test_configuration_queries(ConfigurationQueriesTestInput(target_condition="tags.site = = 'north'"))
    result["testQueries"] = {"good": [good.target_condition_error, good.custom_metric_query_errors],
                             "bad": bad.target_condition_error}

    registry.create_device_with_sas("cfg-existing", None, None, "enabled")
    registry.update_twin("cfg-existing", north)
    registry.create_device_with_sas("cfg-other", None, None, "enabled")

    base = configurations.create_configuration(Configuration(
        id="fw-base", schema_version="1.0", labels={"team": "ops"}, target_condition="tags.site = 'north'", priority=10,
        content=ConfigurationContent(device_content={"properties.desired.fw": "1.0", "properties.desired.mode": "eco"}),
        metrics=ConfigurationMetrics(queries={
            "reportedTwo": "SELECT deviceId FROM devices WHERE properties.reported.fw = '2.0'"})))
    result["created"] = {"id": base.id, "priority": base.priority, "etag": bool(base.etag),
                         "deviceContent": base.content.device_content, "labels": base.labels}
    existing = poll(lambda: registry.get_twin("cfg-existing").properties.desired, lambda d: d.get("fw") == "1.0")
    result["existingDesired"] = {k: v for k, v in existing.items() if not k.startswith("$")}
    result["otherDesired"] = {k: v for k, v in registry.get_twin("cfg-other").properties.desired.items() if not k.startswith("$")}

    created = registry.create_device_with_sas("cfg-live", None, None, "enabled")
    device = IoTHubDeviceClient.create_from_symmetric_key(
        symmetric_key=created.authentication.symmetric_key.primary_key, hostname=host, device_id="cfg-live",
        server_verification_cert=trust, connection_retry=False)
    patches = []
    changed = threading.Condition()

    def on_patch(patch):
        with changed:
            patches.append(patch)
            changed.notify_all()

    def wait_for_patch(key, value):
        with changed:
            changed.wait_for(lambda: any(p.get(key) == value for p in patches), WAIT_SECONDS)
            return next((p for p in patches if p.get(key) == value), None)

    device.on_twin_desired_properties_patch_received = on_patch
    device.connect()
    # The SDK subscribes to desired-property patches lazily: wait until the subscription is in place.
    device.get_twin()
    registry.update_twin("cfg-live", north)
    first = wait_for_patch("fw", "1.0")
    result["livePatch"] = None if first is None else {k: v for k, v in first.items() if not k.startswith("$")}

    configurations.create_configuration(Configuration(
        id="fw-urgent", schema_version="1.0", target_condition="tags.site = 'north'", priority=20,
        content=ConfigurationContent(device_content={"properties.desired.fw": "2.0"})))
    second = wait_for_patch("fw", "2.0")
    result["liveUrgentPatch"] = None if second is None else {k: v for k, v in second.items() if not k.startswith("$")}
    device.patch_twin_reported_properties({"fw": "2.0"})
    existing = poll(lambda: registry.get_twin("cfg-existing").properties.desired, lambda d: d.get("fw") == "2.0")
    result["existingAfterUrgent"] = existing.get("fw")

    base = poll(lambda: configurations.get_configuration("fw-base"),
                lambda c: (c.metrics.results or {}).get("reportedTwo") == 1)
    urgent = configurations.get_configuration("fw-urgent")
    result["baseMetrics"] = {"system": base.system_metrics.results, "custom": base.metrics.results}
    result["urgentMetrics"] = {"system": urgent.system_metrics.results}

    result["listed"] = sorted(c.id for c in configurations.get_configurations())
    result["listedTop1"] = len(configurations.get_configurations(max_count=1))
    base.priority = 5
    updated = configurations.update_configuration(base, base.etag)
    result["updatedPriority"] = updated.priority
    result["staleUpdateStatus"] = status_of(lambda: configurations.update_configuration(base, base.etag))
    result["duplicateCreateStatus"] = status_of(lambda: configurations.create_configuration(Configuration(
        id="fw-base", content=ConfigurationContent(device_content={"properties.desired.fw": "1.0"}))))

    configurations.apply_configuration_on_edge_device(
        "cfg-other", ConfigurationContent(device_content={"properties.desired.x": 1}))
    other = registry.get_twin("cfg-other").properties.desired
    result["appliedToOther"] = other.get("x")
    result["existingUntouchedByApply"] = "x" not in registry.get_twin("cfg-existing").properties.desired

    configurations.delete_configuration("fw-base", updated.etag)
    configurations.delete_configuration("fw-urgent")
    result["afterDeleteStatus"] = status_of(lambda: configurations.get_configuration("fw-base"))
    try:
        device.shutdown()
    except Exception:
        pass
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
