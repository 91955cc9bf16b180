"""TPM attestation end to end: swtpm plays the device's TPM, tpm2-tools drive it.

Usage: tpm_flow.py CONNECTION_JSON DATABASE WORK_DIR PROVISIO_BINARY TCTI_DEVICE TCTI_STRANGER

TCTI_DEVICE and TCTI_STRANGER are two running swtpm instances ("swtpm:host=…,port=…"). The script creates each
TPM's EK (0x81010001) and SRK (0x81000001), enrolls the device's EK with the provisioning service SDK
(``AttestationMechanism.create_with_tpm``), answers the 401 challenge with tpm2_activatecredential / tpm2_import /
tpm2_load, registers with a SAS signed by tpm2_hmac, imports the hub key from ``registrationState.tpm`` and sends
telemetry to the assigned shard with ``IoTHubDeviceClient.create_from_sastoken`` (SAS signed inside the TPM).
Then the refusals: an EK that is not enrolled, a stranger TPM using the device's EK, a SAS not signed by the
imported key, a disabled enrollment. Prints one JSON object: {"steps": {name: {"ok": bool, ...}}}.
"""
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.parse

import requests
from azure.iot.device import IoTHubDeviceClient, Message
from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, IndividualEnrollment

from tpm_support import TPM, registration_id_of

conn = json.load(open(sys.argv[1]))
database, work, provisio, tcti_device, tcti_stranger = sys.argv[2:7]
os.environ["REQUESTS_CA_BUNDLE"] = conn["trustBundle"]
os.environ["NO_PROXY"] = "*"
trust = open(conn["trustBundle"]).read()
scope = conn["idScope"]
base = "https://%s:%d/%s/registrations" % (conn["dps"]["host"], conn["dps"]["httpsPort"], scope)
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
API = "?api-version=2021-06-01"
steps = {}


def step(name, fn):
    try:
        steps[name] = dict(ok=True, **(fn() or {}))
    except Exception as error:  # every failure is reported, not raised
        steps[name] = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}


def put_register(registration_id, body, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = token
    return requests.put("%s/%s/register%s" % (base, registration_id, API), headers=headers, data=body, timeout=30)


device = TPM("device", tcti_device, work)
stranger = TPM("stranger", tcti_stranger, work)
state = {}


def setup():
    device.create_keys()
    stranger.create_keys()
    cli = subprocess.run([provisio, "tpm", "registration-id", "--ek", device.path("ek.pub")], capture_output=True, timeout=60)
    state["registrationId"] = cli.stdout.decode().strip()
    return {"cliRegistrationId": state["registrationId"], "pythonRegistrationId": registration_id_of(device.ek),
            "ekSize": len(device.ek)}


def enroll():
    registration_id = state["registrationId"]
    try:
        service.create_or_update(IndividualEnrollment.create(
            "not-an-ek", AttestationMechanism.create_with_tpm(base64.b64encode(device.srk).decode())))
        srk_as_ek_refused = False
    except Exception as error:
        srk_as_ek_refused = "400" in str(error) or "Bad Request" in str(error) or "TCG EK" in str(error)
    enrollment = service.create_or_update(IndividualEnrollment.create(
        registration_id, AttestationMechanism.create_with_tpm(base64.b64encode(device.ek).decode())))
    return {"attestationType": enrollment.attestation.type, "srkAsEkRefused": srk_as_ek_refused}


def register():
    registration_id = state["registrationId"]
    challenge = put_register(registration_id, device.body(registration_id))
    blob = base64.b64decode(challenge.json()["authenticationKey"])
    state["identity"] = device.import_key(blob, "identity")
    token = device.sas("identity", "%s/registrations/%s" % (scope, registration_id), key_name="registration")
    state["token"] = token
    accepted = put_register(registration_id, device.body(registration_id), token)
    operation = accepted.json()
    headers = {"Authorization": token}
    deadline = time.monotonic() + 30
    while True:
        poll = requests.get("%s/%s/operations/%s%s" % (base, registration_id, operation["operationId"], API), headers=headers, timeout=30)
        result = poll.json()
        if result.get("status") != "assigning" or time.monotonic() > deadline:
            break
        time.sleep(float(poll.headers.get("retry-after", "1")))  # the server's own retry-after
    registration = result.get("registrationState", {})
    state["registration"] = registration
    lookup = requests.post("%s/%s%s" % (base, registration_id, API), headers=dict(headers, **{"Content-Type": "application/json"}),
                           data=json.dumps({"registrationId": registration_id}), timeout=30)
    return {"challengeStatus": challenge.status_code, "challengeKeyName": challenge.json().get("keyName"),
            "blobSize": len(blob), "registerStatus": accepted.status_code, "pollStatus": poll.status_code,
            "status": result.get("status"), "assignedHub": registration.get("assignedHub"), "deviceId": registration.get("deviceId"),
            "hasHubKey": bool(registration.get("tpm", {}).get("authenticationKey")), "lookupStatus": lookup.status_code,
            "lookupHasHubKey": bool(lookup.json().get("tpm", {}).get("authenticationKey"))}


def telemetry():
    registration = state["registration"]
    hub, device_id = registration["assignedHub"], registration["deviceId"]
    device.import_key(base64.b64decode(registration["tpm"]["authenticationKey"]), "hub")
    token = device.sas("hub", "%s/devices/%s" % (hub, device_id))
    client = IoTHubDeviceClient.create_from_sastoken(token, server_verification_cert=trust, connection_retry=False)
    client.connect()
    client.send_message(Message('{"source": "tpm"}', content_encoding="utf-8", content_type="application/json"))
    client.shutdown()
    row = sqlite3.connect("file:%s?mode=ro" % database, uri=True).execute(
        "SELECT body, system_properties_json FROM event_log WHERE endpoint = 'events' AND device_id = ? ORDER BY sequence_number DESC LIMIT 1",
        (device_id,)).fetchone()
    wrong = IoTHubDeviceClient.create_from_sastoken(device.sas("identity", "%s/devices/%s" % (hub, device_id)),
                                                    server_verification_cert=trust, connection_retry=False)
    try:
        wrong.connect()
        identity_key_refused = False
        wrong.shutdown()
    except Exception:
        identity_key_refused = True
    return {"body": row[0].decode() if row else None,
            "authMethod": json.loads(row[1]).get("iothub-connection-auth-method") if row else None,
            "identityKeyRefusedByHub": identity_key_refused}


def refusals():
    registration_id = state["registrationId"]
    stranger_id = registration_id_of(stranger.ek)
    unenrolled = put_register(stranger_id, stranger.body(stranger_id))
    # The stranger claims the device's registration with its own EK: no challenge.
    claimed = put_register(registration_id, stranger.body(registration_id))
    # The stranger presents the device's (public) EK with its own SRK: it gets a blob, but cannot activate it.
    copied = put_register(registration_id, stranger.body(registration_id, ek=device.ek))
    stranger_error = None
    try:
        stranger.import_key(base64.b64decode(copied.json()["authenticationKey"]), "stolen")
        stranger_activated = True
    except RuntimeError as error:
        stranger_activated, stranger_error = False, str(error).split(" ", 1)[0]
    # A SAS signed by some other key: 401.
    fake = base64.b64encode(os.urandom(32))
    sr = urllib.parse.quote("%s/registrations/%s" % (scope, registration_id), safe="")
    expiry = int(time.time()) + 3600
    signature = base64.b64encode(hmac.new(base64.b64decode(fake), ("%s\n%d" % (sr, expiry)).encode(), hashlib.sha256).digest()).decode()
    forged = put_register(registration_id, device.body(registration_id),
                          "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=registration" % (sr, urllib.parse.quote(signature, safe=""), expiry))
    return {"unenrolledStatus": unenrolled.status_code, "unenrolledGotKey": "authenticationKey" in unenrolled.text,
            "claimedStatus": claimed.status_code, "claimedGotKey": "authenticationKey" in claimed.text,
            "copiedEkStatus": copied.status_code, "strangerActivated": stranger_activated, "strangerFailedAt": stranger_error,
            "forgedStatus": forged.status_code, "forgedErrorCode": forged.json().get("errorCode")}


def disabled():
    registration_id = state["registrationId"]
    enrollment = service.get_individual_enrollment(registration_id)
    enrollment.provisioning_status = "disabled"
    service.create_or_update(enrollment)
    challenge = put_register(registration_id, device.body(registration_id))
    with_sas = put_register(registration_id, device.body(registration_id), state["token"])
    return {"challengeStatus": challenge.status_code, "challengeGotKey": "authenticationKey" in challenge.text,
            "sasStatus": with_sas.status_code}


step("setup", setup)
if steps["setup"]["ok"]:
    step("enroll", enroll)
    step("register", register)
    step("telemetry", telemetry)
    step("refusals", refusals)
    step("disabled", disabled)
print(json.dumps({"steps": steps}))
