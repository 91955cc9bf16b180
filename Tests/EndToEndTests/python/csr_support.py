"""Helpers shared by the certificate end-to-end scripts (revocation, CA rotation, renewal, TPM EK certificates): steps
reported as JSON, openssl and the provisio CLI as subprocesses, SAS tokens, and HTTPS DPS registration with a CSR
(api-version 2025-07-01-preview) whose issued chain is written to PEM files in the work directory."""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import threading
import time
import urllib.parse

import requests

from routing_support import setup, token

CSR_API = "2025-07-01-preview"


def step(steps, name, fn):
    """Records fn's result as steps[name] = {"ok": True, ...details}, or {"ok": False, "error": ...} if it raised."""
    try:
        steps[name] = dict(ok=True, **(fn() or {}))
    except Exception as error:  # every failure is reported, not raised
        steps[name] = {"ok": False, "error": "%s: %s" % (type(error).__name__, error)}


class StepFailure(Exception):
    """A step's expectation did not hold (reported in the step's error)."""


def check(condition, message):
    if not condition:
        raise StepFailure(message)


def run(*args, check=True):
    result = subprocess.run(list(args), capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(args[:3]), result.returncode, result.stderr.strip()))
    return result


def derive(group_key, registration_id):
    return base64.b64encode(hmac.new(base64.b64decode(group_key), registration_id.encode(), hashlib.sha256).digest()).decode()


def refused(fn):
    try:
        fn()
    except Exception as error:
        return True, type(error).__name__
    return False, None


def symmetric_key_group(service, name):
    """Creates a symmetric-key enrollment group with the service SDK; returns its primary key."""
    from provisioningserviceclient.models import AttestationMechanism, EnrollmentGroup
    from provisioningserviceclient.protocol.models import SymmetricKeyAttestation
    created = service.create_or_update(EnrollmentGroup.create(
        name, AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
    return created.attestation.symmetric_key.primary_key


def watched(client, message="hello"):
    """Connects `client`, sends one message, and returns an event set (with the time) when the connection drops."""
    dropped, when = threading.Event(), {}

    def on_state_change():
        if not client.connected and not dropped.is_set():
            when["at"] = time.monotonic()
            dropped.set()

    client.on_connection_state_change = on_state_change
    client.connect()
    client.send_message(message)
    return dropped, when


def crl_distribution_point(leaf):
    """The URI of the certificate's CRL distribution point, or None."""
    text = run("openssl", "x509", "-noout", "-ext", "crlDistributionPoints", "-in", leaf).stdout
    return next((line.strip()[4:] for line in text.splitlines() if "URI:" in line), None)


class Flow:
    """One script's installation (connection.json, with requests pointed at its trust bundle), work directory,
    provisio binary and data directory, and the results of its steps."""

    def __init__(self, connection_json, work, provisio=None, data_dir=None):
        self.conn = setup(connection_json)
        self.work, self.provisio, self.data_dir = work, provisio, data_dir
        self.trust_file = self.conn["trustBundle"]
        self.dps_host, self.scope = self.conn["dps"]["host"], self.conn["idScope"]
        self.registrations = "https://%s:%d/%s/registrations" % (self.dps_host, self.conn["dps"]["httpsPort"], self.scope)
        self.steps = {}
        self.devices = {}  # registration id -> record, for every register_with_csr

    def step(self, name, fn):
        step(self.steps, name, fn)

    def cli(self, *args, check=True):
        result = run(self.provisio, *args, "--data-dir", self.data_dir, check=False)
        if check and result.returncode != 0:
            raise RuntimeError("provisio %s failed: %s" % (" ".join(args), result.stderr.strip()))
        return result

    def device_token(self, registration_id, key):
        resource = urllib.parse.quote("%s/registrations/%s" % (self.scope, registration_id), safe="")
        expiry = int(time.time()) + 3600
        sig = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (resource, expiry)).encode(), hashlib.sha256).digest()).decode()
        return "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=registration" % (resource, urllib.parse.quote(sig, safe=""), expiry)

    def service_token(self):
        """The DPS service API's base URL and a SAS token for the policy of its service connection string."""
        connection_string = self.conn["dps"]["serviceConnectionString"]
        host = dict(p.split("=", 1) for p in connection_string.split(";"))["HostName"]
        return "https://%s" % host, token(connection_string)

    def make_csr(self, name, curve="prime256v1", san=None):
        """A new key and a DER CSR with CN=registration id (and a requested SAN); returns (key file, base64 CSR)."""
        key = os.path.join(self.work, "%s-%d.key" % (name, len(os.listdir(self.work))))
        run("openssl", "ecparam", "-name", curve, "-genkey", "-noout", "-out", key)
        der = key + ".csr.der"
        extra = ["-addext", "subjectAltName=" + san] if san else []
        run("openssl", "req", "-new", "-key", key, "-subj", "/CN=" + name, *extra, "-outform", "DER", "-out", der)
        return key, base64.b64encode(open(der, "rb").read()).decode()

    def register_csr(self, name, csr, headers=None, cert=None):
        """PUT register with a CSR (SAS header or client certificate), then poll; returns (status code, body)."""
        headers = dict(headers or {}, **{"Content-Type": "application/json"})
        answer = requests.put(self.registrations + "/%s/register?api-version=%s" % (name, CSR_API), headers=headers, cert=cert,
                              data=json.dumps({"registrationId": name, "csr": csr}))
        if answer.status_code != 202:
            return answer.status_code, answer.json() if answer.content else {}
        deadline = time.monotonic() + 20
        while True:
            status = requests.get(self.registrations + "/%s/operations/%s?api-version=%s" % (name, answer.json()["operationId"], CSR_API),
                                  headers=headers, cert=cert)
            if status.json().get("status") != "assigning" or time.monotonic() > deadline:
                return status.status_code, status.json()
            time.sleep(0.2)

    def save_chain(self, name, key, body, label=None):
        """Writes the issued chain as PEM files (named after `name` and `label`); returns the certificate record, whose
        serial is lowercase hex."""
        state = body.get("registrationState", {})
        if body.get("status") != "assigned":
            raise RuntimeError("registration of %s ended %s" % (name, body))
        prefix = name if label is None else "%s-%s" % (name, label)
        files = []
        for index, element in enumerate(state["issuedCertificateChain"]):
            path = os.path.join(self.work, "%s-%d.pem" % (prefix, index))
            open(path + ".der", "wb").write(base64.b64decode(element))
            run("openssl", "x509", "-inform", "DER", "-in", path + ".der", "-out", path)
            files.append(path)
        chain = os.path.join(self.work, prefix + "-chain.pem")
        with open(chain, "w") as handle:
            handle.write(open(files[0]).read() + open(files[1]).read())
        serial = run("openssl", "x509", "-noout", "-serial", "-in", files[0]).stdout.strip().split("=", 1)[1].lower()
        return {"id": name, "key": key, "leaf": files[0], "issuing": files[1], "chain": chain, "serial": serial,
                "hub": state["assignedHub"], "deviceId": state["deviceId"]}

    def register_with_csr(self, registration_id, group_key):
        """Registers through a symmetric-key group over HTTPS with a CSR; writes key, leaf, issuing CA and chain files;
        returns the device record (also kept in self.devices)."""
        key, csr = self.make_csr(registration_id)
        _, body = self.register_csr(registration_id, csr,
                                    {"Authorization": self.device_token(registration_id, derive(group_key, registration_id))})
        record = self.save_chain(registration_id, key, body)
        self.devices[registration_id] = record
        return record

    def hub_client(self, record):
        """A device SDK client for the record's shard with its certificate (the trust bundle read afresh: it changes
        when the CA rotates)."""
        from azure.iot.device import IoTHubDeviceClient, X509
        return IoTHubDeviceClient.create_from_x509_certificate(
            x509=X509(cert_file=record["chain"], key_file=record["key"]), hostname=record["hub"], device_id=record["deviceId"],
            server_verification_cert=open(self.trust_file).read(), connection_retry=False)

    def verify(self, record, crl=None, purpose="sslclient"):
        """openssl verify of the record's leaf against the trust bundle (with a CRL if given); returns its output."""
        args = ["openssl", "verify", "-CAfile", self.trust_file, "-untrusted", record["issuing"]]
        if purpose:
            args += ["-purpose", purpose]
        if crl:
            args += ["-crl_check", "-CRLfile", crl]
        result = run(*args, record["leaf"], check=False)
        return (result.stdout + result.stderr).strip()
