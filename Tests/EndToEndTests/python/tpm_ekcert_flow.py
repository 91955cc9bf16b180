"""TPM attestation with EK certificates: swtpm TPMs manufactured by swtpm_setup with a local CA (the stand-in for a
TPM manufacturer) whose certificate the server's TPM attestation policy trusts.

Usage: tpm_ekcert_flow.py CONNECTION_JSON WORK_DIR TCTI_DEVICE TCTI_STRANGER

Steps: read each TPM's EK (0x81010001) and EK certificate (NV 0x01c00002), make an SRK; enroll the device with its
EK certificate through the service REST API and register over HTTPS (challenge, activate, TPM-signed SAS) to
`assigned`; then the refusals: the stranger TPM's EK certificate with the device's EK, a certificate for the
device's EK signed by a CA the policy does not list, no certificate when the policy requires one.
Prints {"steps": {name: {"ok": bool, ...}}}.
"""
import base64
import json
import os
import struct
import subprocess
import sys
import time
import urllib.parse

import requests

from csr_support import Flow

flow = Flow(sys.argv[1], sys.argv[2])
tcti_device, tcti_stranger = sys.argv[3:5]
work, scope, base, steps = flow.work, flow.scope, flow.registrations, flow.steps
API = "?api-version=2021-06-01"
EK_HANDLE, SRK_HANDLE = "0x81010001", "0x81000001"


def der_prefix(data):
    """The DER object at the start of `data` (an NV index may be larger than the certificate it holds)."""
    length = data[1]
    if length < 0x80:
        return data[:2 + length]
    count = length & 0x7F
    return data[:2 + count + int.from_bytes(data[2:2 + count], "big")]


class TPM:
    def __init__(self, name, tcti):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.env = dict(os.environ, TPM2TOOLS_TCTI=tcti)

    def run(self, *args, check=True):
        result = subprocess.run(list(args), env=self.env, cwd=self.dir, capture_output=True, timeout=60)
        if check and result.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(args), result.returncode, result.stderr.decode(errors="replace")))
        return result

    def read(self, name):
        return open(os.path.join(self.dir, name), "rb").read()

    def setup(self):
        deadline = time.monotonic() + 20
        while self.run("tpm2_getrandom", "--hex", "4", check=False).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("swtpm did not answer within 20 s")
            time.sleep(0.1)  # polling a condition with a deadline
        # swtpm_setup made the EK persistent at 0x81010001 and stored its certificate in NV.
        self.run("tpm2_readpublic", "-c", EK_HANDLE, "-o", "ek.pub")
        self.run("tpm2_readpublic", "-c", EK_HANDLE, "-f", "pem", "-o", "ek.pem")
        self.run("tpm2_nvread", "0x1c00002", "-o", "ekcert.der")
        self.run("tpm2_createprimary", "-C", "o", "-c", "srk.ctx")
        self.run("tpm2_evictcontrol", "-C", "o", "-c", "srk.ctx", SRK_HANDLE)
        self.run("tpm2_flushcontext", "-t")
        self.run("tpm2_readpublic", "-c", SRK_HANDLE, "-o", "srk.pub")
        self.ek, self.srk = self.read("ek.pub"), self.read("srk.pub")
        self.ek_cert = der_prefix(self.read("ekcert.der"))

    def import_key(self, blob, name):
        fields, offset = [], 0
        for _ in range(6):
            size = struct.unpack(">H", blob[offset:offset + 2])[0]
            fields.append(blob[offset:offset + 2 + size])
            offset += 2 + size
        id_object, secret, duplicate, seed, public, _ = fields
        for suffix, data in (("cred", b"\xba\xdc\xc0\xde\x00\x00\x00\x01" + id_object + secret),
                             ("dup", duplicate), ("seed", seed), ("pub", public)):
            open(os.path.join(self.dir, "%s.%s" % (name, suffix)), "wb").write(data)
        self.run("tpm2_startauthsession", "--policy-session", "-S", "session.ctx")
        try:
            self.run("tpm2_policysecret", "-S", "session.ctx", "-c", "e")
            self.run("tpm2_activatecredential", "-c", SRK_HANDLE, "-C", EK_HANDLE, "-i", name + ".cred", "-o", name + ".inner",
                     "-P", "session:session.ctx")
        finally:
            self.run("tpm2_flushcontext", "session.ctx", check=False)
        self.run("tpm2_import", "-C", SRK_HANDLE, "-u", name + ".pub", "-i", name + ".dup", "-s", name + ".seed",
                 "-k", name + ".inner", "-r", name + ".priv")
        self.run("tpm2_flushcontext", "-t")

    def sas(self, name, resource):
        sr = urllib.parse.quote(resource, safe="")
        expiry = int(time.time()) + 3600
        open(os.path.join(self.dir, "message.bin"), "wb").write(("%s\n%d" % (sr, expiry)).encode())
        try:
            self.run("tpm2_load", "-C", SRK_HANDLE, "-u", name + ".pub", "-r", name + ".priv", "-c", name + ".ctx")
            digest = self.run("tpm2_hmac", "-c", name + ".ctx", "--hex", "message.bin").stdout.decode().strip()
        finally:
            self.run("tpm2_flushcontext", "-t", check=False)
        signature = base64.b64encode(bytes.fromhex(digest)).decode()
        return "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=registration" % (sr, urllib.parse.quote(signature, safe=""), expiry)

    def body(self, registration_id):
        return json.dumps({"registrationId": registration_id, "tpm": {"endorsementKey": base64.b64encode(self.ek).decode(),
                                                                      "storageRootKey": base64.b64encode(self.srk).decode()}})


def enroll(registration_id, tpm, certificate):
    service, token = flow.service_token()
    headers = {"Authorization": token, "Content-Type": "application/json"}
    attestation = {"endorsementKey": base64.b64encode(tpm.ek).decode()}
    if certificate is not None:
        attestation["endorsementKeyCertificate"] = base64.b64encode(certificate).decode()
    body = {"registrationId": registration_id, "attestation": {"type": "tpm", "tpm": attestation}}
    return requests.put("%s/enrollments/%s?api-version=2021-10-01" % (service, registration_id), headers=headers,
                        data=json.dumps(body), timeout=30)


def register(registration_id, tpm):
    challenge = requests.put("%s/%s/register%s" % (base, registration_id, API), headers={"Content-Type": "application/json"},
                             data=tpm.body(registration_id), timeout=30)
    if challenge.status_code != 401 or "authenticationKey" not in challenge.text:
        return {"challengeStatus": challenge.status_code, "challengeBody": challenge.text[:300]}
    tpm.import_key(base64.b64decode(challenge.json()["authenticationKey"]), "identity-" + registration_id)
    token = tpm.sas("identity-" + registration_id, "%s/registrations/%s" % (scope, registration_id))
    headers = {"Content-Type": "application/json", "Authorization": token}
    accepted = requests.put("%s/%s/register%s" % (base, registration_id, API), headers=headers, data=tpm.body(registration_id), timeout=30)
    operation = accepted.json()["operationId"]
    deadline = time.monotonic() + 30
    while True:
        poll = requests.get("%s/%s/operations/%s%s" % (base, registration_id, operation, API), headers=headers, timeout=30)
        if poll.json().get("status") != "assigning" or time.monotonic() > deadline:
            break
        time.sleep(float(poll.headers.get("retry-after", "1")))  # the server's own retry-after
    return {"challengeStatus": challenge.status_code, "registerStatus": accepted.status_code, "status": poll.json().get("status"),
            "assignedHub": poll.json().get("registrationState", {}).get("assignedHub")}


def rogue_certificate(tpm):
    """A certificate for `tpm`'s EK public key from a CA the policy does not list."""
    run = lambda *args: subprocess.run(list(args), cwd=tpm.dir, check=True, capture_output=True, timeout=60)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rogue.key", "-out", "rogue.pem", "-days", "30",
        "-subj", "/CN=Rogue TPM CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    run("openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "throwaway.key", "-out", "throwaway.csr", "-subj", "/CN=unknown")
    open(os.path.join(tpm.dir, "ek.ext"), "w").write("extendedKeyUsage=2.23.133.8.1\nkeyUsage=critical,keyEncipherment\nbasicConstraints=critical,CA:FALSE\n")
    run("openssl", "x509", "-req", "-in", "throwaway.csr", "-force_pubkey", "ek.pem", "-CA", "rogue.pem", "-CAkey", "rogue.key",
        "-set_serial", "7", "-days", "30", "-extfile", "ek.ext", "-outform", "DER", "-out", "rogue-ek.der")
    return tpm.read("rogue-ek.der")


device = TPM("device", tcti_device)
stranger = TPM("stranger", tcti_stranger)


def setup():
    device.setup()
    stranger.setup()
    return {"deviceCertSize": len(device.ek_cert), "strangerCertSize": len(stranger.ek_cert)}


def accepted():
    created = enroll("ek-device", device, device.ek_cert)
    stored = created.json().get("attestation", {}).get("tpm", {}).get("endorsementKeyCertificate") if created.ok else None
    return dict(enrollStatus=created.status_code, certificateStored=stored == base64.b64encode(device.ek_cert).decode(),
                **register("ek-device", device))


def refusals():
    other_tpm = enroll("ek-other-tpm", device, stranger.ek_cert)
    untrusted = enroll("ek-untrusted", device, rogue_certificate(device))
    missing = enroll("ek-missing", device, None)
    return {"otherTpmStatus": other_tpm.status_code, "otherTpmMessage": other_tpm.json().get("message"),
            "untrustedStatus": untrusted.status_code, "untrustedMessage": untrusted.json().get("message"),
            "missingStatus": missing.status_code, "missingMessage": missing.json().get("message")}


flow.step("setup", setup)
if steps["setup"]["ok"]:
    flow.step("accepted", accepted)
    flow.step("refusals", refusals)
print(json.dumps({"steps": steps}))
