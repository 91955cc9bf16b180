"""A TPM 2.0 (swtpm) driven with tpm2-tools, as the end-to-end scripts' device: keys, challenge import, HMAC, SAS."""
import base64
import hashlib
import json
import os
import struct
import subprocess
import time
import urllib.parse

EK_HANDLE, SRK_HANDLE = "0x81010001", "0x81000001"


class TPM:
    """One swtpm instance, driven with tpm2-tools through its TCTI; files live in its own directory."""

    def __init__(self, name, tcti, work):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.env = dict(os.environ, TPM2TOOLS_TCTI=tcti)

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, *args, check=True):
        result = subprocess.run(list(args), env=self.env, cwd=self.dir, capture_output=True, timeout=60)
        if check and result.returncode != 0:
            raise RuntimeError("%s failed (%d): %s" % (" ".join(args), result.returncode, result.stderr.decode(errors="replace")))
        return result

    def wait_ready(self, deadline_seconds=20):
        deadline = time.monotonic() + deadline_seconds
        while True:
            if self.run("tpm2_getrandom", "--hex", "4", check=False).returncode == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError("swtpm did not answer within %d s" % deadline_seconds)
            time.sleep(0.1)  # polling a condition with a deadline

    def create_keys(self):
        self.wait_ready()
        self.run("tpm2_createek", "-c", EK_HANDLE, "-G", "rsa", "-u", "ek.pub")
        self.run("tpm2_createprimary", "-C", "o", "-c", "srk.ctx")
        self.run("tpm2_evictcontrol", "-C", "o", "-c", "srk.ctx", SRK_HANDLE)
        self.run("tpm2_flushcontext", "-t")
        self.run("tpm2_readpublic", "-c", SRK_HANDLE, "-o", "srk.pub")
        self.ek = open(self.path("ek.pub"), "rb").read()
        self.srk = open(self.path("srk.pub"), "rb").read()

    def import_key(self, blob, name):
        """ActivateCredential + Import + Load for an authenticationKey blob; returns the loaded key's context file."""
        fields, offset = [], 0
        for _ in range(6):
            size = struct.unpack(">H", blob[offset:offset + 2])[0]
            fields.append(blob[offset:offset + 2 + size])
            offset += 2 + size
        if offset != len(blob):
            raise ValueError("authenticationKey has %d trailing bytes" % (len(blob) - offset))
        id_object, secret, duplicate, seed, public, _ = fields
        for suffix, data in (("cred", b"\xba\xdc\xc0\xde\x00\x00\x00\x01" + id_object + secret),
                             ("dup", duplicate), ("seed", seed), ("pub", public)):
            open(self.path("%s.%s" % (name, suffix)), "wb").write(data)
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
        return name

    def hmac(self, name, message):
        """HMAC-SHA-256 of `message` inside the TPM with the imported key `name` (loaded for the call, then flushed)."""
        open(self.path("message.bin"), "wb").write(message.encode())
        try:
            self.run("tpm2_load", "-C", SRK_HANDLE, "-u", name + ".pub", "-r", name + ".priv", "-c", name + ".ctx")
            digest = self.run("tpm2_hmac", "-c", name + ".ctx", "--hex", "message.bin").stdout.decode().strip()
        finally:
            self.run("tpm2_flushcontext", "-t", check=False)
        return bytes.fromhex(digest)

    def sas(self, name, resource, ttl=3600, key_name=None):
        sr = urllib.parse.quote(resource, safe="")
        expiry = int(time.time()) + ttl
        signature = base64.b64encode(self.hmac(name, "%s\n%d" % (sr, expiry))).decode()
        token = "SharedAccessSignature sr=%s&sig=%s&se=%d" % (sr, urllib.parse.quote(signature, safe=""), expiry)
        return token + ("&skn=%s" % key_name if key_name else "")

    def body(self, registration_id, ek=None, srk=None):
        return json.dumps({"registrationId": registration_id,
                           "tpm": {"endorsementKey": base64.b64encode(ek or self.ek).decode(),
                                   "storageRootKey": base64.b64encode(srk or self.srk).decode()}})


def registration_id_of(ek):
    return base64.b32encode(hashlib.sha256(ek).digest()).decode().rstrip("=").lower()
