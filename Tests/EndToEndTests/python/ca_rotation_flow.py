"""End-to-end CA rotation with the unmodified Azure device SDK, openssl, Python ssl and the provisio CLI.

Usage: ca_rotation_flow.py CONNECTION_JSON WORK_DIR PROVISIO_BINARY DATA_DIR
Prints one JSON object: {"steps": {name: {"ok": bool, ...details}}}.

A device gets an operational certificate from a CSR (generation 1) and stays connected to its shard; an HTTPS
keep-alive connection stays open on the same shard. `provisio ca rotate --activate-at now` then switches issuance
and the listener certificates to a new issuing CA: the open connections survive, new TLS connections see the new
server certificate, the old device reconnects, a new device gets a chain from the new CA, and openssl verifies both
leaves against the trust bundle. A pending root rollover joins the bundle; retiring generation 1 refuses the old device.
"""
import base64
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

import requests
from provisioningserviceclient import ProvisioningServiceClient

from csr_support import Flow, crl_distribution_point, run, symmetric_key_group

flow = Flow(*sys.argv[1:5])
conn, work, trust_file, dps_host = flow.conn, flow.work, flow.trust_file, flow.dps_host
steps, devices = flow.steps, flow.devices
service = ProvisioningServiceClient.create_from_connection_string(conn["dps"]["serviceConnectionString"])
state = {}


def issuer_cn(pem_file):
    text = run("openssl", "x509", "-noout", "-issuer", "-nameopt", "multiline", "-in", pem_file).stdout
    return next((line.split("=", 1)[1].strip() for line in text.splitlines() if "commonName" in line), None)


def der_issuer_cn(der):
    path = os.path.join(work, "peer-%d.der" % time.monotonic_ns())
    open(path, "wb").write(der)
    run("openssl", "x509", "-inform", "DER", "-in", path, "-out", path + ".pem")
    return issuer_cn(path + ".pem")


def shard(device):
    return next(hub for hub in conn["hubs"] if hub["hostName"] == device["hub"])


def tls_context():
    # Re-read on every use: clients follow the trust bundle through a rotation.
    return ssl.create_default_context(cafile=trust_file)


def new_connection_server_issuer(host, port):
    """A fresh TLS handshake (verified against the trust bundle); the issuer CN of the server certificate."""
    with socket.create_connection((host, port), timeout=5) as raw:
        with tls_context().wrap_socket(raw, server_hostname=host) as tls:
            return der_issuer_cn(tls.getpeercert(binary_form=True))


def health(connection):
    connection.request("GET", "/health")
    response = connection.getresponse()
    response.read()
    return response.status


# 1. A device with an operational certificate from generation 1, connected; an HTTPS keep-alive connection open.
def setup():
    state["groupKey"] = symmetric_key_group(service, "rot-csr-group")
    old = flow.register_with_csr("rot-dev-old", state["groupKey"])
    client = flow.hub_client(old)
    client.connect()
    client.send_message("before rotation")
    state["oldClient"] = client
    hub = shard(old)
    keep_alive = http.client.HTTPSConnection(hub["hostName"], hub["httpsPort"], context=tls_context(), timeout=10)
    status = health(keep_alive)
    state["keepAlive"] = keep_alive
    state["keepAliveSocket"] = keep_alive.sock
    return {"oldLeafIssuer": issuer_cn(old["leaf"]), "healthStatus": status,
            "keepAliveServerIssuer": der_issuer_cn(keep_alive.sock.getpeercert(binary_form=True)),
            "newConnectionIssuer": new_connection_server_issuer(hub["hostName"], hub["mqttPort"])}


# 2. Rotate with immediate activation; new handshakes see the new issuing CA within the deadline.
def rotate():
    started = time.monotonic()
    output = flow.cli("ca", "rotate", "--activate-at", "now").stdout
    hub = shard(devices["rot-dev-old"])
    deadline = time.monotonic() + 10
    issuers = {}
    while time.monotonic() < deadline:
        issuers = {"mqtt": new_connection_server_issuer(hub["hostName"], hub["mqttPort"]),
                   "https": new_connection_server_issuer(hub["hostName"], hub["httpsPort"]),
                   "dps": new_connection_server_issuer(dps_host, conn["dps"]["mqttPort"])}
        if len(set(issuers.values())) == 1 and "Issuing CA 1" not in list(issuers.values())[0]:
            break
        time.sleep(0.1)
    return {"output": output, "newConnectionIssuers": issuers, "switchSeconds": time.monotonic() - started}


# 3. What was open stays open; the old device keeps working and reconnects.
def existing_connections():
    keep_alive = state["keepAlive"]
    status = health(keep_alive)
    same_socket = keep_alive.sock is state["keepAliveSocket"]
    client = state["oldClient"]
    still_connected = client.connected
    client.send_message("after rotation")
    client.disconnect()
    client.shutdown()
    again = flow.hub_client(devices["rot-dev-old"])
    again.connect()
    again.send_message("reconnected after rotation")
    reconnected = again.connected
    again.disconnect()
    again.shutdown()
    return {"keepAliveStatus": status, "sameSocket": same_socket,
            "keepAliveServerIssuer": der_issuer_cn(keep_alive.sock.getpeercert(binary_form=True)),
            "oldClientStayedConnected": still_connected, "oldDeviceReconnected": reconnected}


# 4. A new registration gets a chain from the new issuing CA; openssl verifies both leaves against the bundle.
def new_device():
    new = flow.register_with_csr("rot-dev-new", state["groupKey"])
    verifies = {name: flow.verify(devices[name]) for name in ("rot-dev-old", "rot-dev-new")}
    client = flow.hub_client(new)
    client.connect()
    client.send_message("new device")
    connected = client.connected
    client.disconnect()
    client.shutdown()
    crls = {}
    for name in ("issuing", "issuing-2"):
        try:
            crls[name] = urllib.request.urlopen("http://%s:8080/crl/%s.crl" % (dps_host, name), timeout=5).status
        except urllib.error.HTTPError as error:
            crls[name] = error.code
    return {"newLeafIssuer": issuer_cn(new["leaf"]), "crlDistributionPoint": crl_distribution_point(new["leaf"]),
            "opensslVerify": verifies, "newDeviceConnected": connected, "crlStatus": crls}


# 5. A root rollover activating later: pending in the list, its root already in the bundle, issuance unchanged.
def pending_root():
    flow.cli("ca", "rotate", "--root", "--activate-at", "2099-01-01T00:00:00Z")
    listing = json.loads(flow.cli("ca", "list", "--json").stdout)
    bundle = open(trust_file).read().count("BEGIN CERTIFICATE")
    # EST cacerts names the new root too, so EST clients learn it before anything chains to it (once the server has
    # noticed the rotation the CLI stored).
    deadline = time.monotonic() + 10
    while True:
        cacerts = requests.get("https://%s:%d/.well-known/est/cacerts" % (dps_host, conn["dps"]["httpsPort"]))
        cacerts.raise_for_status()
        printed = subprocess.run(["openssl", "pkcs7", "-inform", "DER", "-print_certs", "-noout"],
                                 input=base64.b64decode(cacerts.content), capture_output=True, check=True).stdout.decode()
        if printed.count("subject=") >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    hub = shard(devices["rot-dev-old"])
    return {"listing": [{"generation": row["generation"], "role": row["role"], "state": row["state"].split(" ")[0]}
                        for row in listing],
            "bundleCertificates": bundle,
            "estCACertificates": [line.split("CN = ", 1)[-1] for line in printed.splitlines() if line.startswith("subject=")],
            "newConnectionIssuer": new_connection_server_issuer(hub["hostName"], hub["mqttPort"])}


# 6. Retiring generation 1: the old device is refused, the new one still connects, the old CRL is no longer served.
def retire():
    live = flow.hub_client(devices["rot-dev-old"])
    dropped = threading.Event()
    live.on_connection_state_change = lambda: None if live.connected else dropped.set()
    live.connect()
    flow.cli("ca", "retire", "1")
    live_dropped = dropped.wait(5)
    live.shutdown()
    refused_client = None
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        client = flow.hub_client(devices["rot-dev-old"])
        try:
            client.connect()
            client.disconnect()
            refused_client = False
        except Exception as error:
            refused_client = type(error).__name__
        finally:
            client.shutdown()
        if refused_client:
            break
        time.sleep(0.2)
    client = flow.hub_client(devices["rot-dev-new"])
    client.connect()
    new_connected = client.connected
    client.disconnect()
    client.shutdown()
    # The server applies the retirement within its polling interval; poll the old CA's CRL until it is gone.
    deadline = time.monotonic() + 10
    while True:
        try:
            old_crl = urllib.request.urlopen("http://%s:8080/crl/issuing.crl" % dps_host, timeout=5).status
        except urllib.error.HTTPError as error:
            old_crl = error.code
        if old_crl == 404 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    # EST re-enrollment with the retired CA's certificate (leaf only, as EST clients present it) is refused too.
    old = devices["rot-dev-old"]
    _, csr = flow.make_csr("rot-dev-old")
    reenroll = requests.post("https://%s:%d/.well-known/est/simplereenroll" % (dps_host, conn["dps"]["httpsPort"]),
                             headers={"Content-Type": "application/pkcs10"}, data=csr, cert=(old["leaf"], old["key"]))
    return {"oldDeviceRefused": refused_client, "oldConnectionDropped": live_dropped, "newDeviceConnected": new_connected, "oldCRLStatus": old_crl,
            "estReenrollStatus": reenroll.status_code,
            "oldLeafVerifyWithoutCRL": flow.verify(devices["rot-dev-old"], purpose=None),
            "states": [row["state"].split(" ")[0] for row in json.loads(flow.cli("ca", "list", "--json").stdout)]}


flow.step("setup", setup)
flow.step("rotate", rotate)
flow.step("existingConnections", existing_connections)
flow.step("newDevice", new_device)
flow.step("pendingRoot", pending_root)
flow.step("retire", retire)
print(json.dumps({"steps": steps}))
