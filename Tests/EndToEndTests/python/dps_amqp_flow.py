"""DPS over AMQP end to end with two independent client stacks: python-qpid-proton and uamqp (azure-uamqp-c, the C
SDK's AMQP stack).

Usage: dps_amqp_flow.py CONNECTION_JSON WORK_DIR [STEP,...]

Steps: a symmetric-key individual enrollment and a group (derived key) registered with each stack over SASL PLAIN,
each assigned device then connecting to its hub over MQTT (azure-iot-device); uamqp over a WebSocket (`AMQPWSB10`) on
the DPS HTTPS port; an X.509 device with its TLS client certificate (proton, no SASL as the C SDK, and SASL EXTERNAL);
the C# SDK's request shapes (empty data register body, GUID correlation-id, amqp-value status body); refusals: a
wrong key (SASL outcome auth), another registration id (attach refused), malformed requests (rejected with DPS's error
JSON), a registrationId in the body that is not the connection's; a disabled enrollment closes its open connection.
STEP,... (or DPS_AMQP_STEPS) runs a subset; `throttle` (429 with Retry-After past the registration budget) runs only when
named, against a server with a low registrationRateLimit.
Prints one JSON object: {"steps": {name: {"ok": bool, "error": str?, ...}}}.
"""
import json
import time
import os
import subprocess
import sys
import uuid

from azure.iot.device import IoTHubDeviceClient, Message, X509
from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, EnrollmentGroup, IndividualEnrollment
from provisioningserviceclient.protocol.models import SymmetricKeyAttestation

import csr_support
from csr_support import check
from dps_amqp_support import DPS, ProtonClient, UamqpClient, REGISTER, derive, register, status_request, summary

conn = json.load(open(sys.argv[1]))
work = sys.argv[2]
os.environ["REQUESTS_CA_BUNDLE"] = conn["trustBundle"]
os.environ["SSL_CERT_FILE"] = conn["trustBundle"]  # uamqp trusts what SSL_CERT_FILE names too
os.environ["NO_PROXY"] = "*"
dps = DPS(conn)
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
steps = {}


def step(name, fn):
    csr_support.step(steps, name, fn)


def symmetric():
    return AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())


def individual(registration_id):
    return service.create_or_update(IndividualEnrollment.create(registration_id, symmetric())).attestation.symmetric_key.primary_key


def hub_with_key(details, key):
    """The assigned device connects to its hub over MQTT and sends one message."""
    client = IoTHubDeviceClient.create_from_symmetric_key(symmetric_key=key, hostname=details["assignedHub"],
                                                          device_id=details["deviceId"], server_verification_cert=open(dps.trust).read())
    try:
        client.connect()
        client.send_message(Message(json.dumps({"via": "dps-amqp"})))
        return client.connected
    finally:
        client.shutdown()


def run(client_type, registration_id, key, **options):
    client = client_type(dps, registration_id, dps.sas(registration_id, key), **options)
    try:
        first, last = register(client, registration_id, payload={"modelId": "dtmi:provisio:e2e;1"})
    finally:
        client.close()
    details = summary(first, last)
    check(details["status"] == "assigned", "status %r: %r" % (details["status"], last.body))
    details["hubConnected"] = hub_with_key(details, key)
    return details


def symmetric_proton():
    return run(ProtonClient, "amqp-sym-proton", individual("amqp-sym-proton"))


def symmetric_uamqp():
    return run(UamqpClient, "amqp-sym-uamqp", individual("amqp-sym-uamqp"))


def group():
    group_key = service.create_or_update(EnrollmentGroup.create("amqp-group", symmetric())).attestation.symmetric_key.primary_key
    proton = run(ProtonClient, "amqp-grp-proton", derive(group_key, "amqp-grp-proton"))
    uamqp = run(UamqpClient, "amqp-grp-uamqp", derive(group_key, "amqp-grp-uamqp"))
    return {"proton": proton, "uamqp": uamqp}


def websocket():
    return run(UamqpClient, "amqp-ws-uamqp", individual("amqp-ws-uamqp"), websocket=True)


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_cert(name):
    key, cert = os.path.join(work, name + ".key"), os.path.join(work, name + ".pem")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", cert,
            "-days", "30", "-subj", "/CN=" + name, "-addext", "extendedKeyUsage=clientAuth")
    return cert, key


def x509():
    results = {}
    for registration_id, mechanism in (("amqp-x509-nosasl", None), ("amqp-x509-external", "EXTERNAL")):
        cert, key = make_cert(registration_id)
        service.create_or_update(IndividualEnrollment.create(
            registration_id, AttestationMechanism.create_with_x509_client_certs(open(cert).read())))
        client = ProtonClient(dps, registration_id, certificate=(cert, key), mechanism=mechanism)
        try:
            first, last = register(client, registration_id)
        finally:
            client.close()
        details = summary(first, last)
        check(details["status"] == "assigned", "status %r: %r" % (details["status"], last.body))
        hub = IoTHubDeviceClient.create_from_x509_certificate(x509=X509(cert_file=cert, key_file=key), hostname=details["assignedHub"],
                                                              device_id=details["deviceId"], server_verification_cert=open(dps.trust).read())
        try:
            hub.connect()
            details["hubConnected"] = hub.connected
        finally:
            hub.shutdown()
        results["noSASL" if mechanism is None else mechanism.lower()] = details
    # A certificate no enrollment names: the links are refused.
    stranger, stranger_key = make_cert("amqp-x509-stranger")
    try:
        ProtonClient(dps, "amqp-x509-nosasl", certificate=(stranger, stranger_key), mechanism=None).close()
        results["strangerRefused"] = False
    except Exception as error:
        results["strangerRefused"] = True
        results["strangerError"] = type(error).__name__
    return results


def csharp_shapes():
    """The C# SDK's requests: register with an empty data body and a GUID correlation-id; status with an amqp-value body."""
    registration_id = "amqp-csharp-shapes"
    key = individual(registration_id)
    client = ProtonClient(dps, registration_id, dps.sas(registration_id, key))
    try:
        correlation = str(uuid.uuid4())
        first = client.request(REGISTER, b"", correlation_id=correlation)
        check(first.outcome == "accepted", "register %s %s" % (first.outcome, first.description))
        poll_correlation = str(uuid.uuid4())
        last = first
        for _ in range(30):
            if last.body.get("status") != "assigning":
                break
            time.sleep(int(last.properties.get("Retry-After", 1)))  # the server's own hint
            last = client.request(status_request(first.body["operationId"]), "iotdps-get-operationstatus", correlation_id=poll_correlation)
    finally:
        client.close()
    return {"firstStatus": first.body.get("status"), "correlationEchoed": first.correlation_id == correlation,
            "pollCorrelationEchoed": last.correlation_id == poll_correlation, "status": last.body.get("status"),
            "RetryAfter": first.properties.get("Retry-After")}


def refusals():
    registration_id = "amqp-refusals"
    key = individual(registration_id)
    other_key = individual("amqp-refusals-other")
    result = {}
    # A wrong key: SASL refuses (proton reports the connection as failed).
    try:
        ProtonClient(dps, registration_id, dps.sas(registration_id, other_key)).close()
        result["wrongKeyRefused"] = False
    except Exception as error:
        result["wrongKeyRefused"] = True
        result["wrongKeyError"] = "%s: %s" % (type(error).__name__, str(error)[:200])
    # Authenticated as one registration, links on another: refused.
    try:
        ProtonClient(dps, registration_id, dps.sas(registration_id, key), node="amqp-refusals-other").close()
        result["otherRegistrationRefused"] = False
    except Exception as error:
        result["otherRegistrationRefused"] = True
        result["otherRegistrationError"] = "%s: %s" % (type(error).__name__, str(error)[:300])
    client = ProtonClient(dps, registration_id, dps.sas(registration_id, key))
    try:
        unknown = client.request({"iotdps-operation-type": "iotdps-bogus"}, b"{}")
        result["unknownOperation"] = {"outcome": unknown.outcome, "condition": unknown.condition,
                                      "errorCode": unknown.error().get("errorCode") if unknown.description else None}
        bad_json = client.request(REGISTER, b"{not json")
        result["badJson"] = {"outcome": bad_json.outcome, "errorCode": bad_json.error().get("errorCode") if bad_json.description else None}
        other_body = client.request(REGISTER, json.dumps({"registrationId": "amqp-refusals-other"}).encode())
        result["otherBodyId"] = {"outcome": other_body.outcome,
                                 "message": other_body.error().get("message") if other_body.description else None}
        no_operation = client.request(status_request("5.0000000000000000.no-such-operation"), b"")
        result["unknownOperationId"] = {"outcome": no_operation.outcome, "status": (no_operation.body or {}).get("status"),
                                        "errorCode": (no_operation.body or {}).get("errorCode")}
        # The connection still serves a good request after the refusals.
        first, last = register(client, registration_id)
        result["afterRefusals"] = last.body.get("status")
    finally:
        client.close()
    return result


def websocket_paths():
    """The C SDK dials `/$iothub/websocket`, the C# SDK the bare host: both reach DPS AMQP (the SASL header comes back)."""
    import ssl
    import websocket
    result = {}
    for path in ("/$iothub/websocket", "/"):
        ws = websocket.create_connection("wss://%s:%d%s" % (dps.host, dps.https_port, path), subprotocols=["AMQPWSB10"],
                                         sslopt={"ca_certs": dps.trust, "cert_reqs": ssl.CERT_REQUIRED}, timeout=20)
        try:
            ws.send_binary(b"AMQP\x03\x01\x00\x00")
            received = b""
            while len(received) < 8:
                received += ws.recv()
            result[path] = {"subprotocol": ws.getsubprotocol(), "header": received[:8].hex()}
        finally:
            ws.close()
    return {"paths": result}


def disabled():
    """Disabling the enrollment closes a connection it admitted (as it closes an MQTT session)."""
    registration_id = "amqp-disabled"
    key = individual(registration_id)
    client = ProtonClient(dps, registration_id, dps.sas(registration_id, key))
    try:
        first, last = register(client, registration_id)
        enrollment = service.get_individual_enrollment(registration_id)
        enrollment.provisioning_status = "disabled"
        service.create_or_update(enrollment)
        deadline = time.monotonic() + 20
        closed = None
        while closed is None and time.monotonic() < deadline:
            try:
                # Each request pumps the connection; the server closes it once the lapse reaches it.
                client.request(status_request(first.body["operationId"]), b"")
                time.sleep(0.2)  # paces the polling of a condition with a deadline
            except Exception as error:
                closed = "%s: %s" % (type(error).__name__, str(error)[:300])
    finally:
        client.close()
    check(closed is not None, "the connection stayed open for 20 s after the enrollment was disabled")
    return {"status": last.body.get("status"), "closedWith": closed}


def throttle():
    """Past the registration budget a register is rejected with 429 and Retry-After (run on a server with a low
    registrationRateLimit)."""
    registration_id = "amqp-throttled"
    key = individual(registration_id)
    client = ProtonClient(dps, registration_id, dps.sas(registration_id, key))
    outcomes = []
    try:
        body = json.dumps({"registrationId": registration_id}).encode()
        for _ in range(6):
            reply = client.request(REGISTER, body)
            outcomes.append(reply)
            if reply.outcome == "rejected":
                break
    finally:
        client.close()
    rejected = [r for r in outcomes if r.outcome == "rejected"]
    check(rejected, "no register was throttled: %r" % [r.outcome for r in outcomes])
    error = rejected[0].error()
    info = {str(k): v for k, v in (rejected[0].info or {}).items()}
    return {"accepted": len(outcomes) - 1, "condition": rejected[0].condition, "errorCode": error.get("errorCode"),
            "retryAfterInfo": info.get("Retry-After")}


STEPS = {"symmetricProton": symmetric_proton, "symmetricUamqp": symmetric_uamqp, "group": group, "webSocket": websocket,
         "x509": x509, "csharpShapes": csharp_shapes, "refusals": refusals, "disabled": disabled,
         "webSocketPaths": websocket_paths}
# Needs a server with a low registration rate limit: only when asked for.
OPTIONAL = {"throttle": throttle}
selected = sys.argv[3] if len(sys.argv) > 3 else os.environ.get("DPS_AMQP_STEPS")
for name, fn in list(STEPS.items()) + list(OPTIONAL.items()):
    if (not selected and name in STEPS) or (selected and name in selected.split(",")):
        step(name, fn)
print(json.dumps({"steps": steps}))
