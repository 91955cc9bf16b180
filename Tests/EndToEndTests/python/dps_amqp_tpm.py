"""DPS over AMQP with a TPM (swtpm driven by tpm2-tools): the SASL `TPM` challenge exchange written frame by frame with
amqp_wire (no Python AMQP stack offers the mechanism), as the C# and C SDKs run it.

Usage: dps_amqp_tpm.py CONNECTION_JSON WORK_DIR TCTI

sasl-init TPM with `00 {scope}\\0{reg}\\0 EK`; the server's `00` challenge answered with `00 SRK`; the activation blob in
segments (control 0x80 | sequence, 0x40 on the last) answered `00` each; after the last, tpm2_activatecredential /
tpm2_import, and the final response `00 SAS` (signed by tpm2_hmac with the imported key); sasl-outcome ok; then the link
pair, a register with the `tpm` keys and polls until assigned. Refusals: an EK that is not enrolled (sasl-outcome auth
at the first challenge), a SAS not signed by the imported key (sasl-outcome auth).
Prints one JSON object: {"steps": {name: {"ok": bool, "error": str?, ...}}}.
"""
import base64
import json
import os
import sys
import time

from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, IndividualEnrollment

import amqp_wire as wire
import csr_support
from csr_support import check
from tpm_support import TPM, registration_id_of

conn = json.load(open(sys.argv[1]))
work, tcti = sys.argv[2], sys.argv[3]
os.environ["REQUESTS_CA_BUNDLE"] = conn["trustBundle"]
os.environ["NO_PROXY"] = "*"
host, port, scope, trust = conn["dps"]["host"], conn["dps"]["amqpPort"], conn["idScope"], conn["trustBundle"]
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
tpm = TPM("device", tcti, work)
steps = {}
state = {}


def step(name, fn):
    csr_support.step(steps, name, fn)


def sasl_frame(code, fields):
    return wire.frame(wire.performative(code, fields), kind=1)


def tpm_sasl(peer, registration_id, ek, srk, sign=None):
    """Runs the TPM exchange up to the outcome; returns (outcome code, segments received, blob)."""
    peer.send(wire.SASL_HEADER)
    peer.header()
    mechanisms = peer.frame()
    check("TPM" in [str(m) for m in (mechanisms.field(0) or [])], "mechanisms %r" % mechanisms.fields)
    initial = b"\x00" + ("%s\x00%s\x00" % (scope, registration_id)).encode() + ek
    peer.send(sasl_frame(wire.SASL_INIT, [wire.Symbol("TPM"), initial, "%s/registrations/%s" % (scope, registration_id)]))
    first = peer.frame()
    if first.name != "sasl-challenge":
        return first.field(0), 0, b""
    check(bytes(first.field(0)) == b"\x00", "the first challenge is %r" % first.field(0))
    peer.send(sasl_frame(wire.SASL_RESPONSE, [b"\x00" + srk]))
    blob, segments = b"", 0
    while True:
        challenge = peer.frame()
        if challenge.name != "sasl-challenge":
            return challenge.field(0), segments, blob
        data = bytes(challenge.field(0))
        check(data[0] & 0x80 and (data[0] & 0x03) == segments % 4, "segment %d control byte 0x%02x" % (segments, data[0]))
        segments += 1
        blob += data[1:]
        if data[0] & 0x40:
            break
        peer.send(sasl_frame(wire.SASL_RESPONSE, [b"\x00"]))
    token = sign(blob) if sign else "SharedAccessSignature sr=x&sig=AAAA&se=%d&skn=registration" % (int(time.time()) + 600)
    peer.send(sasl_frame(wire.SASL_RESPONSE, [b"\x00" + token.encode()]))
    outcome = peer.frame()
    check(outcome.name == "sasl-outcome", "after the last response: %r" % outcome)
    return outcome.field(0), segments, blob


def request(peer, delivery_id, properties, body):
    peer.transfer(1, delivery_id, wire.message([(wire.APPLICATION_PROPERTIES, properties), (wire.DATA, body)]))
    disposition, reply = None, None
    while disposition is None or reply is None:
        received = peer.frame()
        if received.name == "disposition":
            disposition = received
        elif received.name == "transfer" and received.field(0) == 0:
            sections = wire.decode_message(received.payload)
            reply = (sections.get(wire.APPLICATION_PROPERTIES) or {}, json.loads(bytes(sections[wire.DATA])))
        elif received.name in ("close", "detach", "end"):
            raise RuntimeError("the server sent %r" % received)
    outcome = disposition.field(4)
    check(isinstance(outcome, wire.Described) and outcome.descriptor == wire.ACCEPTED, "request outcome %r" % outcome)
    return reply


def setup():
    tpm.create_keys()
    registration_id = registration_id_of(tpm.ek)
    state["registrationId"] = registration_id
    enrollment = service.create_or_update(IndividualEnrollment.create(
        registration_id, AttestationMechanism.create_with_tpm(base64.b64encode(tpm.ek).decode())))
    return {"attestationType": enrollment.attestation.type}


def register():
    registration_id = state["registrationId"]
    node = "%s/registrations/%s" % (scope, registration_id)

    def sign(blob):
        tpm.import_key(blob, "identity")
        return tpm.sas("identity", node, key_name="registration")

    peer = wire.Peer(host, port, trust)
    try:
        outcome, segments, blob = tpm_sasl(peer, registration_id, tpm.ek, tpm.srk, sign)
        check(outcome == 0, "sasl-outcome %r" % outcome)
        peer.open(hostname=host)
        peer.begin()
        address = "amqps://%s/%s" % (host, node)
        peer.attach("recv_link", 0, True, address, "local_endpoint")
        peer.attach("sender_link", 1, False, "remote_endpoint", address)
        peer.flow(0, 10)
        attached, credit = 0, False
        while attached < 2 or not credit:
            received = peer.frame()
            attached += received.name == "attach"
            credit = credit or (received.name == "flow" and received.field(4) == 1 and (received.field(6) or 0) > 0)
            check(received.name not in ("detach", "close", "end"), "links refused: %r" % received)
        body = tpm.body(registration_id).encode()
        properties, first = request(peer, 0, {"iotdps-operation-type": "iotdps-register"}, body)
        reply, delivery_id = first, 1
        deadline = time.monotonic() + 30
        while reply.get("status") == "assigning" and time.monotonic() < deadline:
            time.sleep(int(properties.get("retry-after", 1)))  # the server's own hint
            properties, reply = request(peer, delivery_id, {"iotdps-operation-type": "iotdps-get-operationstatus",
                                                            "iotdps-operation-id": first["operationId"]}, body)
            delivery_id += 1
    finally:
        peer.close()
    registration = reply.get("registrationState") or {}
    return {"outcome": outcome, "segments": segments, "blobSize": len(blob), "firstStatus": first.get("status"),
            "status": reply.get("status"), "assignedHub": registration.get("assignedHub"), "deviceId": registration.get("deviceId"),
            "hasHubKey": bool((registration.get("tpm") or {}).get("authenticationKey"))}


def refusals():
    registration_id = state["registrationId"]
    result = {}
    peer = wire.Peer(host, port, trust)
    try:
        # The SRK where the EK belongs: no enrollment holds it, the exchange ends at the challenge.
        outcome, segments, _ = tpm_sasl(peer, registration_id, tpm.srk, tpm.srk)
        result["unenrolledOutcome"], result["unenrolledSegments"] = outcome, segments
    finally:
        peer.close()
    peer = wire.Peer(host, port, trust)
    try:
        # The real keys, but a SAS the TPM never signed.
        outcome, segments, _ = tpm_sasl(peer, registration_id, tpm.ek, tpm.srk, sign=None)
        result["forgedOutcome"], result["forgedSegments"] = outcome, segments
        result["forgedClosed"] = peer.closed()
    finally:
        peer.close()
    return result


step("setup", setup)
step("register", register)
step("refusals", refusals)
print(json.dumps({"steps": steps}))
