"""Connects with paho-mqtt 1.6.1 (MQTT 3.1.1 over TLS) and reports the CONNACK.

Usage: paho_connack.py CA_BUNDLE HOST PORT CLIENT_ID [TIMEOUT_SECONDS]

TLS trusts only CA_BUNDLE and checks the server certificate against HOST (an IP address).
Prints one JSON object: ``connackReceived`` (paho called on_connect), ``returnCode`` (the CONNACK
return code paho reported, or null), ``disconnected`` (on_disconnect fired afterwards) and
``error`` (set when the connection or TLS handshake failed, or no CONNACK came in time).
"""

import json
import ssl
import sys
import time

import paho.mqtt
import paho.mqtt.client as mqtt


def main(argv):
    if len(argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    ca_bundle, host, port, client_id = argv[1], argv[2], int(argv[3]), argv[4]
    timeout = float(argv[5]) if len(argv) > 5 else 15.0
    outcome = {
        "pahoVersion": paho.mqtt.__version__,
        "connackReceived": False,
        "returnCode": None,
        "disconnected": False,
        "error": None,
    }

    def on_connect(client, userdata, flags, rc):
        outcome["connackReceived"] = True
        outcome["returnCode"] = rc

    def on_disconnect(client, userdata, rc):
        outcome["disconnected"] = True

    client = mqtt.Client(client_id=client_id, clean_session=True, protocol=mqtt.MQTTv311)
    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    client.tls_set(ca_certs=ca_bundle, cert_reqs=ssl.CERT_REQUIRED, tls_version=ssl.PROTOCOL_TLS_CLIENT)
    try:
        client.connect(host, port, keepalive=30)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not (outcome["connackReceived"] and outcome["disconnected"]):
            client.loop(timeout=0.1)
            if outcome["connackReceived"] and outcome["returnCode"] == 0:
                break
        if not outcome["connackReceived"]:
            outcome["error"] = f"no CONNACK within {timeout} s"
    except Exception as error:
        outcome["error"] = f"{type(error).__name__}: {error}"
    finally:
        try:
            client.disconnect()
        except Exception:
            pass
    json.dump(outcome, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
