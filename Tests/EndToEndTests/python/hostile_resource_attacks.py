"""Starvation attacks on a running server, tried as a hostile client would (issue 12, "resources are bounded").

Usage: hostile_resource_attacks.py CONNECTION_JSON WORK_DIR
Prints one JSON object: {"steps": {name: {"ok": bool, ...details}}}.

The server is expected to run with short limits (see HostileResourceTests.swift): each step performs one attack —
floods of unauthenticated TPM challenges and EST requests, a byte-dribbling MQTT CONNECT, a silent TLS client, a
dribbled HTTP request head, an idle keep-alive connection, more connections than one address may hold, 5 MB request
bodies — and reports what the server did. The last steps register a symmetric-key device over HTTPS and provision
one with the Azure SDKs and send telemetry, to show the server still serves legitimate devices.
"""
import base64
import json
import select
import socket
import ssl
import sys
import time

import requests
from azure.iot.device import IoTHubDeviceClient, ProvisioningDeviceClient
from provisioningserviceclient import ProvisioningServiceClient

from csr_support import Flow, derive, symmetric_key_group

flow = Flow(sys.argv[1], sys.argv[2])
conn, scope, trust_file = flow.conn, flow.scope, flow.trust_file
dps_host, dps_https, dps_mqtt = conn["dps"]["host"], conn["dps"]["httpsPort"], conn["dps"]["mqttPort"]
hub1 = conn["hubs"][0]
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
API = "api-version=2021-06-01"
tls = ssl.create_default_context(cafile=trust_file)
tls.check_hostname = False


def histogram(statuses):
    counts = {}
    for status in statuses:
        counts[str(status)] = counts.get(str(status), 0) + 1
    return counts


def closed_within(sock, seconds):
    """Seconds until the server closed `sock` (EOF or reset), or None if it was still open after `seconds`."""
    start = time.monotonic()
    sock.settimeout(0.1)
    while time.monotonic() - start < seconds:
        try:
            if sock.recv(4096) == b"":
                return time.monotonic() - start
        except (socket.timeout, ssl.SSLWantReadError):
            continue
        except (ConnectionError, ssl.SSLError, OSError):
            return time.monotonic() - start
    return None


def tls_connect(host, port):
    raw = socket.create_connection((host, port), timeout=5)
    return tls.wrap_socket(raw, server_hostname=host)


# 1. A flood of unauthenticated TPM challenges (a `tpm` body, no Authorization) from this address.
def tpm_flood():
    session = requests.Session()
    statuses = []
    throttled = None
    for index in range(60):
        body = json.dumps({"registrationId": "tpm-stranger-%d" % index,
                           "tpm": {"endorsementKey": "AToAAQALAAMAsgAgg3GXZ0SEs/gakMyNRqXXJP1S124GUgtk8qHaGzMUaaoABgCAAEMAEAgAAAAAAAEA"}})
        answer = session.put("https://%s:%d/%s/registrations/tpm-stranger-%d/register?%s" % (dps_host, dps_https, scope, index, API),
                             data=body, headers={"Content-Type": "application/json"}, timeout=10)
        statuses.append(answer.status_code)
        if answer.status_code == 429 and throttled is None:
            throttled = answer
    # A throttled answer's body and headers (the bucket refills while the flood runs, so the last may be a 401 again).
    sample = throttled if throttled is not None else answer  # a Response is falsy for 4xx
    body = sample.json()
    return {"statuses": histogram(statuses), "lastErrorCode": body.get("errorCode"), "lastMessage": body.get("message"),
            "retryAfter": sample.headers.get("Retry-After")}


flow.step("tpmFlood", tpm_flood)


# 2. A flood of EST enrollments with made-up Basic credentials from this address.
def est_flood():
    session = requests.Session()
    statuses = []
    for index in range(60):
        answer = session.post("https://%s:%d/.well-known/est/simpleenroll" % (dps_host, dps_https),
                              data=b"MIIB", auth=("est-stranger-%d" % index, "guess"),
                              headers={"Content-Type": "application/pkcs10"}, timeout=10)
        statuses.append(answer.status_code)
    return {"statuses": histogram(statuses), "lastBody": answer.text[:200]}


flow.step("estFlood", est_flood)


# 2b. A flood of registrations with made-up SAS tokens (refused attestations) from this address, and an id DPS
# refuses outright, which is answered before any attestation work.
def bad_registration_flood():
    session = requests.Session()
    statuses = []
    for index in range(30):
        registration_id = "sas-stranger-%d" % index
        token = flow.device_token(registration_id, base64.b64encode(b"0" * 32).decode())
        answer = session.put("https://%s:%d/%s/registrations/%s/register?%s" % (dps_host, dps_https, scope, registration_id, API),
                             data=json.dumps({"registrationId": registration_id}), timeout=10,
                             headers={"Content-Type": "application/json", "Authorization": token})
        statuses.append(answer.status_code)
    invalid = session.put("https://%s:%d/%s/registrations/bad%%2Aid/register?%s" % (dps_host, dps_https, scope, API),
                          data=json.dumps({}), timeout=10,
                          headers={"Content-Type": "application/json", "Authorization": "SharedAccessSignature sr=x&sig=y&se=1"})
    return {"statuses": histogram(statuses), "lastMessage": answer.json().get("message"), "invalidStatus": invalid.status_code,
            "invalidErrorCode": invalid.json().get("errorCode")}


flow.step("badRegistrationFlood", bad_registration_flood)


# 2c. The same over MQTT: CONNECTs with made-up SAS tokens from this address are refused 5 (not authorized) and, past
# the address's budget, 3 (server unavailable), which makes the SDKs back off.
def bad_connect_flood():
    import paho.mqtt.client as mqtt
    codes = []
    for index in range(15):
        registration_id = "mqtt-stranger-%d" % index
        answered = {}
        client = mqtt.Client(client_id=registration_id, protocol=mqtt.MQTTv311)
        client.username_pw_set("%s/registrations/%s/api-version=2021-06-01" % (scope, registration_id),
                               flow.device_token(registration_id, base64.b64encode(b"1" * 32).decode()))
        client.tls_set(ca_certs=trust_file)
        client.on_connect = lambda c, u, f, rc: answered.setdefault("rc", rc)
        client.connect(dps_host, dps_mqtt)
        deadline = time.monotonic() + 10
        while "rc" not in answered and time.monotonic() < deadline:
            client.loop(timeout=0.1)
        client.disconnect()
        codes.append(answered.get("rc", -1))
    return {"statuses": histogram(codes)}


flow.step("badConnectFlood", bad_connect_flood)


# 3. Right after the floods, from the same address: a symmetric-key device registers over HTTPS.
def legit_registration():
    group_key = symmetric_key_group(service, "resource-legit-group")
    registration_id = "resource-legit"
    headers = {"Authorization": flow.device_token(registration_id, derive(group_key, registration_id)),
               "Content-Type": "application/json"}
    base = "https://%s:%d/%s/registrations/%s" % (dps_host, dps_https, scope, registration_id)
    answer = requests.put(base + "/register?" + API, headers=headers, data=json.dumps({"registrationId": registration_id}), timeout=10)
    result = {"registerStatus": answer.status_code}
    if answer.status_code == 202:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status = requests.get(base + "/operations/%s?%s" % (answer.json()["operationId"], API), headers=headers, timeout=10).json()
            if status.get("status") != "assigning":
                result["status"] = status.get("status")
                break
            time.sleep(0.2)
    return result


flow.step("legitRegistration", legit_registration)


# 4. Slowloris on MQTT: a CONNECT dribbled one byte at a time, never complete. The absolute CONNECT deadline closes it.
def mqtt_slowloris():
    sock = tls_connect(dps_host, dps_mqtt)
    client_id = b"slow" * 200
    # CONNECT, remaining length 12 + len(client id) (two bytes of varint): the packet never completes in time.
    payload = b"\x00\x04MQTT\x04\x02\x00\x3c" + len(client_id).to_bytes(2, "big") + client_id
    length = len(payload)
    packet = bytes([0x10, (length & 0x7F) | 0x80, length >> 7]) + payload
    start = time.monotonic()
    sent = 0
    sock.settimeout(0.05)
    closed = None
    while time.monotonic() - start < 15 and sent < len(packet):
        try:
            sock.send(packet[sent:sent + 1])
            sent += 1
        except (ConnectionError, ssl.SSLError, OSError):
            closed = time.monotonic() - start
            break
        try:
            if sock.recv(16) == b"":
                closed = time.monotonic() - start
                break
        except (socket.timeout, ssl.SSLWantReadError):
            pass
        except (ConnectionError, ssl.SSLError, OSError):
            closed = time.monotonic() - start
            break
        time.sleep(0.2)
    sock.close()
    return {"closedAfter": closed, "bytesSent": sent}


flow.step("mqttSlowloris", mqtt_slowloris)


# 5. A TCP connection to the HTTPS listener that never starts TLS.
def silent_tls_client():
    sock = socket.create_connection((dps_host, dps_https), timeout=5)
    closed = closed_within(sock, 15)
    sock.close()
    return {"closedAfter": closed}


flow.step("silentTLSClient", silent_tls_client)


# 6. TLS done, then a request head dribbled a byte at a time, never finished.
def slow_request_head():
    sock = tls_connect(hub1["hostName"], hub1["httpsPort"])
    head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    start = time.monotonic()
    closed = None
    sock.settimeout(0.05)
    for byte in head:
        try:
            sock.send(bytes([byte]))
            if sock.recv(16) == b"":
                closed = time.monotonic() - start
                break
        except (socket.timeout, ssl.SSLWantReadError):
            pass
        except (ConnectionError, ssl.SSLError, OSError):
            closed = time.monotonic() - start
            break
        if time.monotonic() - start > 15:
            break
        time.sleep(0.2)
    sock.close()
    return {"closedAfter": closed}


flow.step("slowRequestHead", slow_request_head)


# 7. One request on a keep-alive connection, then nothing: the idle timeout closes it.
def idle_keep_alive():
    sock = tls_connect(dps_host, dps_https)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: %s\r\n\r\n" % dps_host.encode())
    sock.settimeout(5)
    response = sock.recv(4096)
    closed = closed_within(sock, 20)
    sock.close()
    return {"firstLine": response.split(b"\r\n", 1)[0].decode(errors="replace"), "closedAfter": closed}


flow.step("idleKeepAlive", idle_keep_alive)


# 8. More connections from this address than it may hold: the extra ones are closed at once, before TLS.
def connection_flood():
    sockets = [socket.create_connection((dps_host, dps_https), timeout=5) for _ in range(30)]
    # Refused connections are closed at once; admitted ones stay open until the handshake timeout (seconds later).
    refused = set()
    deadline = time.monotonic() + 0.7
    while time.monotonic() < deadline:
        readable, _, _ = select.select([s for s in sockets if s not in refused], [], [], 0.1)
        for sock in readable:
            try:
                if sock.recv(1) == b"":
                    refused.add(sock)
            except OSError:
                refused.add(sock)
    refused = len(refused)
    for sock in sockets:
        sock.close()
    # Once they are closed, the address is served again.
    deadline = time.monotonic() + 10
    health = None
    while time.monotonic() < deadline:
        try:
            health = requests.get("https://%s:%d/health" % (dps_host, dps_https), timeout=5).status_code
            if health == 200:
                break
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return {"opened": len(sockets), "refused": refused, "healthAfter": health}


flow.step("connectionFlood", connection_flood)


# 9. 5 MB request bodies on DPS device, EST, DPS service and hub routes, with a length and chunked.
def big_bodies():
    body = b"{" + b" " * (5 * 1024 * 1024) + b"}"
    service_url, service_token = flow.service_token()

    def chunks():
        for offset in range(0, len(body), 65536):
            yield body[offset:offset + 65536]

    answers = {
        "dpsRegister": requests.put("https://%s:%d/%s/registrations/big/register?%s" % (dps_host, dps_https, scope, API),
                                    data=body, headers={"Content-Type": "application/json"}, timeout=30),
        "dpsRegisterChunked": requests.put("https://%s:%d/%s/registrations/big/register?%s" % (dps_host, dps_https, scope, API),
                                           data=chunks(), headers={"Content-Type": "application/json"}, timeout=30),
        "est": requests.post("https://%s:%d/.well-known/est/simpleenroll" % (dps_host, dps_https), data=body,
                             auth=("big", "big"), headers={"Content-Type": "application/pkcs10"}, timeout=30),
        "dpsService": requests.put("%s/enrollments/big?%s" % (service_url, API), data=body,
                                   headers={"Authorization": service_token, "Content-Type": "application/json"}, timeout=30),
        "hub": requests.put("https://%s:%d/devices/big?api-version=2021-04-12" % (hub1["hostName"], hub1["httpsPort"]),
                            data=body, headers={"Content-Type": "application/json"}, timeout=30),
    }
    return {"answers": {name: {"status": answer.status_code, "body": answer.text[:200]} for name, answer in answers.items()}}


flow.step("bigBodies", big_bodies)


# 10. Afterwards a normal device provisions with the Azure SDK and sends telemetry.
def normal_device():
    group_key = symmetric_key_group(service, "resource-control-group")
    result = ProvisioningDeviceClient.create_from_symmetric_key(
        provisioning_host=dps_host, registration_id="resource-control", id_scope=scope,
        symmetric_key=derive(group_key, "resource-control"), server_verification_cert=open(trust_file).read()).register()
    state = result.registration_state
    client = IoTHubDeviceClient.create_from_symmetric_key(
        symmetric_key=derive(group_key, "resource-control"), hostname=state.assigned_hub, device_id=state.device_id,
        server_verification_cert=open(trust_file).read(), connection_retry=False)
    client.connect()
    for index in range(5):
        client.send_message("still serving %d" % index)
    client.shutdown()
    return {"status": result.status}


flow.step("normalDevice", normal_device)

json.dump({"steps": flow.steps}, sys.stdout)
sys.stdout.write("\n")
