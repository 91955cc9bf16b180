"""End-to-end certificate revocation with the unmodified Azure SDKs, openssl and the provisio CLI.

Usage: revocation_flow.py CONNECTION_JSON WORK_DIR PROVISIO_BINARY DATA_DIR
Prints one JSON object: {"steps": {name: {"ok": bool, ...details}}}.

Devices get operational certificates from CSRs (symmetric-key group attestation over HTTPS), then use them:
re-registering through an X.509 group that trusts the Provisio root, and connecting to their shard. One device
is revoked with `provisio cert revoke --device` while connected, another through the service API by serial;
a third stays good and is the control for every check.
"""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

import requests
from azure.iot.device import IoTHubDeviceClient, ProvisioningDeviceClient, X509
from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, EnrollmentGroup
from provisioningserviceclient.protocol.models import SymmetricKeyAttestation

conn = json.load(open(sys.argv[1]))
work, provisio, data_dir = sys.argv[2], sys.argv[3], sys.argv[4]
os.environ["REQUESTS_CA_BUNDLE"] = conn["trustBundle"]
os.environ["NO_PROXY"] = "*"
for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
    os.environ.pop(proxy, None)
trust_file = conn["trustBundle"]
trust = open(trust_file).read()
dps_host = conn["dps"]["host"]
scope = conn["idScope"]
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
CSR_API = "2025-07-01-preview"
DROP_DEADLINE = 5.0
steps = {}
devices = {}


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


def service_token():
    parts = dict(p.split("=", 1) for p in conn["dps"]["serviceConnectionString"].split(";"))
    resource = urllib.parse.quote_plus(parts["HostName"])
    expiry = int(time.time()) + 3600
    sig = base64.b64encode(hmac.new(base64.b64decode(parts["SharedAccessKey"]), ("%s\n%d" % (resource, expiry)).encode(),
                                    hashlib.sha256).digest()).decode()
    return "https://%s" % parts["HostName"], "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=%s" % (
        resource, urllib.parse.quote(sig, safe=""), expiry, parts["SharedAccessKeyName"])


def register_with_csr(registration_id, group_key):
    """Registers over HTTPS with a CSR; writes key, leaf, issuing CA and chain files; returns the device record."""
    base = "https://%s:%d/%s/registrations" % (dps_host, conn["dps"]["httpsPort"], scope)
    headers = {"Authorization": device_token(registration_id, derive(group_key, registration_id)), "Content-Type": "application/json"}
    key = os.path.join(work, registration_id + ".key")
    run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key)
    der = os.path.join(work, registration_id + ".csr.der")
    run("openssl", "req", "-new", "-key", key, "-subj", "/CN=" + registration_id, "-outform", "DER", "-out", der)
    register = requests.put(base + "/%s/register?api-version=%s" % (registration_id, CSR_API), headers=headers,
                            data=json.dumps({"registrationId": registration_id, "csr": base64.b64encode(open(der, "rb").read()).decode()}))
    register.raise_for_status()
    deadline = time.monotonic() + 20
    while True:
        status = requests.get(base + "/%s/operations/%s?api-version=%s" % (registration_id, register.json()["operationId"], CSR_API),
                              headers=headers).json()
        if status.get("status") != "assigning" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    if status.get("status") != "assigned":
        raise RuntimeError("registration of %s ended %s" % (registration_id, status))
    files = []
    for index, element in enumerate(status["registrationState"]["issuedCertificateChain"]):
        path = os.path.join(work, "%s-%d.pem" % (registration_id, index))
        open(path + ".der", "wb").write(base64.b64decode(element))
        run("openssl", "x509", "-inform", "DER", "-in", path + ".der", "-out", path)
        files.append(path)
    chain = os.path.join(work, registration_id + "-chain.pem")
    with open(chain, "w") as handle:
        handle.write(open(files[0]).read() + open(files[1]).read())
    serial = run("openssl", "x509", "-noout", "-serial", "-in", files[0]).stdout.strip().split("=", 1)[1]
    record = {"id": registration_id, "key": key, "leaf": files[0], "issuing": files[1], "chain": chain, "serial": serial,
              "hub": status["registrationState"]["assignedHub"]}
    devices[registration_id] = record
    return record


def hub_client(device):
    return IoTHubDeviceClient.create_from_x509_certificate(
        x509=X509(cert_file=device["chain"], key_file=device["key"]), hostname=device["hub"], device_id=device["id"],
        server_verification_cert=trust, connection_retry=False)


def connected_client(device):
    """A connected hub client and an event set (with the time) when its connection drops."""
    client = hub_client(device)
    dropped = threading.Event()
    when = {}

    def on_state_change():
        if not client.connected and not dropped.is_set():
            when["at"] = time.monotonic()
            dropped.set()

    client.on_connection_state_change = on_state_change
    client.connect()
    client.send_message("hello from %s" % device["id"])
    return client, dropped, when


def refused(fn):
    try:
        fn()
    except Exception as error:
        return True, type(error).__name__
    return False, None


def register_x509(device):
    client = ProvisioningDeviceClient.create_from_x509_certificate(
        provisioning_host=dps_host, registration_id=device["id"], id_scope=scope,
        x509=X509(cert_file=device["chain"], key_file=device["key"]), server_verification_cert=trust)
    return client.register()


def register_x509_https(device):
    base = "https://%s:%d/%s/registrations" % (dps_host, conn["dps"]["httpsPort"], scope)
    return requests.put(base + "/%s/register?api-version=2021-06-01" % device["id"], cert=(device["chain"], device["key"]),
                        headers={"Content-Type": "application/json"}, data=json.dumps({"registrationId": device["id"]}))


def ocsp(device, extra=()):
    url = run("openssl", "x509", "-noout", "-ocsp_uri", "-in", device["leaf"]).stdout.strip()
    # A digest option (-sha256) applies to the -cert options after it.
    result = run("openssl", "ocsp", *extra, "-issuer", device["issuing"], "-cert", device["leaf"], "-url", url, "-CAfile", trust_file,
                 check=False)
    text = result.stdout + result.stderr
    status = "good" if ": good" in text else "revoked" if ": revoked" in text else "unknown" if ": unknown" in text else text.strip()
    return status, "Response verify OK" in text, url


def crl_check(device, crl_pem):
    result = run("openssl", "verify", "-crl_check", "-CAfile", trust_file, "-untrusted", device["issuing"], "-CRLfile", crl_pem,
                 device["leaf"], check=False)
    return (result.stdout + result.stderr).strip()


def cli(*args):
    result = run(provisio, *args, "--data-dir", data_dir, check=False)
    if result.returncode != 0:
        raise RuntimeError("provisio %s failed: %s" % (" ".join(args), result.stderr.strip()))
    return result.stdout


# 1. Enrollment: a symmetric-key group for the CSR registrations, an X.509 group trusting the Provisio root.
def setup():
    group = service.create_or_update(EnrollmentGroup.create(
        "rev-csr-group", AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
    service.create_or_update(EnrollmentGroup.create(
        "rev-x509-group", AttestationMechanism.create_with_x509_signing_certs(trust)))
    for name in ("rev-dev-1", "rev-dev-2", "rev-dev-3"):
        register_with_csr(name, group.attestation.symmetric_key.primary_key)
    leaf = devices["rev-dev-1"]["leaf"]
    cdp = run("openssl", "x509", "-noout", "-ext", "crlDistributionPoints", "-in", leaf).stdout
    verify = run("openssl", "verify", "-CAfile", trust_file, "-untrusted", devices["rev-dev-1"]["issuing"], "-purpose", "sslclient",
                 leaf, check=False)
    return {"crlDistributionPoint": next((line.strip()[4:] for line in cdp.splitlines() if "URI:" in line), None),
            "ocspURL": run("openssl", "x509", "-noout", "-ocsp_uri", "-in", leaf).stdout.strip(),
            "opensslVerify": verify.stdout.strip()}


step("setup", setup)


# 2. Before any revocation: certificates re-register through the X.509 group, and OCSP says good.
def before():
    result = register_x509(devices["rev-dev-2"])
    status, verified, _ = ocsp(devices["rev-dev-1"])
    return {"x509ReRegistration": result.status, "ocspBefore": status, "ocspVerified": verified}


step("beforeRevocation", before)


# 3. `provisio cert revoke --device` while rev-dev-1 is connected: the connection drops within a second.
def cli_revocation():
    device = devices["rev-dev-1"]
    client, dropped, when = connected_client(device)
    started = time.monotonic()
    output = cli("cert", "revoke", "--device", device["id"], "--reason", "keyCompromise")
    returned = time.monotonic()
    dropped.wait(DROP_DEADLINE)
    client.shutdown()
    return {"dropped": dropped.is_set(), "dropAfterRevocation": (when["at"] - returned) if "at" in when else None,
            "dropAfterCommandStart": (when["at"] - started) if "at" in when else None,
            "commandSeconds": returned - started, "revokedSerial": output.split("\t")[1] if "\t" in output else output}


step("cliRevocation", cli_revocation)


# 4. The revoked certificate is refused everywhere: reconnecting, and re-registering over MQTT and HTTPS.
def refusals():
    device = devices["rev-dev-1"]
    reconnect, reconnect_error = refused(lambda: hub_client(device).connect())
    mqtt, mqtt_error = refused(lambda: register_x509(device))
    https = register_x509_https(device)
    return {"reconnectRefused": reconnect, "reconnectError": reconnect_error, "mqttReRegistrationRefused": mqtt,
            "mqttError": mqtt_error, "httpsReRegistrationStatus": https.status_code,
            "httpsErrorCode": https.json().get("errorCode") if https.content else None}


step("refusals", refusals)


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
    return {"contentType": content_type, "listsRevoked": ("Serial Number: " + devices["rev-dev-1"]["serial"]) in text,
            "listsControl": devices["rev-dev-2"]["serial"] in text, "reasonShown": "Key Compromise" in text,
            "signatureVerified": "verify OK" in (signature.stdout + signature.stderr),
            "revokedVerify": crl_check(devices["rev-dev-1"], pem), "controlVerify": crl_check(devices["rev-dev-2"], pem)}


step("crl", crl)


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


step("ocsp", ocsp_checks)


# 7. The service API revokes by serial (uppercase, as openssl prints it); rev-dev-3's live connection drops.
def api_revocation():
    device = devices["rev-dev-3"]
    client, dropped, when = connected_client(device)
    base, token = service_token()
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


step("apiRevocation", api_revocation)


# 8. The control device still connects; the CLI lists what happened.
def control_and_listing():
    client = hub_client(devices["rev-dev-2"])
    client.connect()
    client.send_message("still trusted")
    client.shutdown()
    revoked = json.loads(cli("cert", "list", "--revoked", "--json"))
    mine = cli("cert", "list", "--device", "rev-dev-2").strip().splitlines()
    expiring = cli("cert", "list", "--expiring", "400d")
    return {"controlConnected": True, "cliRevoked": sorted(entry["serialNumber"] for entry in revoked),
            "cliReasons": sorted(entry.get("revocationReason", "") for entry in revoked),
            "controlStatus": mine[0].split("\t")[1] if mine else None,
            "expiringListsControl": devices["rev-dev-2"]["serial"].lower() in expiring,
            "expiringListsRevoked": devices["rev-dev-1"]["serial"].lower() in expiring}


step("controlAndListing", control_and_listing)

print(json.dumps({"steps": steps, "serials": {name: device["serial"].lower() for name, device in devices.items()}}))
