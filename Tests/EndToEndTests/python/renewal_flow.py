"""End-to-end issuance policy, certificate renewal and enrollment disabling, with the Azure SDKs, raw HTTPS and openssl.

Usage: renewal_flow.py CONNECTION_JSON WORK_DIR PROVISIO_BINARY DATA_DIR
Prints one JSON object: {"steps": {name: {"ok": bool, ...details}}}.

The server runs with an issuance policy that maps group "renew-strict" to policy "strict" (P-256 only, a DNS SAN
{deviceId}.devices.example.com required, 30 days, onRenewal: revoke); every other enrollment gets "standard" (keep).
CSRs go over HTTPS (the Python device SDK cannot send one); the SDKs register and connect with the issued certificates.
"""
import json
import os
import sqlite3
import sys
import time
import urllib.request

from azure.iot.device import IoTHubDeviceClient, ProvisioningDeviceClient, X509
from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, IndividualEnrollment
from provisioningserviceclient.protocol.models import SymmetricKeyAttestation

from csr_support import Flow, crl_distribution_point, derive, refused, run, symmetric_key_group, watched

flow = Flow(*sys.argv[1:5])
conn, work, data_dir, dps_host, scope = flow.conn, flow.work, flow.data_dir, flow.dps_host, flow.scope
trust = open(flow.trust_file).read()
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
DROP_DEADLINE = 5.0
steps, groups = flow.steps, {}


def fetch_crl(record):
    url = crl_distribution_point(record["leaf"])
    der = os.path.join(work, "current-%d.crl" % len(os.listdir(work)))
    with urllib.request.urlopen(url, timeout=10) as response:
        open(der, "wb").write(response.read())
    run("openssl", "crl", "-inform", "DER", "-in", der, "-out", der + ".pem")
    return der + ".pem", run("openssl", "crl", "-in", der + ".pem", "-noout", "-text").stdout


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
    groups[name] = symmetric_key_group(service, name)


def sas_headers(group_name, name):
    return {"Authorization": flow.device_token(name, derive(groups[group_name], name))}


# 1. CSRs outside the enrollment's issuance policy are refused with 400 and a message naming the policy.
def policy_refusals():
    group("renew-strict")
    name = "strict-dev-1"
    headers = sas_headers("renew-strict", name)
    _, p384 = flow.make_csr(name, curve="secp384r1", san="DNS:%s.devices.example.com" % name)
    _, no_san = flow.make_csr(name)
    _, wrong_san = flow.make_csr(name, san="DNS:other.devices.example.com")
    results = {}
    for label, csr in (("p384", p384), ("noSAN", no_san), ("wrongSAN", wrong_san)):
        status, body = flow.register_csr(name, csr, headers)
        results[label + "Status"] = status
        results[label + "Message"] = body.get("message", "")
        results[label + "ErrorCode"] = body.get("errorCode")
    return results


flow.step("policyRefusals", policy_refusals)


# 2. Renewal under onRenewal: revoke. Register with a CSR (symmetric key), connect to the hub with the certificate,
#    then register again over TLS with that certificate and a new CSR: the new chain verifies, the old certificate is
#    revoked (superseded) so its live connection drops and the CRL lists it, and the new one connects.
def renewal_revoke():
    name = "strict-dev-1"
    san = "DNS:%s.devices.example.com" % name
    key, csr = flow.make_csr(name, san=san)
    status, body = flow.register_csr(name, csr, sas_headers("renew-strict", name))
    first = flow.save_chain(name, key, body, "first")
    first_text = run("openssl", "x509", "-noout", "-text", "-in", first["leaf"]).stdout
    days = int(run("openssl", "x509", "-noout", "-checkend", str(31 * 86400), "-in", first["leaf"], check=False).returncode == 1)
    client = flow.hub_client(first)
    dropped, when = watched(client)

    new_key, new_csr = flow.make_csr(name, san=san)
    renewed_status, renewed_body = flow.register_csr(name, new_csr, cert=(first["chain"], first["key"]))
    returned = time.monotonic()
    second = flow.save_chain(name, new_key, renewed_body, "second")
    dropped.wait(DROP_DEADLINE)
    client.shutdown()
    crl_pem, crl_text = fetch_crl(first)
    x509_result = renewed_body.get("registrationState", {}).get("x509", {})
    return {"firstVerify": flow.verify(first), "sanPresent": ("DNS:%s.devices.example.com" % name) in first_text,
            "expiresWithin31Days": bool(days), "renewalStatus": renewed_status,
            "renewalEnrollmentGroup": (x509_result.get("enrollmentGroupId")),
            "secondVerify": flow.verify(second, crl_pem), "oldCRLVerify": flow.verify(first, crl_pem),
            "crlListsOld": ("Serial Number: " + first["serial"].upper()) in crl_text,
            "crlReasonSuperseded": "Superseded" in crl_text,
            "oldDropped": dropped.is_set(), "dropAfterRenewal": (when["at"] - returned) if "at" in when else None,
            "newConnects": connects(flow.hub_client(second)), "oldReconnectRefused": not connects(flow.hub_client(first)),
            "oldInventory": inventory_row(first["serial"]), "newInventory": inventory_row(second["serial"]),
            "secondSerial": second["serial"]}


flow.step("renewalRevoke", renewal_revoke)


# 3. Renewal under the default policy (keep): the operational certificate also attests over MQTT with the unmodified
#    SDK although the group is symmetric-key; after renewal the old certificate stays valid, marked superseded.
def renewal_keep():
    group("renew-keep")
    name = "keep-dev-1"
    key, csr = flow.make_csr(name)
    _, body = flow.register_csr(name, csr, sas_headers("renew-keep", name))
    first = flow.save_chain(name, key, body, "keep-first")
    mqtt = ProvisioningDeviceClient.create_from_x509_certificate(
        provisioning_host=dps_host, registration_id=name, id_scope=scope,
        x509=X509(cert_file=first["chain"], key_file=first["key"]), server_verification_cert=trust).register()
    new_key, new_csr = flow.make_csr(name)
    renewed_status, renewed_body = flow.register_csr(name, new_csr, cert=(first["chain"], first["key"]))
    second = flow.save_chain(name, new_key, renewed_body, "keep-second")
    crl_pem, crl_text = fetch_crl(first)
    return {"mqttX509Status": mqtt.status, "mqttHub": mqtt.registration_state.assigned_hub == first["hub"],
            "renewalStatus": renewed_status, "oldCRLVerify": flow.verify(first, crl_pem), "newCRLVerify": flow.verify(second, crl_pem),
            "crlListsOld": first["serial"].upper() in crl_text,
            "oldConnects": connects(flow.hub_client(first)), "newConnects": connects(flow.hub_client(second)),
            "oldInventory": inventory_row(first["serial"]), "secondSerial": second["serial"]}


flow.step("renewalKeep", renewal_keep)


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
    key, csr = flow.make_csr("dis-ind-1")
    _, body = flow.register_csr("dis-ind-1", csr, {"Authorization": flow.device_token(
        "dis-ind-1", individual.attestation.symmetric_key.primary_key)})
    cert = flow.save_chain("dis-ind-1", key, body, "disable")
    other = sas_client()
    other_dropped, other_when = watched(other)
    cert_client = flow.hub_client(cert)
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
    renewal_status, _ = flow.register_csr("dis-ind-1", flow.make_csr("dis-ind-1")[1], cert=(cert["chain"], cert["key"]))
    sas_reconnect = connects(sas_client())
    cert_reconnect = connects(flow.hub_client(cert))

    enrollment = service.get_individual_enrollment("dis-ind-1")
    enrollment.provisioning_status = "enabled"
    service.create_or_update(enrollment)
    return {"groupDropped": other_dropped.is_set(),
            "groupDropSeconds": (other_when["at"] - group_returned) if "at" in other_when else None,
            "individualDropped": cert_dropped.is_set(),
            "individualDropSeconds": (cert_when["at"] - individual_returned) if "at" in cert_when else None,
            "groupReconnectRefused": not sas_reconnect, "individualReconnectRefused": not cert_reconnect,
            "dpsRegistrationRefused": dps_refused, "renewalWhileDisabledStatus": renewal_status,
            "reenabledConnects": connects(flow.hub_client(cert))}


flow.step("disabling", disabling)

print(json.dumps({"steps": steps}))
