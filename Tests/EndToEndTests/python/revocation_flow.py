"""End-to-end certificate revocation with the unmodified Azure SDKs, openssl and the provisio CLI.

Usage: revocation_flow.py CONNECTION_JSON WORK_DIR PROVISIO_BINARY DATA_DIR
Prints one JSON object: {"steps": {name: {"ok": bool, ...details}}}.

Devices get operational certificates from CSRs (symmetric-key group attestation over HTTPS), then use them:
re-registering through an X.509 group that trusts the Provisio root, and connecting to their shard. One device
is revoked with `provisio cert revoke --device` while connected, another through the service API by serial;
a third stays good and is the control for every check.
"""
import base64
import json
import os
import sys
import time
import urllib.parse
import urllib.request

import requests
from azure.iot.device import ProvisioningDeviceClient, X509
from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, EnrollmentGroup

from csr_support import Flow, crl_distribution_point, refused, run, symmetric_key_group, watched

flow = Flow(*sys.argv[1:5])
conn, work, trust_file, dps_host, scope = flow.conn, flow.work, flow.trust_file, flow.dps_host, flow.scope
steps, devices = flow.steps, flow.devices
trust = open(trust_file).read()
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
DROP_DEADLINE = 5.0


def connected_client(device):
    """A connected hub client and an event set (with the time) when its connection drops."""
    client = flow.hub_client(device)
    dropped, when = watched(client, "hello from %s" % device["id"])
    return client, dropped, when


def register_x509(device):
    client = ProvisioningDeviceClient.create_from_x509_certificate(
        provisioning_host=dps_host, registration_id=device["id"], id_scope=scope,
        x509=X509(cert_file=device["chain"], key_file=device["key"]), server_verification_cert=trust)
    return client.register()


def register_x509_https(device):
    return requests.put(flow.registrations + "/%s/register?api-version=2021-06-01" % device["id"], cert=(device["chain"], device["key"]),
                        headers={"Content-Type": "application/json"}, data=json.dumps({"registrationId": device["id"]}))


def ocsp(device, extra=()):
    url = run("openssl", "x509", "-noout", "-ocsp_uri", "-in", device["leaf"]).stdout.strip()
    # A digest option (-sha256) applies to the -cert options after it.
    result = run("openssl", "ocsp", *extra, "-issuer", device["issuing"], "-cert", device["leaf"], "-url", url, "-CAfile", trust_file,
                 check=False)
    text = result.stdout + result.stderr
    status = "good" if ": good" in text else "revoked" if ": revoked" in text else "unknown" if ": unknown" in text else text.strip()
    return status, "Response verify OK" in text, url


# 1. Enrollment: a symmetric-key group for the CSR registrations, an X.509 group trusting the Provisio root.
def setup():
    group_key = symmetric_key_group(service, "rev-csr-group")
    service.create_or_update(EnrollmentGroup.create(
        "rev-x509-group", AttestationMechanism.create_with_x509_signing_certs(trust)))
    for name in ("rev-dev-1", "rev-dev-2", "rev-dev-3"):
        flow.register_with_csr(name, group_key)
    leaf = devices["rev-dev-1"]["leaf"]
    return {"crlDistributionPoint": crl_distribution_point(leaf),
            "ocspURL": run("openssl", "x509", "-noout", "-ocsp_uri", "-in", leaf).stdout.strip(),
            "opensslVerify": flow.verify(devices["rev-dev-1"])}


flow.step("setup", setup)


# 2. Before any revocation: certificates re-register through the X.509 group, and OCSP says good.
def before():
    result = register_x509(devices["rev-dev-2"])
    status, verified, _ = ocsp(devices["rev-dev-1"])
    return {"x509ReRegistration": result.status, "ocspBefore": status, "ocspVerified": verified}


flow.step("beforeRevocation", before)


# 3. `provisio cert revoke --device` while rev-dev-1 is connected: the connection drops within a second.
def cli_revocation():
    device = devices["rev-dev-1"]
    client, dropped, when = connected_client(device)
    started = time.monotonic()
    output = flow.cli("cert", "revoke", "--device", device["id"], "--reason", "keyCompromise").stdout
    returned = time.monotonic()
    dropped.wait(DROP_DEADLINE)
    client.shutdown()
    return {"dropped": dropped.is_set(), "dropAfterRevocation": (when["at"] - returned) if "at" in when else None,
            "dropAfterCommandStart": (when["at"] - started) if "at" in when else None,
            "commandSeconds": returned - started, "revokedSerial": output.split("\t")[1] if "\t" in output else output}


flow.step("cliRevocation", cli_revocation)


# 4. The revoked certificate is refused everywhere: reconnecting, and re-registering over MQTT and HTTPS.
def refusals():
    device = devices["rev-dev-1"]
    reconnect, reconnect_error = refused(lambda: flow.hub_client(device).connect())
    mqtt, mqtt_error = refused(lambda: register_x509(device))
    https = register_x509_https(device)
    return {"reconnectRefused": reconnect, "reconnectError": reconnect_error, "mqttReRegistrationRefused": mqtt,
            "mqttError": mqtt_error, "httpsReRegistrationStatus": https.status_code,
            "httpsErrorCode": https.json().get("errorCode") if https.content else None}


flow.step("refusals", refusals)


# 5. The CRL at the certificate's CDP URL lists it; openssl verify -crl_check rejects it and accepts the control.
def crl():
    url = steps["setup"]["crlDistributionPoint"]
    der = os.path.join(work, "issuing.crl")
    with urllib.request.urlopen(url, timeout=10) as response:
        content_type = response.headers.get("Content-Type")
        open(der, "wb").write(response.read())
    text = run("openssl", "crl", "-inform", "DER", "-in", der, "-noout", "-text").stdout
    pem = der + ".pem"
    run("openssl", "crl", "-inform", "DER", "-in", der, "-out", pem)
    signature = run("openssl", "crl", "-in", pem, "-noout", "-CAfile", devices["rev-dev-1"]["issuing"], "-verify", check=False)
    return {"contentType": content_type, "listsRevoked": ("Serial Number: " + devices["rev-dev-1"]["serial"].upper()) in text,
            "listsControl": devices["rev-dev-2"]["serial"].upper() in text, "reasonShown": "Key Compromise" in text,
            "signatureVerified": "verify OK" in (signature.stdout + signature.stderr),
            "revokedVerify": flow.verify(devices["rev-dev-1"], pem, purpose=None),
            "controlVerify": flow.verify(devices["rev-dev-2"], pem, purpose=None)}


flow.step("crl", crl)


# 6. OCSP at the AIA URL: revoked for the revoked certificate, good for the control, over POST (openssl) and GET.
def ocsp_checks():
    revoked, revoked_verified, url = ocsp(devices["rev-dev-1"])
    good, good_verified, _ = ocsp(devices["rev-dev-2"], extra=("-sha256",))
    request = os.path.join(work, "get-request.der")
    run("openssl", "ocsp", "-issuer", devices["rev-dev-1"]["issuing"], "-cert", devices["rev-dev-1"]["leaf"], "-no_nonce",
        "-reqout", request)
    encoded = urllib.parse.quote(base64.b64encode(open(request, "rb").read()).decode(), safe="")
    response = os.path.join(work, "get-response.der")
    with urllib.request.urlopen(url + "/" + encoded, timeout=10) as answer:
        open(response, "wb").write(answer.read())
    get = run("openssl", "ocsp", "-respin", response, "-issuer", devices["rev-dev-1"]["issuing"], "-cert",
              devices["rev-dev-1"]["leaf"], "-CAfile", trust_file, "-no_nonce", check=False)
    get_text = get.stdout + get.stderr
    return {"revoked": revoked, "revokedVerified": revoked_verified, "good": good, "goodVerified": good_verified,
            "getRevoked": ": revoked" in get_text and "Response verify OK" in get_text}


flow.step("ocsp", ocsp_checks)


# 7. The service API revokes by serial (uppercase, as openssl prints it); rev-dev-3's live connection drops.
def api_revocation():
    device = devices["rev-dev-3"]
    client, dropped, when = connected_client(device)
    base, token = flow.service_token()
    answer = requests.post(base + "/certificates/revoke?api-version=2021-10-01",
                           headers={"Authorization": token, "Content-Type": "application/json"},
                           data=json.dumps({"serialNumber": device["serial"].upper(), "reason": "cessationOfOperation"}))
    returned = time.monotonic()
    dropped.wait(DROP_DEADLINE)
    client.shutdown()
    body = answer.json()
    unknown = requests.post(base + "/certificates/revoke?api-version=2021-10-01",
                            headers={"Authorization": token, "Content-Type": "application/json"},
                            data=json.dumps({"deviceId": "nobody-here"}))
    unauthenticated = requests.post(base + "/certificates/revoke?api-version=2021-10-01",
                                    headers={"Content-Type": "application/json"}, data=json.dumps({"deviceId": device["id"]}))
    listing = requests.get(base + "/issuedCertificates?revoked=true&api-version=2021-10-01", headers={"Authorization": token})
    status, _, _ = ocsp(device)
    return {"status": answer.status_code, "revokedSerials": [entry["serialNumber"] for entry in body.get("revoked", [])],
            "reason": (body.get("revoked") or [{}])[0].get("revocationReason"), "dropped": dropped.is_set(),
            "dropAfterRevocation": (when["at"] - returned) if "at" in when else None, "ocsp": status,
            "unknownStatus": unknown.status_code, "unauthenticatedStatus": unauthenticated.status_code,
            "listedRevoked": sorted(entry["serialNumber"] for entry in listing.json())}


flow.step("apiRevocation", api_revocation)


# 8. The control device still connects; the CLI lists what happened.
def control_and_listing():
    client = flow.hub_client(devices["rev-dev-2"])
    client.connect()
    client.send_message("still trusted")
    client.shutdown()
    revoked = json.loads(flow.cli("cert", "list", "--revoked", "--json").stdout)
    mine = flow.cli("cert", "list", "--device", "rev-dev-2").stdout.strip().splitlines()
    expiring = flow.cli("cert", "list", "--expiring", "400d").stdout
    return {"controlConnected": True, "cliRevoked": sorted(entry["serialNumber"] for entry in revoked),
            "cliReasons": sorted(entry.get("revocationReason", "") for entry in revoked),
            "controlStatus": mine[0].split("\t")[1] if mine else None,
            "expiringListsControl": devices["rev-dev-2"]["serial"] in expiring,
            "expiringListsRevoked": devices["rev-dev-1"]["serial"] in expiring}


flow.step("controlAndListing", control_and_listing)

print(json.dumps({"steps": steps, "serials": {name: device["serial"] for name, device in devices.items()}}))
