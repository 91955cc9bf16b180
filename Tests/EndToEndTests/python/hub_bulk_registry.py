"""Bulk registry operations through the unmodified IoT Hub service SDK, for the end-to-end tests.

Usage: hub_bulk_registry.py CA_BUNDLE CONNECTION_STRING

``IoTHubRegistryManager.bulk_create_or_update_devices``: creates seven devices in one call (one with its own keys),
then one call mixing a create, a create of an existing device, an update, an update and a delete with a stale
etag, an update with the right etag and a delete; reads back every device's state. Also a call naming a device
twice and one with 101 devices (whole call refused). Prints one JSON object with what each step returned.
"""

import base64
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
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    ca_bundle, connection_string = sys.argv[1:]
    os.environ["REQUESTS_CA_BUNDLE"] = ca_bundle
    os.environ["NO_PROXY"] = "*"
    for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        os.environ.pop(proxy, None)

    from azure.iot.hub import IoTHubRegistryManager
    from azure.iot.hub.models import AuthenticationMechanism, ExportImportDevice, SymmetricKey

    manager = IoTHubRegistryManager.from_connection_string(connection_string)
    result = {}

    def sas(primary=None, secondary=None):
        return AuthenticationMechanism(type="sas", symmetric_key=SymmetricKey(primary_key=primary, secondary_key=secondary))

    own_key = base64.b64encode(os.urandom(32)).decode()
    first = [ExportImportDevice(id="bulk-%d" % n, import_mode="create", status="enabled",
                                authentication=sas(own_key if n == 1 else None)) for n in range(1, 8)]
    created = manager.bulk_create_or_update_devices(first)
    result["created"] = {"isSuccessful": created.is_successful, "errors": len(created.errors or [])}
    result["ownKeyKept"] = manager.get_device("bulk-1").authentication.symmetric_key.primary_key == own_key
    etag4 = manager.get_device("bulk-4").etag
    etag3 = manager.get_device("bulk-3").etag

    mixed = [
        ExportImportDevice(id="bulk-new", import_mode="create", authentication=sas()),
        ExportImportDevice(id="bulk-1", import_mode="create", authentication=sas()),
        ExportImportDevice(id="bulk-2", import_mode="update", status="disabled", authentication=sas()),
        ExportImportDevice(id="bulk-3", import_mode="updateIfMatchETag", e_tag="\"c3RhbGU=\"", status="disabled",
                           authentication=sas()),
        ExportImportDevice(id="bulk-4", import_mode="updateIfMatchETag", e_tag=etag4, status="disabled", authentication=sas()),
        ExportImportDevice(id="bulk-5", import_mode="delete"),
        ExportImportDevice(id="bulk-6", import_mode="deleteIfMatchETag", e_tag="\"c3RhbGU=\""),
        ExportImportDevice(id="bulk-missing", import_mode="update", authentication=sas()),
    ]
    outcome = manager.bulk_create_or_update_devices(mixed)
    result["mixed"] = {
        "isSuccessful": outcome.is_successful,
        "errors": sorted(({"deviceId": e.device_id, "errorCode": e.error_code, "hasStatus": bool(e.error_status)}
                          for e in outcome.errors or []), key=lambda e: e["deviceId"]),
        "warnings": len(outcome.warnings or []),
    }
    state = {}
    for device_id in ["bulk-new", "bulk-1", "bulk-2", "bulk-3", "bulk-4", "bulk-5", "bulk-6", "bulk-7"]:
        missing = status_of(lambda: manager.get_device(device_id))
        state[device_id] = "absent" if missing == 404 else manager.get_device(device_id).status
    result["state"] = state
    result["etag3Unchanged"] = manager.get_device("bulk-3").etag == etag3
    result["ownKeyAfter"] = manager.get_device("bulk-1").authentication.symmetric_key.primary_key == own_key

    twice = [ExportImportDevice(id="bulk-7", import_mode="delete"), ExportImportDevice(id="BULK-7", import_mode="delete")]
    refused = manager.bulk_create_or_update_devices(twice)
    result["twiceSuccessful"] = refused.is_successful
    result["bulk7AfterTwice"] = manager.get_device("bulk-7").status
    many = [ExportImportDevice(id="many-%03d" % n, import_mode="create", authentication=sas()) for n in range(101)]
    refused = manager.bulk_create_or_update_devices(many)
    result["tooManySuccessful"] = refused.is_successful
    result["tooManyCreated"] = status_of(lambda: manager.get_device("many-000"))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
