"""TLS 1.2 probe for the end-to-end tests.

Usage: tls_probe.py CA_BUNDLE TARGET...

TARGET is ``handshake:HOST:PORT[:NAME]`` (complete a TLS handshake, checking the certificate for
NAME, default HOST) or ``get:HOST:PORT:PATH`` (HTTPS GET). Every connection uses
``ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)`` pinned to TLS 1.2, trusting only CA_BUNDLE, with hostname
checking on (HOST is an IP address, so it must be an IP SAN of the certificate).

Prints one JSON object ``{"results": [...]}`` with one entry per target, in order. A failing target
is reported as ``{"ok": false, "error": ...}``; the exit status is non-zero only for usage errors.
"""

import http.client
import json
import socket
import ssl
import sys

TIMEOUT_SECONDS = 15


def make_context(ca_bundle):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.load_verify_locations(cafile=ca_bundle)
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


def describe_peer(tls_socket):
    certificate = tls_socket.getpeercert()
    return {
        "version": tls_socket.version(),
        "cipher": tls_socket.cipher()[0],
        "subjectAltName": [list(entry) for entry in certificate.get("subjectAltName", ())],
    }


def handshake(context, host, port, name):
    with socket.create_connection((host, port), timeout=TIMEOUT_SECONDS) as raw:
        with context.wrap_socket(raw, server_hostname=name) as tls:
            return {"ok": True, **describe_peer(tls)}


def get(context, host, port, path):
    connection = http.client.HTTPSConnection(host, port, timeout=TIMEOUT_SECONDS, context=context)
    try:
        connection.request("GET", path, headers={"Accept": "application/json"})
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        result = {
            "ok": True,
            "status": response.status,
            "contentType": response.getheader("Content-Type"),
            "body": body,
        }
        result.update(describe_peer(connection.sock))
        return result
    finally:
        connection.close()


def probe(context, target):
    kind, _, rest = target.partition(":")
    try:
        if kind == "handshake":
            host, port, *name = rest.split(":", 2)
            return handshake(context, host, int(port), name[0] if name else host)
        if kind == "get":
            host, port, path = rest.split(":", 2)
            return get(context, host, int(port), path)
        return {"ok": False, "error": f"unknown target kind {kind!r}"}
    except Exception as error:  # reported to the Swift test, which fails with the message
        return {"ok": False, "error": f"{type(error).__name__}: {error}"}


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    context = make_context(argv[1])
    results = [dict(target=target, **probe(context, target)) for target in argv[2:]]
    json.dump({"results": results}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
