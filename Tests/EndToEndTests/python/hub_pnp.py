"""Plug and Play scenario for the end-to-end tests (azure-iot-device 2.14.0 and azure-iot-hub 2.7.0, unmodified).

Usage: hub_pnp.py CA_BUNDLE CONNECTION_STRING DEVICE_ID

Creates DEVICE_ID, connects it over MQTT with ``IoTHubDeviceClient.create_from_symmetric_key(..., product_info=MODEL)``
(a ``dtmi:`` product_info makes the SDK put ``model-id=…`` in its MQTT username), reports a root property, a PnP
writable-property acknowledgement and a component (``"__t": "c"``), answers methods, then through
``DigitalTwinClient``: get_digital_twin, update_digital_twin with a JSON Patch on a root and a component property (the
device must receive the desired patch), invoke_command and invoke_component_command, and a patch with an unsupported
op (expects 400). The twin's ``modelId`` is read from the raw answer of ``get_twin`` (the 2.7.0 Twin model has no
such attribute). Prints one JSON object.
"""

import json
import sys
import threading
import time

import service_environment

MODEL = "dtmi:com:example:TemperatureController;2"
WAIT_SECONDS = 20


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    ca_bundle, connection_string, device_id = sys.argv[1:]
    trust, host = service_environment.prepare(ca_bundle, connection_string)

    from azure.iot.device import IoTHubDeviceClient, MethodResponse
    from azure.iot.hub import DigitalTwinClient, IoTHubRegistryManager
    from msrest.exceptions import HttpOperationError

    manager = IoTHubRegistryManager.from_connection_string(connection_string)
    digital = DigitalTwinClient.from_connection_string(connection_string)
    result = {}

    created = manager.create_device_with_sas(device_id, None, None, "enabled")
    device = IoTHubDeviceClient.create_from_symmetric_key(
        symmetric_key=created.authentication.symmetric_key.primary_key, hostname=host, device_id=device_id,
        server_verification_cert=trust, connection_retry=False, product_info=MODEL)
    patches = []
    patch_arrived = threading.Event()

    def on_method(request):
        status = 201 if "*" in request.name else 200
        device.send_method_response(MethodResponse.create_from_method_request(
            request, status, {"method": request.name, "echo": request.payload}))

    def on_patch(patch):
        patches.append(patch)
        patch_arrived.set()

    device.on_method_request_received = on_method
    device.on_twin_desired_properties_patch_received = on_patch
    device.connect()
    device.patch_twin_reported_properties({
        "serialNumber": "SN-1",
        "targetTemperature": {"value": 20, "ac": 200, "av": 1, "ad": "applied"},
        "thermostat1": {"__t": "c", "maxTempSinceLastReboot": 30.5},
    })

    result["twinModelId"] = manager.protocol.devices.get_twin(device_id, None, True).response.json().get("modelId")
    result["before"] = digital.get_digital_twin(device_id)

    root = None
    deadline = time.monotonic() + WAIT_SECONDS
    while root is None and time.monotonic() < deadline:
        try:
            root = digital.invoke_command(device_id, "reboot", {"delay": 1}, 5, 5)
        except HttpOperationError:  # the device SDK subscribes to methods lazily; retry until it is in place
            time.sleep(0.2)
    result["rootCommand"] = root
    raw = digital.protocol.digital_twin.invoke_component_command(device_id, "thermostat1", "getMaxMinReport", "2026-01-01", 5, 5, None, True)
    result["componentCommand"] = {"payload": raw.output, "status": raw.headers.get("x-ms-command-statuscode")}
    result["componentCommandClient"] = digital.invoke_component_command(device_id, "thermostat1", "getMaxMinReport", {"since": 1})

    digital.update_digital_twin(device_id, [
        {"op": "add", "path": "/targetTemperature", "value": 42},
        {"op": "replace", "path": "/thermostat1/targetTemperature", "value": 50},
    ])
    patch_arrived.wait(WAIT_SECONDS)
    result["devicePatch"] = patches[0] if patches else None
    result["after"] = digital.get_digital_twin(device_id)
    try:
        digital.update_digital_twin(device_id, [{"op": "move", "from": "/a", "path": "/b"}])
        result["badPatchStatus"] = None
    except HttpOperationError as error:
        result["badPatchStatus"] = error.response.status_code

    try:
        device.shutdown()
    except Exception:
        pass
    manager.delete_device(device_id)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
