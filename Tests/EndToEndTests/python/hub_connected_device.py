"""A connected device seen through the IoT Hub service SDK, for the end-to-end tests.

Usage: hub_connected_device.py CA_BUNDLE CONNECTION_STRING DEVICE_ID

Creates DEVICE_ID with ``IoTHubRegistryManager`` (server-generated keys), connects it over MQTT with
``IoTHubDeviceClient.create_from_symmetric_key`` (azure-iot-device, unmodified; port 8883 of the HostName's
host), answers direct methods, then from the service side: reads ``connectionState`` and
``connectedDeviceCount``, invokes a method, patches desired properties (the device must receive them),
rotates the keys (the hub must drop the connection), and deletes the device. Prints one JSON object.
"""

import base64
import json
import os
import sys
import threading
import time

import service_environment

WAIT_SECONDS = 20


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    ca_bundle, connection_string, device_id = sys.argv[1:]
    trust, host = service_environment.prepare(ca_bundle, connection_string)

    from azure.iot.device import IoTHubDeviceClient, MethodResponse
    from azure.iot.hub import IoTHubRegistryManager
    from azure.iot.hub.models import CloudToDeviceMethod, Twin, TwinProperties

    manager = IoTHubRegistryManager.from_connection_string(connection_string)
    result = {}

    created = manager.create_device_with_sas(device_id, None, None, "enabled")
    key = created.authentication.symmetric_key.primary_key

    device = IoTHubDeviceClient.create_from_symmetric_key(
        symmetric_key=key, hostname=host, device_id=device_id, server_verification_cert=trust, connection_retry=False)
    patches = []
    patch_arrived = threading.Event()
    disconnected = threading.Event()

    def on_method(request):
        device.send_method_response(MethodResponse.create_from_method_request(
            request, 200, {"method": request.name, "echo": request.payload}))

    def on_patch(patch):
        patches.append(patch)
        patch_arrived.set()

    def on_state_change():
        if not device.connected:
            disconnected.set()

    device.on_method_request_received = on_method
    device.on_twin_desired_properties_patch_received = on_patch
    device.on_connection_state_change = on_state_change
    device.connect()
    result["connectionState"] = manager.get_device(device_id).connection_state
    result["connectedDeviceCount"] = manager.get_service_statistics().connected_device_count

    answer = None
    deadline = time.monotonic() + WAIT_SECONDS
    while answer is None and time.monotonic() < deadline:
        try:
            answer = manager.invoke_device_method(
                device_id, CloudToDeviceMethod(method_name="reboot", payload={"delay": 5}, response_timeout_in_seconds=5))
        except Exception:  # the SDK subscribes to methods lazily; retry until its subscription is in place
            time.sleep(0.2)
    result["method"] = None if answer is None else {"status": answer.status, "payload": answer.payload}

    manager.update_twin(device_id, Twin(properties=TwinProperties(desired={"rate": 7})))
    patch_arrived.wait(WAIT_SECONDS)
    result["desiredPatch"] = patches[0] if patches else None

    current = manager.get_device(device_id)
    new_primary = base64.b64encode(os.urandom(32)).decode()
    new_secondary = base64.b64encode(os.urandom(32)).decode()
    rotated = manager.update_device_with_sas(device_id, current.etag, new_primary, new_secondary, "enabled")
    result["rotatedKey"] = rotated.authentication.symmetric_key.primary_key == new_primary
    result["droppedAfterKeyChange"] = disconnected.wait(WAIT_SECONDS)

    try:
        device.shutdown()
    except Exception:
        pass
    manager.delete_device(device_id)
    result["connectedAfterDelete"] = manager.get_service_statistics().connected_device_count
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
