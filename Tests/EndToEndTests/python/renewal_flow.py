"""End-to-end issuance policy, certificate renewal and enrollment disabling, with the Azure SDKs, raw HTTPS and openssl.

Usage: renewal_flow.py CONNECTION_JSON WORK_DIR PROVISIO_BINARY DATA_DIR
Prints one JSON object: {"steps": {name: {"ok": bool, ...details}}}.

The server runs with an issuance policy that maps group "renew-strict" to policy "strict" (P-256 only, a DNS SAN
{deviceId}.devices.example.com required, 30 days, onRenewal: revoke); every other enrollment gets "standard" (keep).
CSRs go over HTTPS (the Python device SDK cannot send one); the SDKs register and connect with the issued certificates.
"""
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import requests
from azure.iot.device import IoTHubDeviceClient, ProvisioningDeviceClient, X509
from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, EnrollmentGroup, IndividualEnrollment
from provisioningserviceclient.protocol.models import SymmetricKeyAttestation

conn = json.load(open(sys.argv[1]))
work, provisio, data_dir = sys.argv[2], sys.argv[3], sys.argv[4]
os.environ["REQUESTS_CA_BUNDLE"] = conn["trustBundle"]
os.environ["NO_PROXY"] = "*"
for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
    os.environ.pop(proxy, None)
trust_file = conn["trustBundle"]
trust = open(trust_file).read()
dps_host, scope = conn["dps"]["host"], conn["idScope"]
base = "https://%s:%d/%s/registrations" % (dps_host, conn["dps"]["httpsPort"], scope)
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
CSR_API = "2025-07-01-preview"
DROP_DEADLINE = 5.0
steps, groups, certs = {}, {}, {}


def step(name, fn):
    try:
        steps[name] = dict(ok=True, **(fn() or {}))
    except Exception as error:  # every failure is reported, not raised
        steps[name] = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}


def run(*args, check=True):
    result = subprocess.run(list(args), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args[:3]), result.returncode, result.stderr.strip()))
    return result


def derive(group_key, registration_id):
    return base64.b64encode(hmac.new(base64.b64decode(group_key), registration_id.encode(), hashlib.sha256).digest()).decode()


def device_token(registration_id, key):
    resource = urllib.parse.quote("%s/registrations/%s" % (scope, registration_id), safe="")
    expiry = int(time.time()) + 3600
    sig = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (resource, expiry)).encode(), hashlib.sha256).digest()).decode()
    return "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=registration" % (resource, urllib.parse.quote(sig, safe=""), expiry)


def make_csr(name, curve="prime256v1", san=None):
    """A new key and a DER CSR with CN=registration id (and a requested SAN); returns (key file, base64 CSR)."""
    key = os.path.join(work, "%s-%d.key" % (name, len(os.listdir(work))))
    run("openssl", "ecparam", "-name", curve, "-genkey", "-noout", "-out", key)
    der = key + ".csr.der"
    extra = ["-addext", "subjectAltName=" + san] if san else []
    run("openssl", "req", "-new", "-key", key, "-subj", "/CN=" + name, *extra, "-outform", "DER", "-out", der)
    return key, base64.b64encode(open(der, "rb").read()).decode()


def register_csr(name, csr, headers=None, cert=None):
    """PUT register with a CSR (SAS header or client certificate), then poll; returns (status code, body)."""
    headers = dict(headers or {}, **{"Content-Type": "application/json"})
    answer = requests.put(base + "/%s/register?api-version=%s" % (name, CSR_API), headers=headers, cert=cert,
                          data=json.dumps({"registrationId": name, "csr": csr}))
    if answer.status_code != 202:
        return answer.status_code, answer.json() if answer.content else {}
    deadline = time.monotonic() + 20
    while True:
        status = requests.get(base + "/%s/operations/%s?api-version=%s" % (name, answer.json()["operationId"], CSR_API),
                              headers=headers, cert=cert)
        if status.json().get("status") != "assigning" or time.monotonic() > deadline:
            return status.status_code, status.json()
        time.sleep(0.2)


def save_chain(name, key, body, label):
    """Writes the issued chain as PEM files; returns the certificate record."""
    state = body.get("registrationState", {})
    if body.get("status") != "assigned":
        raise RuntimeError("registration of %s ended %s" % (name, body))
    files = []
    for index, element in enumerate(state["issuedCertificateChain"]):
        path = os.path.join(work, "%s-%s-%d.pem" % (name, label, index))
        open(path + ".der", "wb").write(base64.b64decode(element))
        run("openssl", "x509", "-inform", "DER", "-in", path + ".der", "-out", path)
        files.append(path)
    chain = os.path.join(work, "%s-%s-chain.pem" % (name, label))
    with open(chain, "w") as handle:
        handle.write(open(files[0]).read() + open(files[1]).read())
    serial = run("openssl", "x509", "-noout", "-serial", "-in", files[0]).stdout.strip().split("=", 1)[1].lower()
    record = {"id": name, "key": key, "leaf": files[0], "issuing": files[1], "chain": chain, "serial": serial,
              "hub": state["assignedHub"], "deviceId": state["deviceId"]}
    certs[label] = record
    return record


def verify(record, crl=None):
    args = ["openssl", "verify", "-CAfile", trust_file, "-untrusted", record["issuing"], "-purpose", "sslclient"]
    if crl:
        args += ["-crl_check", "-CRLfile", crl]
    result = run(*args, record["leaf"], check=False)
    return (result.stdout + result.stderr).strip()


def fetch_crl(record):
    text = run("openssl", "x509", "-noout", "-ext", "crlDistributionPoints", "-in", record["leaf"]).stdout
    url = next(line.strip()[4:] for line in text.splitlines() if "URI:" in line)
    der = os.path.join(work, "current-%d.crl" % len(os.listdir(work)))
    with urllib.request.urlopen(url, timeout=10) as response:
        open(der, "wb").write(response.read())
    run("openssl", "crl", "-inform", "DER", "-in", der, "-out", der + ".pem")
    return der + ".pem", run("openssl", "crl", "-in", der + ".pem", "-noout", "-text").stdout


def hub_x509(record):
    return IoTHubDeviceClient.create_from_x509_certificate(
        x509=X509(cert_file=record["chain"], key_file=record["key"]), hostname=record["hub"], device_id=record["deviceId"],
        server_verification_cert=trust, connection_retry=False)


def watched(client):
    """Connects `client`, sends one message, and returns an event set (with the time) when the connection drops."""
    dropped, when = threading.Event(), {}

    def on_state_change():
        if not client.connected and not dropped.is_set():
            when["at"] = time.monotonic()
            dropped.set()

    client.on_connection_state_change = on_state_change
    client.connect()
    client.send_message("hello")
    return dropped, when


def refused(fn):
    try:
        fn()
    except Exception as error:
        return True, type(error).__name__
    return False, None


def connects(client):
    try:
        client.connect()
        client.send_message("still here")
        return True
    except Exception:
        return False
    finally:
        client.shutdown()


def inventory_row(serial):
    db = sqlite3.connect("file:%s?mode=ro" % os.path.join(data_dir, "provisio.sqlite"), uri=True)
    try:
        row = db.execute("SELECT status, supersededBy, revocationReason FROM issued_certificate WHERE serialNumber = ?",
                         (serial,)).fetchone()
    finally:
        db.close()
    return {"status": row[0], "supersededBy": row[1], "revocationReason": row[2]} if row else None


def group(name):
    created = service.create_or_update(EnrollmentGroup.create(
        name, AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
    groups[name] = created.attestation.symmetric_key.primary_key
    return created


def sas_headers(group_name, name):
    return {"Authorization": device_token(name, derive(groups[group_name], name))}


# 1. CSRs outside the enrollment's issuance policy are refused with 400 and a message naming the policy.
def policy_refusals():
    group("renew-strict")
    name = "strict-dev-1"
    headers = sas_headers("renew-strict", name)
    _, p384 = make_csr(name, curve="secp384r1", san="DNS:%s.devices.example.com" % name)
    _, no_san = make_csr(name)
    _, wrong_san = make_csr(name, san="DNS:other.devices.example.com")
    results = {}
    for label, csr in (("p384", p384), ("noSAN", no_san), ("wrongSAN", wrong_san)):
        status, body = register_csr(name, csr, headers)
        results[label + "Status"] = status
        results[label + "Message"] = body.get("message", "")
        results[label + "ErrorCode"] = body.get("errorCode")
    return results


step("policyRefusals", policy_refusals)


# 2. Renewal under onRenewal: revoke. Register with a CSR (symmetric key), connect to the hub with the certificate,
#    then register again over TLS with that certificate and a new CSR: the new chain verifies, the old certificate is
#    revoked (superseded) so its live connection drops and the CRL lists it, and the new one connects.
def renewal_revoke():
    name = "strict-dev-1"
    san = "DNS:%s.devices.example.com" % name
    key, csr = make_csr(name, san=san)
    status, body = register_csr(name, csr, sas_headers("renew-strict", name))
    first = save_chain(name, key, body, "first")
    first_text = run("openssl", "x509", "-noout", "-text", "-in", first["leaf"]).stdout
    days = int(run("openssl", "x509", "-noout", "-checkend", str(31 * 86400), "-in", first["leaf"], check=False).returncode == 1)
    client = hub_x509(first)
    dropped, when = watched(client)

    new_key, new_csr = make_csr(name, san=san)
    renewed_status, renewed_body = register_csr(name, new_csr, cert=(first["chain"], first["key"]))
    returned = time.monotonic()
    second = save_chain(name, new_key, renewed_body, "second")
    dropped.wait(DROP_DEADLINE)
    client.shutdown()
    crl_pem, crl_text = fetch_crl(first)
    x509_result = renewed_body.get("registrationState", {}).get("x509", {})
    return {"firstVerify": verify(first), "sanPresent": ("DNS:%s.devices.example.com" % name) in first_text,
            "expiresWithin31Days": bool(days), "renewalStatus": renewed_status,
            "renewalEnrollmentGroup": (x509_result.get("enrollmentGroupId")),
            "secondVerify": verify(second, crl_pem), "oldCRLVerify": verify(first, crl_pem),
            "crlListsOld": ("Serial Number: " + first["serial"].upper()) in crl_text,
            "crlReasonSuperseded": "Superseded" in crl_text,
            "oldDropped": dropped.is_set(), "dropAfterRenewal": (when["at"] - returned) if "at" in when else None,
            "newConnects": connects(hub_x509(second)), "oldReconnectRefused": not connects(hub_x509(first)),
            "oldInventory": inventory_row(first["serial"]), "newInventory": inventory_row(second["serial"]),
            "secondSerial": second["serial"]}


step("renewalRevoke", renewal_revoke)


# 3. Renewal under the default policy (keep): the operational certificate also attests over MQTT with the unmodified
#    SDK although the group is symmetric-key; after renewal the old certificate stays valid, marked superseded.
def renewal_keep():
    group("renew-keep")
    name = "keep-dev-1"
    key, csr = make_csr(name)
    _, body = register_csr(name, csr, sas_headers("renew-keep", name))
    first = save_chain(name, key, body, "keep-first")
    mqtt = ProvisioningDeviceClient.create_from_x509_certificate(
        provisioning_host=dps_host, registration_id=name, id_scope=scope,
        x509=X509(cert_file=first["chain"], key_file=first["key"]), server_verification_cert=trust).register()
    new_key, new_csr = make_csr(name)
    renewed_status, renewed_body = register_csr(name, new_csr, cert=(first["chain"], first["key"]))
    second = save_chain(name, new_key, renewed_body, "keep-second")
    crl_pem, crl_text = fetch_crl(first)
    return {"mqttX509Status": mqtt.status, "mqttHub": mqtt.registration_state.assigned_hub == first["hub"],
            "renewalStatus": renewed_status, "oldCRLVerify": verify(first, crl_pem), "newCRLVerify": verify(second, crl_pem),
            "crlListsOld": first["serial"].upper() in crl_text,
            "oldConnects": connects(hub_x509(first)), "newConnects": connects(hub_x509(second)),
            "oldInventory": inventory_row(first["serial"]), "secondSerial": second["serial"]}


step("renewalKeep", renewal_keep)


# 4. Disabling through the service API: a SAS device of a group and a certificate device of an individual enrollment,
#    both connected, are dropped promptly; reconnecting is refused at the shard (and registering at DPS).
def disabling():
    group("renew-disable")
    sas_name = "dis-grp-1"
    sas_key = derive(groups["renew-disable"], sas_name)
    registered = ProvisioningDeviceClient.create_from_symmetric_key(
        provisioning_host=dps_host, registration_id=sas_name, id_scope=scope, symmetric_key=sas_key,
        server_verification_cert=trust).register()

    def sas_client():
        return IoTHubDeviceClient.create_from_symmetric_key(
            symmetric_key=sas_key, hostname=registered.registration_state.assigned_hub, device_id=sas_name,
            server_verification_cert=trust, connection_retry=False)

    individual = service.create_or_update(IndividualEnrollment.create(
        "dis-ind-1", AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
    key, csr = make_csr("dis-ind-1")
    _, body = register_csr("dis-ind-1", csr, {"Authorization": device_token(
        "dis-ind-1", individual.attestation.symmetric_key.primary_key)})
    cert = save_chain("dis-ind-1", key, body, "disable")
    other = sas_client()
    other_dropped, other_when = watched(other)
    cert_client = hub_x509(cert)
    cert_dropped, cert_when = watched(cert_client)

    fetched = service.get_enrollment_group("renew-disable")
    fetched.provisioning_status = "disabled"
    service.create_or_update(fetched)
    group_returned = time.monotonic()
    enrollment = service.get_individual_enrollment("dis-ind-1")
    enrollment.provisioning_status = "disabled"
    service.create_or_update(enrollment)
    individual_returned = time.monotonic()
    other_dropped.wait(DROP_DEADLINE)
    cert_dropped.wait(DROP_DEADLINE)
    other.shutdown()
    cert_client.shutdown()
    dps_refused, _ = refused(lambda: ProvisioningDeviceClient.create_from_symmetric_key(
        provisioning_host=dps_host, registration_id=sas_name, id_scope=scope, symmetric_key=sas_key,
        server_verification_cert=trust).register())
    renewal_status, _ = register_csr("dis-ind-1", make_csr("dis-ind-1")[1], cert=(cert["chain"], cert["key"]))
    sas_reconnect = connects(sas_client())
    cert_reconnect = connects(hub_x509(cert))

    enrollment = service.get_individual_enrollment("dis-ind-1")
    enrollment.provisioning_status = "enabled"
    service.create_or_update(enrollment)
    return {"groupDropped": other_dropped.is_set(),
            "groupDropSeconds": (other_when["at"] - group_returned) if "at" in other_when else None,
            "individualDropped": cert_dropped.is_set(),
            "individualDropSeconds": (cert_when["at"] - individual_returned) if "at" in cert_when else None,
            "groupReconnectRefused": not sas_reconnect, "individualReconnectRefused": not cert_reconnect,
            "dpsRegistrationRefused": dps_refused, "renewalWhileDisabledStatus": renewal_status,
            "reenabledConnects": connects(hub_x509(cert))}


step("disabling", disabling)

print(json.dumps({"steps": steps}))
