"""What every service-SDK script sets up first: the trust bundle for requests, no proxies, and the hub's host."""
import os


def prepare(ca_bundle, connection_string):
    """Points requests at the trust bundle and past any proxy; returns (the bundle's PEM text, the hub's host name)."""
    os.environ["REQUESTS_CA_BUNDLE"] = ca_bundle
    os.environ["NO_PROXY"] = "*"
    for proxy in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        os.environ.pop(proxy, None)
    with open(ca_bundle) as handle:
        trust = handle.read()
    host = dict(part.split("=", 1) for part in connection_string.split(";"))["HostName"].rsplit(":", 1)[0]
    return trust, host
