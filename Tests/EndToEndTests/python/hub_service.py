"""IoT Hub service-SDK scenario for the end-to-end tests (azure-iot-hub 2.7.0, unmodified).

Usage: hub_service.py CA_BUNDLE CONNECTION_STRING DEVICE_ID

Drives one shard's REST API through ``IoTHubRegistryManager``: create a SAS device (server-generated keys),
a duplicate create (expects 409), get, twin update with tags and desired properties, get twin, a twin query
on a tag, device and service statistics, listing, a method call to the offline device (expects 404), delete
(the SDK insists on 204) and a get after delete (expects 404). Trust comes from CA_BUNDLE via
REQUESTS_CA_BUNDLE. Prints one JSON object with what each step returned; a step the SDK rejects raises.
"""

import json
import os
import sys


def status_of(call):
    """Runs ``call``; returns the HTTP status of the HttpOperationError it raises, or None when it succeeds."""
    from msrest.exceptions import HttpOperationError

    try:
        call()
    except HttpOperationError as error:
        return error.response.status_code
    return None


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    ca_bundle, connection_string, device_id = sys.argv[1:]
    os.environ["REQUESTS_CA_BUNDLE"] = ca_bundle
    os.environ["NO_PROXY"] = "*"
    for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        os.environ.pop(proxy, None)

    from azure.iot.hub import IoTHubRegistryManager
    from azure.iot.hub.models import CloudToDeviceMethod, QuerySpecification, Twin, TwinProperties

    manager = IoTHubRegistryManager.from_connection_string(connection_string)
    result = {}

    created = manager.create_device_with_sas(device_id, None, None, "enabled")
    result["created"] = {
        "deviceId": created.device_id,
        "status": created.status,
        "type": created.authentication.type,
        "primaryKey": created.authentication.symmetric_key.primary_key,
        "secondaryKey": created.authentication.symmetric_key.secondary_key,
        "etag": created.etag,
    }
    result["duplicateStatus"] = status_of(lambda: manager.create_device_with_sas(device_id, None, None, "enabled"))

    fetched = manager.get_device(device_id)
    result["fetched"] = {"deviceId": fetched.device_id, "etag": fetched.etag, "connectionState": fetched.connection_state}

    patch = Twin(tags={"x": "y", "site": {"floor": 3}}, properties=TwinProperties(desired={"temperature": 21}))
    updated = manager.update_twin(device_id, patch)
    result["updatedTwinVersion"] = updated.version

    twin = manager.get_twin(device_id)
    result["twin"] = {"tags": twin.tags, "desired": twin.properties.desired, "etag": twin.etag}

    matching = manager.query_iot_hub(QuerySpecification(query="SELECT * FROM devices WHERE tags.x = 'y'"))
    result["query"] = {"type": matching.type, "deviceIds": [item.device_id for item in matching.items]}
    missing = manager.query_iot_hub(QuerySpecification(query="SELECT * FROM devices WHERE tags.x = 'nope'"))
    result["emptyQueryCount"] = len(missing.items)
    result["badQueryStatus"] = status_of(lambda: manager.query_iot_hub(QuerySpecification(query="SELECT * FROM devices WHERE")))

    result["serviceStatistics"] = {"connectedDeviceCount": manager.get_service_statistics().connected_device_count}
    registry = manager.get_device_registry_statistics()
    result["registryStatistics"] = {
        "total": registry.total_device_count,
        "enabled": registry.enabled_device_count,
        "disabled": registry.disabled_device_count,
    }
    result["listedDeviceIds"] = [device.device_id for device in manager.get_devices(10)]

    offline = CloudToDeviceMethod(method_name="reboot", payload={"delay": 1}, response_timeout_in_seconds=5)
    result["offlineMethodStatus"] = status_of(lambda: manager.invoke_device_method(device_id, offline))

    manager.delete_device(device_id)
    result["deleted"] = True
    result["afterDeleteStatus"] = status_of(lambda: manager.get_device(device_id))

    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
