"""The audit log through the DPS service API: an enrollment created with the unmodified service SDK is audited with
the SDK's policy as the actor, and `GET /audit` lists it (with the SAS of the same policy).

Usage: audit_flow.py CONNECTION_JSON REGISTRATION_ID
Prints one JSON object: created (the enrollment's id), entries (GET /audit?action=enrollment.created),
badLimitStatus, unauthenticatedStatus, generatedKey (the symmetric key the service generated, to check that no
audit entry carries it).
"""
import json
import sys

import requests
from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, IndividualEnrollment
from provisioningserviceclient.protocol.models import SymmetricKeyAttestation

from routing_support import setup, token

conn = setup(sys.argv[1])
registration_id = sys.argv[2]
connection_string = conn["dps"]["serviceConnectionString"]
service = ProvisioningServiceClient.create_from_connection_string(connection_string)
created = service.create_or_update(IndividualEnrollment.create(
    registration_id, AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
generated_key = created.attestation.symmetric_key.primary_key

host = dict(p.split("=", 1) for p in connection_string.split(";"))["HostName"]
base = "https://%s/audit" % host
authorization = {"Authorization": token(connection_string)}
listing = requests.get(base, params={"action": "enrollment.created", "api-version": "2021-10-01"}, headers=authorization, timeout=60)
bad_limit = requests.get(base, params={"limit": "many"}, headers=authorization, timeout=60)
unauthenticated = requests.get(base, timeout=60)
print(json.dumps({
    "created": created.registration_id, "status": listing.status_code, "entries": listing.json(),
    "badLimitStatus": bad_limit.status_code, "unauthenticatedStatus": unauthenticated.status_code,
    "generatedKey": generated_key,
}))
