"""Strangers ask for TPM challenges with a device's public EK while the device answers its own (issue 12).

Usage: hostile_resource_tpm.py CONNECTION_JSON WORK_DIR TCTI_DEVICE
Prints one JSON object: {"steps": {name: {"ok": bool, ...details}}}.

The device (a swtpm) gets its challenge; then strangers on ten other source addresses (other loopback addresses)
ask for challenges with the same EK and SRK, three each, as fast as they can. The device then imports its first
challenge's key, signs a SAS with it and registers: the strangers must not have evicted its key.
"""
import base64
import http.client
import json
import ssl
import sys
import time

import requests
from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, IndividualEnrollment

from csr_support import Flow
from tpm_support import TPM, registration_id_of

flow = Flow(sys.argv[1], sys.argv[2])
conn, scope = flow.conn, flow.scope
dps_host, dps_https = conn["dps"]["host"], conn["dps"]["httpsPort"]
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
device = TPM("device", sys.argv[3], flow.work)
API = "api-version=2021-06-01"
tls = ssl.create_default_context(cafile=flow.trust_file)
tls.check_hostname = False
state = {}


def put_register(registration_id, body, token=None, source=None):
    """PUT register from `source` (a local address to bind), answered (status, JSON body)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = token
    connection = http.client.HTTPSConnection(dps_host, dps_https, context=tls, timeout=30,
                                             source_address=(source, 0) if source else None)
    try:
        connection.request("PUT", "/%s/registrations/%s/register?%s" % (scope, registration_id, API), body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    finally:
        connection.close()


def setup():
    device.create_keys()
    registration_id = registration_id_of(device.ek)
    state["registrationId"] = registration_id
    service.create_or_update(IndividualEnrollment.create(
        registration_id, AttestationMechanism.create_with_tpm(base64.b64encode(device.ek).decode())))
    status, challenge = put_register(registration_id, device.body(registration_id))
    state["blob"] = base64.b64decode(challenge["authenticationKey"])
    return {"challengeStatus": status}


flow.step("setup", setup)


def strangers():
    registration_id = state["registrationId"]
    # Other loopback addresses than the device's: the server sees ten different sources.
    prefix = ".".join(dps_host.split(".")[:3])
    statuses = []
    last = {}
    for round_ in range(3):
        for host in range(150, 160):
            status, last = put_register(registration_id, device.body(registration_id), source="%s.%d" % (prefix, host))
            statuses.append(status)
    counts = {}
    for status in statuses:
        counts[str(status)] = counts.get(str(status), 0) + 1
    return {"statuses": counts, "lastMessage": last.get("message")}


flow.step("strangers", strangers)


def device_answers():
    registration_id = state["registrationId"]
    name = device.import_key(state["blob"], "identity")
    token = device.sas(name, "%s/registrations/%s" % (scope, registration_id), key_name="registration")
    status, operation = put_register(registration_id, device.body(registration_id), token)
    result = {"registerStatus": status}
    if status == 202:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            poll = requests.get("https://%s:%d/%s/registrations/%s/operations/%s?%s" % (
                dps_host, dps_https, scope, registration_id, operation["operationId"], API),
                headers={"Authorization": token}, timeout=30).json()
            if poll.get("status") != "assigning":
                result["status"] = poll.get("status")
                break
            time.sleep(0.2)
    else:
        result["message"] = operation.get("message")
    return result


flow.step("deviceAnswers", device_answers)

json.dump({"steps": flow.steps}, sys.stdout)
sys.stdout.write("\n")
