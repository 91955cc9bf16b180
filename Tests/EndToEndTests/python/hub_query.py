"""IoT Hub query-language scenario for the end-to-end tests (azure-iot-hub 2.7.0, unmodified).

Usage: hub_query.py CA_BUNDLE CONNECTION_STRING

Creates 36 devices qry-00..qry-35 with tags (site = north/south/east by i % 3, floor = i % 5, labels = ["l{i % 4}"])
and desired properties (fw = "1.0" for even i, "2.0" for odd i, none when i % 4 == 3), and a module "m" on qry-00.
Then queries through ``IoTHubRegistryManager.query_iot_hub`` (twins, paging with x-ms-max-item-count and
x-ms-continuation) and, for projections and counts, which the SDK deserializes as ``Twin`` and so drops, through the
same SDK call's raw response (``protocol.query.get_twins(..., raw=True)``) to read the JSON the hub sent. Prints one
JSON object; a step the SDK rejects raises.
"""

import json
import os
import sys


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
    from azure.iot.hub.models import QuerySpecification, Twin, TwinProperties
    from msrest.exceptions import HttpOperationError

    manager = IoTHubRegistryManager.from_connection_string(connection_string)
    for index in range(36):
        device_id = "qry-%02d" % index
        manager.create_device_with_sas(device_id, None, None, "enabled")
        desired = {}
        if index % 4 != 3:
            desired["fw"] = "1.0" if index % 2 == 0 else "2.0"
        tags = {"site": ["north", "south", "east"][index % 3], "floor": index % 5, "labels": ["l%d" % (index % 4)]}
        manager.update_twin(device_id, Twin(tags=tags, properties=TwinProperties(desired=desired)))
    manager.create_module_with_sas("qry-00", "m", None, None, None)

    def twins(query, page_size):
        """Every page through query_iot_hub: (device ids, module ids, pages, item type)."""
        ids, modules, pages, token, item_type = [], [], 0, None, None
        while True:
            page = manager.query_iot_hub(QuerySpecification(query=query), token, page_size)
            pages += 1
            item_type = page.type
            ids += [twin.device_id for twin in page.items]
            modules += [twin.module_id for twin in page.items]
            token = page.continuation_token
            if not token or pages > 50:
                return {"ids": ids, "modules": modules, "pages": pages, "type": item_type}

    def raw(query, page_size=None):
        """Every page of the JSON the hub answered to query_iot_hub's request, and the number of pages."""
        rows, pages, token = [], 0, None
        while True:
            response = manager.protocol.query.get_twins(QuerySpecification(query=query), token, page_size, None, True)
            pages += 1
            rows += response.response.json()
            token = response.headers.get("x-ms-continuation")
            if not token or pages > 50:
                return {"rows": rows, "pages": pages}

    def failure(query):
        try:
            manager.query_iot_hub(QuerySpecification(query=query))
        except HttpOperationError as error:
            return {"status": error.response.status_code, "body": error.response.json()}
        return None

    ours = "STARTSWITH(deviceId, 'qry-')"
    result = {
        "paged": twins("SELECT * FROM devices WHERE " + ours, 10),
        "grouped": raw("SELECT properties.desired.fw AS fw, COUNT() AS n FROM devices WHERE %s GROUP BY properties.desired.fw" % ours),
        "counted": raw("SELECT COUNT() AS total FROM devices WHERE %s AND tags.site = 'north'" % ours),
        "projected": raw("SELECT deviceId, tags.site AS site, properties.desired.fw FROM devices WHERE tags.floor = 2 AND %s ORDER BY deviceId DESC" % ours),
        "ordered": raw("SELECT deviceId, tags.floor AS floor FROM devices WHERE %s ORDER BY tags.floor DESC, deviceId" % ours, 7),
        "top": raw("SELECT TOP 4 deviceId FROM devices WHERE tags.site IN ['north', 'east'] AND %s ORDER BY deviceId" % ours, 3),
        "nin": twins("SELECT * FROM devices WHERE tags.floor NIN [0, 1, 2, 3] AND %s" % ours, 100),
        "functions": twins("SELECT * FROM devices WHERE ARRAY_CONTAINS(tags.labels, 'l3') AND NOT IS_DEFINED(properties.desired.fw) "
                           "AND IS_NUMBER(tags.floor) AND ENDSWITH(deviceId, '1') AND " + ours, 100),
        "modules": twins("SELECT * FROM devices.modules WHERE deviceId = 'qry-00'", 100),
        "jobs": raw("SELECT * FROM devices.jobs WHERE deviceId = 'qry-00'"),
        "unsupportedFunction": failure("SELECT * FROM devices WHERE LOWER(deviceId) = 'qry-00'"),
        "ungrouped": failure("SELECT deviceId, COUNT() AS n FROM devices GROUP BY tags.site"),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
