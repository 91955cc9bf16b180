"""Registers group devices over the DPS device REST API until the server goes away.

Usage: register_loop.py CONNECTION_JSON ACKED_FILE MAX_DEVICES
Each registration the service answered `assigned` is appended to ACKED_FILE as
`registrationId hub` and fsynced before the next one starts. Exits 0 when the server stops answering.
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import time
import urllib.parse

import requests
from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, EnrollmentGroup
from provisioningserviceclient.protocol.models import SymmetricKeyAttestation

conn = json.load(open(sys.argv[1]))
acked_path = sys.argv[2]
maximum = int(sys.argv[3])
os.environ["REQUESTS_CA_BUNDLE"] = conn["trustBundle"]
scope = conn["idScope"]
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
group = service.create_or_update(EnrollmentGroup.create("crash-group", AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
group_key = base64.b64decode(group.attestation.symmetric_key.primary_key)
base = "https://%s:%d/%s/registrations" % (conn["dps"]["host"], conn["dps"]["httpsPort"], scope)
session = requests.Session()

with open(acked_path, "a") as acked:
    for index in range(maximum):
        registration_id = "crash-%05d" % index
        key = hmac.new(group_key, registration_id.encode(), hashlib.sha256).digest()
        resource = urllib.parse.quote("%s/registrations/%s" % (scope, registration_id), safe="")
        expiry = int(time.time()) + 3600
        sig = base64.b64encode(hmac.new(key, ("%s\n%d" % (resource, expiry)).encode(), hashlib.sha256).digest()).decode()
        headers = {"Authorization": "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=registration" % (resource, urllib.parse.quote(sig, safe=""), expiry),
                   "Content-Type": "application/json"}
        try:
            operation = session.put(base + "/%s/register?api-version=2021-06-01" % registration_id, headers=headers,
                                    data=json.dumps({"registrationId": registration_id}), timeout=10).json()
            status = session.get(base + "/%s/operations/%s?api-version=2021-06-01" % (registration_id, operation["operationId"]),
                                 headers=headers, timeout=10).json()
        except Exception:
            break  # the server was killed
        if status.get("status") == "assigned":
            acked.write("%s %s\n" % (registration_id, status["registrationState"]["assignedHub"]))
            acked.flush()
            os.fsync(acked.fileno())
print(json.dumps({"done": True}))
