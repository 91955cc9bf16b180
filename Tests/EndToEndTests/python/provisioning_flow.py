"""End-to-end provisioning with the unmodified Azure SDKs.

Usage: provisioning_flow.py CONNECTION_JSON WORK_DIR
Prints one JSON object: {"steps": {name: {"ok": bool, ...details}}}.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

import requests
from azure.iot.device import IoTHubDeviceClient, ProvisioningDeviceClient, X509
from provisioningserviceclient import ProvisioningServiceClient, QuerySpecification
from provisioningserviceclient.models import (AttestationMechanism, EnrollmentGroup, IndividualEnrollment,
                                              InitialTwin)
from provisioningserviceclient.protocol.models import SymmetricKeyAttestation, CustomAllocationDefinition
import paho.mqtt.client as mqtt

conn = json.load(open(sys.argv[1]))
work = sys.argv[2]
os.environ["REQUESTS_CA_BUNDLE"] = conn["trustBundle"]
os.environ["NO_PROXY"] = "*"
trust = open(conn["trustBundle"]).read()
dps_host = conn["dps"]["host"]
scope = conn["idScope"]
hub_hosts = [h["hostName"] for h in conn["hubs"]]
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
steps = {}


def step(name, fn):
    try:
        steps[name] = dict(ok=True, **(fn() or {}))
    except Exception as error:  # every failure is reported, not raised
        steps[name] = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}


def symmetric():
    return AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())


def derive(group_key, registration_id):
    return base64.b64encode(hmac.new(base64.b64decode(group_key), registration_id.encode(), hashlib.sha256).digest()).decode()


def register_sas(registration_id, key, payload=None):
    client = ProvisioningDeviceClient.create_from_symmetric_key(
        provisioning_host=dps_host, registration_id=registration_id, id_scope=scope, symmetric_key=key,
        server_verification_cert=trust)
    if payload is not None:
        client.provisioning_payload = payload
    return client.register()


def register_x509(registration_id, cert_file, key_file):
    client = ProvisioningDeviceClient.create_from_x509_certificate(
        provisioning_host=dps_host, registration_id=registration_id, id_scope=scope,
        x509=X509(cert_file=cert_file, key_file=key_file), server_verification_cert=trust)
    return client.register()


def result_details(result):
    state = result.registration_state
    return {"status": result.status, "assignedHub": state.assigned_hub, "deviceId": state.device_id,
            "substatus": state.sub_status, "payload": state.response_payload}


def refused(fn):
    try:
        fn()
    except Exception as error:
        return {"refused": True, "error": type(error).__name__}
    return {"refused": False}


def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def make_key(name):
    path = os.path.join(work, name + ".key")
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", path)
    return path


def make_cert(name, subject, issuer=None, ca=False, extensions=None):
    key = make_key(name)
    csr = os.path.join(work, name + ".csr")
    cert = os.path.join(work, name + ".pem")
    ext = os.path.join(work, name + ".ext")
    with open(ext, "w") as f:
        if ca:
            f.write("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n")
        else:
            f.write(extensions or "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n")
    openssl("req", "-new", "-key", key, "-subj", subject, "-out", csr)
    if issuer is None:
        openssl("x509", "-req", "-in", csr, "-signkey", key, "-days", "30", "-extfile", ext, "-out", cert)
    else:
        openssl("x509", "-req", "-in", csr, "-CA", issuer[0], "-CAkey", issuer[1], "-CAcreateserial", "-days", "30",
                "-extfile", ext, "-out", cert)
    return cert, key


def service_token():
    parts = dict(p.split("=", 1) for p in conn["dps"]["serviceConnectionString"].split(";"))
    resource = urllib.parse.quote_plus(parts["HostName"])
    expiry = int(time.time()) + 3600
    sig = base64.b64encode(hmac.new(base64.b64decode(parts["SharedAccessKey"]), ("%s\n%d" % (resource, expiry)).encode(),
                                    hashlib.sha256).digest()).decode()
    return "https://%s" % parts["HostName"], "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=%s" % (
        resource, urllib.parse.quote(sig, safe=""), expiry, parts["SharedAccessKeyName"])


# 1. Enrollment management through the service SDK.
def manage_enrollments():
    twin = InitialTwin.create(tags={"site": "lab"}, desired_properties={"interval": 5})
    created = service.create_or_update(IndividualEnrollment.create("e2e-crud", symmetric(), initial_twin=twin))
    fetched = service.get_individual_enrollment("e2e-crud")
    fetched.provisioning_status = "disabled"
    updated = service.create_or_update(fetched)  # sends If-Match with the etag
    stale = refused(lambda: service.create_or_update(created))  # old etag → 412
    group = service.create_or_update(EnrollmentGroup.create("e2e-crud-group", symmetric()))
    query = service.create_individual_enrollment_query(QuerySpecification(query="*"), page_size=1)
    seen = []
    while True:
        try:
            page = query.next()
        except StopIteration:
            break
        seen += [e.registration_id for e in page]
        if not query.has_next:
            break
    service.delete_individual_enrollment_by_param("e2e-crud")
    service.delete_enrollment_group_by_param("e2e-crud-group")
    gone = refused(lambda: service.get_individual_enrollment("e2e-crud"))
    return {"generatedKeyLength": len(base64.b64decode(created.attestation.symmetric_key.primary_key)),
            "etagChanged": created.etag != updated.etag, "updatedStatus": updated.provisioning_status,
            "staleEtagRefused": stale["refused"], "groupKeyLength": len(base64.b64decode(group.attestation.symmetric_key.primary_key)),
            "queried": seen, "deletedRefused": gone["refused"]}


step("manageEnrollments", manage_enrollments)


# 2. Symmetric-key individual and group devices over MQTT, then each connects to its hub.
def individual_device():
    twin = InitialTwin.create(tags={"site": "lab"}, desired_properties={"interval": 5})
    enrollment = service.create_or_update(IndividualEnrollment.create("sym-ind-1", symmetric(), initial_twin=twin))
    result = register_sas("sym-ind-1", enrollment.attestation.symmetric_key.primary_key)
    details = result_details(result)
    client = IoTHubDeviceClient.create_from_symmetric_key(
        symmetric_key=enrollment.attestation.symmetric_key.secondary_key, hostname=details["assignedHub"],
        device_id=details["deviceId"], server_verification_cert=trust)
    client.connect()
    desired = client.get_twin()["desired"]
    client.shutdown()
    details["hubDesired"] = {k: v for k, v in desired.items() if not k.startswith("$")}
    return details


step("symmetricIndividual", individual_device)


def group_device():
    group = service.create_or_update(EnrollmentGroup.create("sym-group-1", symmetric()))
    key = derive(group.attestation.symmetric_key.primary_key, "sym-grp-dev-1")
    details = result_details(register_sas("sym-grp-dev-1", key, payload={"model": "thermo"}))
    client = IoTHubDeviceClient.create_from_symmetric_key(symmetric_key=key, hostname=details["assignedHub"],
                                                          device_id=details["deviceId"], server_verification_cert=trust)
    client.connect()
    client.shutdown()
    details["hubConnected"] = True
    again = result_details(register_sas("sym-grp-dev-1", key))
    details["reRegisteredHub"] = again["assignedHub"]
    return details


step("symmetricGroup", group_device)


# 3. Refusals.
def refusals():
    enrollment = service.create_or_update(IndividualEnrollment.create("sym-disabled", symmetric(), provisioning_status="disabled"))
    disabled = refused(lambda: register_sas("sym-disabled", enrollment.attestation.symmetric_key.primary_key))
    wrong = refused(lambda: register_sas("sym-ind-1", base64.b64encode(b"w" * 32).decode()))
    unknown = refused(lambda: register_sas("nobody-enrolled", base64.b64encode(b"x" * 32).decode()))
    # An expired token, sent with paho because the SDK always makes fresh ones.
    good = service.get_individual_enrollment("sym-ind-1") if False else None
    key = service.create_or_update(IndividualEnrollment.create("sym-expired", symmetric())).attestation.symmetric_key.primary_key
    resource = urllib.parse.quote("%s/registrations/sym-expired" % scope, safe="")
    expiry = int(time.time()) - 60
    sig = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (resource, expiry)).encode(), hashlib.sha256).digest()).decode()
    token = "SharedAccessSignature sr=%s&sig=%s&se=%d" % (resource, urllib.parse.quote(sig, safe=""), expiry)
    outcome = {}
    done = threading.Event()
    client = mqtt.Client(client_id="sym-expired", clean_session=False, protocol=mqtt.MQTTv311)
    client.tls_set_context(ssl.create_default_context(cafile=conn["trustBundle"]))
    client.username_pw_set("%s/registrations/sym-expired/api-version=2019-03-31" % scope, token)
    client.on_connect = lambda c, u, f, rc: (outcome.setdefault("rc", rc), done.set())
    client.connect(dps_host, conn["dps"]["mqttPort"])
    client.loop_start()
    done.wait(20)
    client.loop_stop()
    return {"disabled": disabled["refused"], "wrongKey": wrong["refused"], "unknown": unknown["refused"],
            "expiredTokenConnack": outcome.get("rc")}


step("symmetricRefusals", refusals)


# 4. X.509 individual enrollment (self-signed device certificate).
def x509_individual():
    cert, key = make_cert("x509-ind-1", "/CN=x509-ind-1")
    attestation = AttestationMechanism.create_with_x509_client_certs(open(cert).read())
    service.create_or_update(IndividualEnrollment.create("x509-ind-1", attestation))
    details = result_details(register_x509("x509-ind-1", cert, key))
    client = IoTHubDeviceClient.create_from_x509_certificate(x509=X509(cert_file=cert, key_file=key), hostname=details["assignedHub"],
                                                             device_id=details["deviceId"], server_verification_cert=trust)
    client.connect()
    client.shutdown()
    details["hubConnected"] = True
    other, other_key = make_cert("x509-ind-other", "/CN=x509-ind-1")
    details["otherCertificateRefused"] = refused(lambda: register_x509("x509-ind-1", other, other_key))["refused"]
    return details


step("x509Individual", x509_individual)


# 5. X.509 group: root verified by proof of possession, intermediate and leaf presented by the device.
def x509_group():
    root = make_cert("root-ca", "/CN=E2E Root CA", ca=True)
    intermediate = make_cert("intermediate-ca", "/CN=E2E Intermediate CA", issuer=root, ca=True)
    base, token = service_token()
    headers = {"Authorization": token, "Content-Type": "application/json"}
    upload = requests.put(base + "/certificates/e2e-root?api-version=2021-10-01", headers=headers,
                          data=json.dumps({"certificate": open(root[0]).read()}))
    code_reply = requests.post(base + "/certificates/e2e-root/generateVerificationCode?api-version=2021-10-01", headers=headers)
    code = code_reply.json()["properties"]["verificationCode"]
    proof = make_cert("proof", "/CN=%s" % code, issuer=root)
    verify = requests.post(base + "/certificates/e2e-root/verify?api-version=2021-10-01", headers=headers,
                           data=json.dumps({"certificate": open(proof[0]).read()}))
    service.create_or_update(EnrollmentGroup.create("x509-group-1", AttestationMechanism.create_with_x509_ca_refs("e2e-root")))
    leaf = make_cert("x509-grp-dev-1", "/CN=x509-grp-dev-1", issuer=intermediate)
    chain = os.path.join(work, "x509-grp-dev-1-chain.pem")
    with open(chain, "w") as f:
        f.write(open(leaf[0]).read() + open(intermediate[0]).read())
    details = result_details(register_x509("x509-grp-dev-1", chain, leaf[1]))
    client = IoTHubDeviceClient.create_from_x509_certificate(x509=X509(cert_file=chain, key_file=leaf[1]), hostname=details["assignedHub"],
                                                             device_id=details["deviceId"], server_verification_cert=trust)
    client.connect()
    client.shutdown()
    details["hubConnected"] = True
    details["uploadStatus"] = upload.status_code
    details["verifyStatus"] = verify.status_code
    # A CN that is not the registration id, and a certificate from an unknown CA.
    mismatch = make_cert("x509-grp-mismatch", "/CN=someone-else", issuer=intermediate)
    with open(chain + ".mismatch", "w") as f:
        f.write(open(mismatch[0]).read() + open(intermediate[0]).read())
    details["cnMismatchRefused"] = refused(lambda: register_x509("x509-grp-dev-2", chain + ".mismatch", mismatch[1]))["refused"]
    stranger_root = make_cert("stranger-ca", "/CN=Stranger CA", ca=True)
    stranger = make_cert("x509-stranger", "/CN=x509-stranger", issuer=stranger_root)
    details["unknownCARefused"] = refused(lambda: register_x509("x509-stranger", stranger[0], stranger[1]))["refused"]
    return details


step("x509Group", x509_group)


# 6. Custom allocation: a webhook picks the last hub and returns a payload for the device.
def custom_allocation():
    received = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received["request"] = body
            answer = json.dumps({"iotHubHostName": body["linkedHubs"][-1], "payload": {"chosen": "last", "echo": body["deviceRuntimeContext"].get("payload")},
                                 "initialTwin": {"tags": {"by": "webhook"}, "properties": {"desired": {"mode": "custom"}}}}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer((dps_host, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://%s:%d/allocate" % (dps_host, server.server_address[1])
    enrollment = IndividualEnrollment.create("custom-1", symmetric(), allocation_policy="custom",
                                             custom_allocation_definition=CustomAllocationDefinition(webhook_url=url, api_version="2021-10-01"))
    enrollment = service.create_or_update(enrollment)
    details = result_details(register_sas("custom-1", enrollment.attestation.symmetric_key.primary_key, payload={"hint": 7}))
    server.shutdown()
    request = received.get("request", {})
    details["webhookSawKeys"] = "primaryKey" in json.dumps(request)
    details["webhookLinkedHubs"] = request.get("linkedHubs")
    return details


step("customAllocation", custom_allocation)

# 7. The device REST API (for clients that do not use MQTT): SAS and X.509 over HTTPS.
def device_token(registration_id, key, expiry_offset=3600):
    resource = urllib.parse.quote("%s/registrations/%s" % (scope, registration_id), safe="")
    expiry = int(time.time()) + expiry_offset
    sig = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (resource, expiry)).encode(), hashlib.sha256).digest()).decode()
    return "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=registration" % (resource, urllib.parse.quote(sig, safe=""), expiry)


def https_registration():
    base = "https://%s:%d/%s/registrations" % (dps_host, conn["dps"]["httpsPort"], scope)
    enrollment = service.create_or_update(IndividualEnrollment.create("https-dev-1", symmetric()))
    key = enrollment.attestation.symmetric_key.primary_key
    session = requests.Session()
    headers = {"Authorization": device_token("https-dev-1", key), "Content-Type": "application/json"}
    register = session.put(base + "/https-dev-1/register?api-version=2021-06-01", headers=headers,
                           data=json.dumps({"registrationId": "https-dev-1", "payload": {"via": "https"}}))
    operation = register.json()
    poll = session.get(base + "/https-dev-1/operations/%s?api-version=2021-06-01" % operation["operationId"], headers=headers)
    lookup = session.post(base + "/https-dev-1?api-version=2021-06-01", headers=headers, data=json.dumps({"registrationId": "https-dev-1"}))
    bad = session.put(base + "/https-dev-1/register?api-version=2021-06-01",
                      headers={"Authorization": device_token("https-dev-1", base64.b64encode(b"k" * 32).decode()), "Content-Type": "application/json"},
                      data=json.dumps({"registrationId": "https-dev-1"}))
    cert, cert_key = make_cert("https-x509-1", "/CN=https-x509-1")
    service.create_or_update(IndividualEnrollment.create("https-x509-1", AttestationMechanism.create_with_x509_client_certs(open(cert).read())))
    x509 = requests.put(base + "/https-x509-1/register?api-version=2021-06-01", cert=(cert, cert_key),
                        headers={"Content-Type": "application/json"}, data=json.dumps({"registrationId": "https-x509-1"}))
    x509_poll = requests.get(base + "/https-x509-1/operations/%s?api-version=2021-06-01" % x509.json().get("operationId"), cert=(cert, cert_key))
    return {"registerStatus": register.status_code, "retryAfter": register.headers.get("retry-after"),
            "pollStatus": poll.status_code, "state": poll.json().get("status"),
            "assignedHub": poll.json().get("registrationState", {}).get("assignedHub"),
            "lookupStatus": lookup.status_code, "lookupHub": lookup.json().get("assignedHub"),
            "badKeyStatus": bad.status_code, "badKeyErrorCode": bad.json().get("errorCode"),
            "x509Status": x509.status_code, "x509State": x509_poll.json().get("status")}


step("httpsRegistration", https_registration)


# 8. Certificate issuance: the device sends a CSR with its registration and gets an operational certificate.
def csr_issuance():
    base = "https://%s:%d/%s/registrations" % (dps_host, conn["dps"]["httpsPort"], scope)
    key = service.create_or_update(IndividualEnrollment.create("csr-dev-1", symmetric())).attestation.symmetric_key.primary_key
    headers = {"Authorization": device_token("csr-dev-1", key), "Content-Type": "application/json"}
    private_key = make_key("csr-dev-1")
    der = os.path.join(work, "csr-dev-1.csr.der")
    openssl("req", "-new", "-key", private_key, "-subj", "/CN=csr-dev-1", "-outform", "DER", "-out", der)
    csr = base64.b64encode(open(der, "rb").read()).decode()
    old = requests.put(base + "/csr-dev-1/register?api-version=2021-06-01", headers=headers,
                       data=json.dumps({"registrationId": "csr-dev-1", "csr": csr}))
    wrong_der = os.path.join(work, "csr-wrong.csr.der")
    openssl("req", "-new", "-key", private_key, "-subj", "/CN=somebody-else", "-outform", "DER", "-out", wrong_der)
    wrong = requests.put(base + "/csr-dev-1/register?api-version=2025-07-01-preview", headers=headers,
                         data=json.dumps({"registrationId": "csr-dev-1", "csr": base64.b64encode(open(wrong_der, "rb").read()).decode()}))
    register = requests.put(base + "/csr-dev-1/register?api-version=2025-07-01-preview", headers=headers,
                            data=json.dumps({"registrationId": "csr-dev-1", "csr": csr}))
    status = requests.get(base + "/csr-dev-1/operations/%s?api-version=2025-07-01-preview" % register.json()["operationId"], headers=headers).json()
    chain = status["registrationState"].get("issuedCertificateChain") or []
    pems = []
    for index, element in enumerate(chain):
        path = os.path.join(work, "issued-%d.der" % index)
        open(path, "wb").write(base64.b64decode(element))
        pem = path + ".pem"
        openssl("x509", "-inform", "DER", "-in", path, "-out", pem)
        pems.append(pem)
    verify = subprocess.run(["openssl", "verify", "-CAfile", conn["trustBundle"], "-untrusted", pems[1], "-purpose", "sslclient", pems[0]],
                            capture_output=True, text=True) if len(pems) >= 2 else None
    device_chain = os.path.join(work, "csr-dev-1-chain.pem")
    with open(device_chain, "w") as f:
        f.write(open(pems[0]).read() + open(pems[1]).read())
    client = IoTHubDeviceClient.create_from_x509_certificate(
        x509=X509(cert_file=device_chain, key_file=private_key), hostname=status["registrationState"]["assignedHub"],
        device_id="csr-dev-1", server_verification_cert=trust)
    client.connect()
    client.send_message("issued certificate works")
    client.shutdown()
    lookup = requests.post(base + "/csr-dev-1?api-version=2025-07-01-preview", headers=headers, data=json.dumps({"registrationId": "csr-dev-1"})).json()
    return {"oldApiVersionStatus": old.status_code, "wrongCNStatus": wrong.status_code, "state": status.get("status"),
            "chainLength": len(chain), "opensslVerify": verify.stdout.strip() if verify else None,
            "hubConnected": True, "lookupHasChain": "issuedCertificateChain" in lookup}


step("csrIssuance", csr_issuance)

# 9. Plug and Play: the registration payload's modelId becomes the hub twin's modelId.
def pnp_model_id():
    from azure.iot.hub import IoTHubRegistryManager

    group = service.create_or_update(EnrollmentGroup.create("pnp-group-1", symmetric()))
    key = derive(group.attestation.symmetric_key.primary_key, "pnp-dev-1")
    details = result_details(register_sas("pnp-dev-1", key, payload={"modelId": "dtmi:com:example:Thermostat;1"}))
    hub = next(h for h in conn["hubs"] if h["hostName"] == details["assignedHub"])
    manager = IoTHubRegistryManager.from_connection_string(hub["serviceConnectionString"])
    details["modelId"] = manager.protocol.devices.get_twin(details["deviceId"], None, True).response.json().get("modelId")
    return details


step("pnpModelId", pnp_model_id)

print(json.dumps({"steps": steps, "hubs": hub_hosts}))
