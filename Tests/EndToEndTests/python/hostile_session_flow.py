"""Sessions that outlive their credential, tried as a hostile client would (issue 12, "authorization is continuous").

Usage: hostile_session_flow.py CONNECTION_JSON WORK_DIR PROVISIO_BINARY DATA_DIR
Prints one JSON object: {"steps": {name: {"ok": bool, ...details}}}.

Each step opens a raw MQTT session (paho-mqtt) with a valid credential, then makes the credential lapse behind its
back — SAS expiry, enrollment or group disabled or deleted, certificate revoked, device disabled, deleted or re-keyed —
and reports what the session saw: whether the server closed it, and what a register sent on it was answered. A last
step provisions a normal device with the Azure SDKs and sends telemetry.
"""
import base64
import hashlib
import hmac
import json
import os
import ssl
import sys
import threading
import time
import urllib.parse

import paho.mqtt.client as mqtt
from azure.iot.device import IoTHubDeviceClient, ProvisioningDeviceClient
from provisioningserviceclient import ProvisioningServiceClient
from provisioningserviceclient.models import AttestationMechanism, IndividualEnrollment
from provisioningserviceclient.protocol.models import SymmetricKeyAttestation

from csr_support import CSR_API, Flow, derive, symmetric_key_group
import requests

from routing_support import call, device_token, hub, token

flow = Flow(*sys.argv[1:5])
conn, scope, trust_file = flow.conn, flow.scope, flow.trust_file
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
shard = hub(conn, "hub-1")
CLOSE_DEADLINE = 15.0


class Session:
    """One raw MQTT connection: CONNACK, messages by topic, and an event set when the server closes it."""

    def __init__(self, host, port, client_id, username, password=None, cert=None):
        self.connack, self.closed, self.messages = threading.Event(), threading.Event(), []
        self.code, self.closed_at, self.closed_wall, self.lock = None, None, None, threading.Lock()
        self.client = mqtt.Client(client_id=client_id, protocol=mqtt.MQTTv311, clean_session=True)
        self.client.username_pw_set(username, password)
        self.client.tls_set(ca_certs=trust_file, cert_reqs=ssl.CERT_REQUIRED,
                            certfile=cert[0] if cert else None, keyfile=cert[1] if cert else None)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.connect(host, port, keepalive=60)
        self.client.loop_start()
        if not self.connack.wait(20):
            raise RuntimeError("no CONNACK")

    def _on_connect(self, client, userdata, flags, rc):
        if self.code is None:
            self.code = rc
        self.connack.set()

    def _on_disconnect(self, client, userdata, rc):
        if not self.closed.is_set():
            self.closed_at, self.closed_wall = time.monotonic(), time.time()
        self.closed.set()
        self.connack.set()
        # paho's network thread would reconnect on its own; a closed session stays closed here.
        client.disconnect()

    def _on_message(self, client, userdata, message):
        with self.lock:
            self.messages.append((message.topic, message.payload))

    def wait_closed(self, timeout=CLOSE_DEADLINE):
        return self.closed.wait(timeout)

    def shutdown(self):
        try:
            self.client.disconnect()
        finally:
            self.client.loop_stop()


class DPSSession(Session):
    """A DPS MQTT session that can send register requests and wait for their answers."""

    def __init__(self, registration_id, password=None, cert=None, api=CSR_API):
        super().__init__(flow.dps_host, conn["dps"]["mqttPort"], registration_id,
                         "%s/registrations/%s/api-version=%s" % (scope, registration_id, api), password, cert)
        self.registration_id, self.next_rid = registration_id, 0
        if self.code == 0:
            subscribed = threading.Event()
            self.client.on_subscribe = lambda *args: subscribed.set()
            self.client.subscribe("$dps/registrations/res/#", qos=1)
            subscribed.wait(10)

    def register(self, csr=None, timeout=15):
        """Publishes a register; returns (status, body), or (None, None) when the session closed first."""
        self.next_rid += 1
        rid = str(self.next_rid)
        body = {"registrationId": self.registration_id}
        if csr:
            body["csr"] = csr
        self.client.publish("$dps/registrations/PUT/iotdps-register/?$rid=" + rid, json.dumps(body), qos=1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for topic, payload in self.messages:
                    parts = topic.split("/")
                    if len(parts) > 4 and ("$rid=%s&" % rid in topic or topic.endswith("$rid=" + rid)):
                        return int(parts[3]), json.loads(payload or b"{}")
            if self.closed.is_set():
                return None, None
            time.sleep(0.05)
        raise RuntimeError("no answer to the register within %d s" % timeout)


def hub_session(device_id, key, connect_as=None, ttl=3600):
    name = connect_as or device_id
    return Session(shard["hostName"], shard["mqttPort"], name, "%s/%s/?api-version=2021-04-12" % (shard["hostName"], name),
                   device_token(shard["hostName"], name, key, ttl=ttl))


def create_hub_device(device_id):
    status, body = call(shard, "PUT", "/devices/" + device_id + "?api-version=2021-04-12",
                        {"deviceId": device_id, "authentication": {"type": "sas", "symmetricKey": {}}})
    assert status == 200, (status, body)
    return body["authentication"]["symmetricKey"]["primaryKey"]


def update_hub_device(device_id, body):
    """PUT /devices/{id} with If-Match: * (an update, as the service SDK's update_device sends it)."""
    host = dict(p.split("=", 1) for p in shard["serviceConnectionString"].split(";"))["HostName"]
    reply = requests.put("https://%s/devices/%s?api-version=2021-04-12" % (host, device_id), data=json.dumps(body), timeout=30,
                         headers={"Authorization": token(shard["serviceConnectionString"]), "Content-Type": "application/json",
                                  "If-Match": '"*"'})
    if reply.status_code != 200:
        raise RuntimeError("update of %s answered %d %s" % (device_id, reply.status_code, reply.text))
    return reply.json()


def outcome(session, answer):
    status, body = answer
    return {"registerStatus": status, "registerErrorCode": (body or {}).get("errorCode"),
            "registerMessage": (body or {}).get("message"), "closed": session.wait_closed()}


# Enrollments the DPS attacks use: a symmetric-key group and an individual enrollment.
def setup():
    keys = {"group": symmetric_key_group(service, "hostile-group"), "csrGroup": symmetric_key_group(service, "hostile-csr-group")}
    individual = service.create_or_update(IndividualEnrollment.create(
        "hostile-individual", AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
    keys["individual"] = individual.attestation.symmetric_key.primary_key
    flow.keys = keys
    return {}


flow.step("setup", setup)


# 1. A DPS SAS token that expires while the session is open: the server closes the session at the expiry.
def dps_token(registration_id, key, expiry):
    """A DPS registration SAS token with an exact expiry (Unix seconds)."""
    resource = urllib.parse.quote("%s/registrations/%s" % (scope, registration_id), safe="")
    signature = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (resource, expiry)).encode(),
                                          hashlib.sha256).digest()).decode()
    return "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=registration" % (resource, urllib.parse.quote(signature, safe=""), expiry)


def dps_token_expiry():
    expiry = int(time.time()) + 5
    session = DPSSession("hostile-expiring", dps_token("hostile-expiring", derive(flow.keys["group"], "hostile-expiring"), expiry))
    closed = session.wait_closed(CLOSE_DEADLINE)
    session.shutdown()
    return {"connack": session.code, "closed": closed,
            "closedAfterExpiry": session.closed_wall is not None and session.closed_wall >= expiry - 0.5}


flow.step("dpsTokenExpiry", dps_token_expiry)


# 2. The group is disabled while a member's session is open: the register on it is refused, the session closed.
def dps_group_disabled():
    name = "hostile-member"
    session = DPSSession(name, flow.device_token(name, derive(flow.keys["group"], name)))
    group = service.get_enrollment_group("hostile-group")
    group.provisioning_status = "disabled"
    service.create_or_update(group)
    result = outcome(session, session.register())
    session.shutdown()
    return dict(result, connack=session.code)


flow.step("dpsGroupDisabled", dps_group_disabled)


# 2b. An individual enrollment is disabled while its session sits idle: the server closes the session unprompted.
def dps_enrollment_disabled_idle():
    created = service.create_or_update(IndividualEnrollment.create(
        "hostile-idle", AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
    session = DPSSession("hostile-idle", flow.device_token("hostile-idle", created.attestation.symmetric_key.primary_key))
    created.provisioning_status = "disabled"
    service.create_or_update(created)
    closed = session.wait_closed()
    session.shutdown()
    return {"connack": session.code, "closed": closed}


flow.step("dpsEnrollmentDisabledIdle", dps_enrollment_disabled_idle)


# 2c. An idle session's enrollment is deleted, and an idle member's group is re-keyed: both sessions close unprompted.
def dps_enrollment_deleted_idle():
    created = service.create_or_update(IndividualEnrollment.create(
        "hostile-idle-deleted", AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation())))
    session = DPSSession("hostile-idle-deleted", flow.device_token("hostile-idle-deleted", created.attestation.symmetric_key.primary_key))
    service.delete_individual_enrollment_by_param("hostile-idle-deleted")
    closed = session.wait_closed()
    session.shutdown()
    return {"connack": session.code, "closed": closed}


flow.step("dpsEnrollmentDeletedIdle", dps_enrollment_deleted_idle)


def dps_group_rekeyed_idle():
    keys = {"rekey": symmetric_key_group(service, "hostile-rekey-group")}
    name = "hostile-rekey-member"
    session = DPSSession(name, flow.device_token(name, derive(keys["rekey"], name)))
    group = service.get_enrollment_group("hostile-rekey-group")
    group.attestation.symmetric_key.primary_key = base64.b64encode(os.urandom(64)).decode()
    service.create_or_update(group)
    closed = session.wait_closed()
    session.shutdown()
    return {"connack": session.code, "closed": closed}


flow.step("dpsGroupRekeyedIdle", dps_group_rekeyed_idle)


# 3. The individual enrollment is deleted while its session is open.
def dps_enrollment_deleted():
    session = DPSSession("hostile-individual", flow.device_token("hostile-individual", flow.keys["individual"]))
    service.delete_individual_enrollment_by_param("hostile-individual")
    result = outcome(session, session.register())
    session.shutdown()
    return dict(result, connack=session.code)


flow.step("dpsEnrollmentDeleted", dps_enrollment_deleted)


# 4. A certificate revoked while its DPS session is open: the session closes, and a CSR sent on it gets no certificate.
def dps_certificate_revoked():
    record = flow.register_with_csr("hostile-cert", flow.keys["csrGroup"])
    session = DPSSession("hostile-cert", cert=(record["chain"], record["key"]))
    connack = session.code
    flow.cli("cert", "revoke", "--device", "hostile-cert", "--reason", "keyCompromise")
    _, csr = flow.make_csr("hostile-cert")
    status, body = session.register(csr=csr)
    result = {"connack": connack, "registerStatus": status, "registerErrorCode": (body or {}).get("errorCode"),
              "registerMessage": (body or {}).get("message"), "closed": session.wait_closed(),
              "issued": "issuedCertificateChain" in json.dumps(body or {})}
    session.shutdown()
    return result


flow.step("dpsCertificateRevoked", dps_certificate_revoked)


# 4b. A certificate revoked (CLI) while its DPS session sits idle: the server closes the session unprompted.
def dps_certificate_revoked_idle():
    flow.register_with_csr("hostile-cert-idle", flow.keys["csrGroup"])
    record = flow.devices["hostile-cert-idle"]
    session = DPSSession("hostile-cert-idle", cert=(record["chain"], record["key"]))
    flow.cli("cert", "revoke", "--device", "hostile-cert-idle", "--reason", "keyCompromise")
    closed = session.wait_closed()
    session.shutdown()
    return {"connack": session.code, "closed": closed}


flow.step("dpsCertificateRevokedIdle", dps_certificate_revoked_idle)


# 4c. An HTTPS keep-alive connection with a client certificate: once the certificate is revoked, the next request on
# the same connection is refused (every request is checked, not just the handshake).
def https_keep_alive_revoked():
    record = flow.register_with_csr("hostile-https", flow.keys["csrGroup"])
    session = requests.Session()
    session.cert = (record["chain"], record["key"])
    url = flow.registrations + "/hostile-https/register?api-version=2021-06-01"
    body = json.dumps({"registrationId": "hostile-https"})
    headers = {"Content-Type": "application/json"}
    before = session.put(url, data=body, headers=headers, timeout=30)
    flow.cli("cert", "revoke", "--device", "hostile-https", "--reason", "keyCompromise")
    after = session.put(url, data=body, headers=headers, timeout=30)
    session.close()
    return {"beforeStatus": before.status_code, "afterStatus": after.status_code,
            "afterErrorCode": after.json().get("errorCode") if after.content else None}


flow.step("httpsKeepAliveRevoked", https_keep_alive_revoked)


# 5. A device registered as one id connects to its hub under another spelling of it.
def hub_other_case():
    key = create_hub_device("hostile-case")
    upper = hub_session("hostile-case", key, connect_as="HOSTILE-CASE")
    upper_code = upper.code
    upper.shutdown()
    return {"otherCaseConnack": upper_code}


flow.step("hubOtherCase", hub_other_case)


# 6–8. Disabling (service API), deleting (CLI) and re-keying a device closes its open hub session.
def hub_device_disabled():
    key = create_hub_device("hostile-disabled")
    session = hub_session("hostile-disabled", key)
    update_hub_device("hostile-disabled", {"deviceId": "hostile-disabled", "status": "disabled",
                                           "authentication": {"type": "sas", "symmetricKey": {"primaryKey": key}}})
    closed = session.wait_closed()
    session.shutdown()
    again = hub_session("hostile-disabled", key)
    again.shutdown()
    return {"connack": session.code, "closed": closed, "reconnectConnack": again.code}


flow.step("hubDeviceDisabled", hub_device_disabled)


def hub_device_deleted():
    key = create_hub_device("hostile-deleted")
    session = hub_session("hostile-deleted", key)
    flow.cli("device", "delete", "hostile-deleted", "--hub", "hub-1")
    closed = session.wait_closed()
    session.shutdown()
    return {"connack": session.code, "closed": closed}


flow.step("hubDeviceDeleted", hub_device_deleted)


def hub_device_rekeyed():
    key = create_hub_device("hostile-rekeyed")
    session = hub_session("hostile-rekeyed", key)
    body = update_hub_device("hostile-rekeyed", {"deviceId": "hostile-rekeyed", "status": "enabled",
                                                 "authentication": {"type": "sas", "symmetricKey": {
                                                     "primaryKey": base64.b64encode(os.urandom(32)).decode(),
                                                     "secondaryKey": base64.b64encode(os.urandom(32)).decode()}}})
    if body["authentication"]["symmetricKey"]["primaryKey"] == key:
        raise RuntimeError("the keys were not regenerated")
    closed = session.wait_closed()
    session.shutdown()
    return {"connack": session.code, "closed": closed}


flow.step("hubDeviceRekeyed", hub_device_rekeyed)


# 8b. A hub SAS token that expires while the session is open: the server closes the session at the expiry.
def hub_token_expiry():
    key = create_hub_device("hostile-hub-expiring")
    earliest_expiry = int(time.time()) + 5
    session = hub_session("hostile-hub-expiring", key, ttl=5)
    closed = session.wait_closed()
    session.shutdown()
    return {"connack": session.code, "closed": closed,
            "closedAfterExpiry": session.closed_wall is not None and session.closed_wall >= earliest_expiry - 0.5}


flow.step("hubTokenExpiry", hub_token_expiry)


# 8c. Re-provisioning moves a device to another shard: its session on the old shard, where it no longer exists, ends.
def hub_reprovisioned():
    hubs = [h["hostName"] for h in conn["hubs"]]
    created = service.create_or_update(IndividualEnrollment.create(
        "hostile-moving", AttestationMechanism(type="symmetricKey", symmetric_key=SymmetricKeyAttestation()),
        allocation_policy="static", iot_hubs=hubs[:1]))
    key = created.attestation.symmetric_key.primary_key

    def register():
        return ProvisioningDeviceClient.create_from_symmetric_key(
            provisioning_host=flow.dps_host, registration_id="hostile-moving", id_scope=scope, symmetric_key=key,
            server_verification_cert=open(trust_file).read()).register()

    first = register().registration_state.assigned_hub
    session = Session(first, shard["mqttPort"] if first == shard["hostName"] else [h for h in conn["hubs"] if h["hostName"] == first][0]["mqttPort"],
                      "hostile-moving", "%s/hostile-moving/?api-version=2021-04-12" % first, device_token(first, "hostile-moving", key))
    created.iot_hubs = hubs[1:2]
    service.create_or_update(created)
    second = register().registration_state.assigned_hub
    closed = session.wait_closed()
    session.shutdown()
    return {"connack": session.code, "closed": closed, "moved": first != second}


flow.step("hubReprovisioned", hub_reprovisioned)


# 8d. The same device registers again under another spelling of its registration id: DPS answers that spelling, the
# hub takes it (a session under the old spelling ends), and the answered id is the one that connects.
def respelled_registration():
    group_key = symmetric_key_group(service, "hostile-spelling-group")

    def register(registration_id):
        state = ProvisioningDeviceClient.create_from_symmetric_key(
            provisioning_host=flow.dps_host, registration_id=registration_id, id_scope=scope,
            symmetric_key=derive(group_key, registration_id), server_verification_cert=open(trust_file).read()).register()
        return state.registration_state

    def connect(state, registration_id):
        port = [h for h in conn["hubs"] if h["hostName"] == state.assigned_hub][0]["mqttPort"]
        return Session(state.assigned_hub, port, state.device_id, "%s/%s/?api-version=2021-04-12" % (state.assigned_hub, state.device_id),
                       device_token(state.assigned_hub, state.device_id, derive(group_key, registration_id)))

    first = register("hostile-spelling")
    old = connect(first, "hostile-spelling")
    second = register("HOSTILE-SPELLING")
    old_closed = old.wait_closed()
    old.shutdown()
    new = connect(second, "HOSTILE-SPELLING")
    new.shutdown()
    return {"connack": old.code, "closed": old_closed, "firstDeviceId": first.device_id, "secondDeviceId": second.device_id,
            "reconnectConnack": new.code}


flow.step("respelledRegistration", respelled_registration)


# 9. A hub SAS token whose expiry is centuries away: a clean answer, and the process keeps serving.
def hub_huge_expiry():
    key = create_hub_device("hostile-forever")
    session = hub_session("hostile-forever", key, ttl=10000000000000000 - int(time.time()))
    code = session.code
    session.shutdown()
    return {"connack": code}


flow.step("hubHugeExpiry", hub_huge_expiry)


# 10. Afterwards a normal device provisions with the Azure SDK and sends telemetry.
def normal_device():
    group_key = symmetric_key_group(service, "hostile-control-group")
    result = ProvisioningDeviceClient.create_from_symmetric_key(
        provisioning_host=flow.dps_host, registration_id="hostile-control", id_scope=scope,
        symmetric_key=derive(group_key, "hostile-control"), server_verification_cert=open(trust_file).read()).register()
    state = result.registration_state
    client = IoTHubDeviceClient.create_from_symmetric_key(
        symmetric_key=derive(group_key, "hostile-control"), hostname=state.assigned_hub, device_id=state.device_id,
        server_verification_cert=open(trust_file).read(), connection_retry=False)
    client.connect()
    client.send_message("still serving")
    client.shutdown()
    return {"status": result.status}


flow.step("normalDevice", normal_device)

json.dump({"steps": flow.steps}, sys.stdout)
sys.stdout.write("\n")
