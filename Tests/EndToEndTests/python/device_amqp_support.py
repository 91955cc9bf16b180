"""Helpers shared by the device-AMQP end-to-end scripts (device_amqp_uamqp.py, device_amqp_proton.py): the shard from
connection.json, device and module SAS tokens (the C SDK's raw `sr` or the Python SDK's encoded one), devices, modules
and X.509 devices created through the service SDK, the built-in endpoint read with azure-eventhub, C2D sent and its
feedback read with azure-iot-hub / uamqp, direct methods invoked and twins read and patched through the service SDK."""
import base64
import datetime
import hashlib
import hmac
import json
import os
import ssl
import subprocess
import threading
import time
import urllib.parse

import csr_support
import routing_support

StepFailure, check = csr_support.StepFailure, csr_support.check


class Shard:
    """One hub shard of a running server, and the service-side clients the device scripts compare against."""

    def __init__(self, connection_json, name="hub-1"):
        self.conn = routing_support.setup(connection_json)
        # uamqp (device links and the service's C2D sender) trusts what SSL_CERT_FILE names.
        os.environ["SSL_CERT_FILE"] = self.conn["trustBundle"]
        self.trust = self.conn["trustBundle"]
        self.shard = routing_support.hub(self.conn, name)
        self.host = self.shard["hostName"]
        self.port = self.shard["amqpPort"]
        self._registry = None
        self.feedback = []  # every feedback record read so far (the feedback queue is hub-wide)

    # Identities ---------------------------------------------------------------------------------------------------

    def registry(self):
        from azure.iot.hub import IoTHubRegistryManager
        if self._registry is None:
            self._registry = IoTHubRegistryManager.from_connection_string(self.shard["serviceConnectionString"])
        return self._registry

    def create_device(self, device_id):
        """A SAS device; returns its primary key."""
        created = self.registry().create_device_with_sas(device_id, None, None, "enabled")
        return created.authentication.symmetric_key.primary_key

    def create_module(self, device_id, module_id):
        """A SAS module of an existing device; returns its primary key."""
        key = base64.b64encode(os.urandom(32)).decode()
        created = self.registry().create_module_with_sas(device_id, module_id, None, key, key)
        return created.authentication.symmetric_key.primary_key or key

    def create_x509_device(self, device_id, work):
        """A self-signed certificate (CN = device id) whose SHA-1 thumbprint is registered on a new device; returns the
        (certificate, key) PEM paths."""
        cert, key = os.path.join(work, device_id + ".pem"), os.path.join(work, device_id + ".key")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "30", "-subj", "/CN=" + device_id,
                        "-addext", "extendedKeyUsage=clientAuth"], check=True, capture_output=True)
        thumbprint = hashlib.sha1(ssl.PEM_cert_to_DER_cert(open(cert).read())).hexdigest().upper()
        self.registry().create_device_with_x509(device_id, thumbprint, thumbprint, "enabled")
        return cert, key

    def audience(self, device_id, module_id=None):
        """The CBS `name` of a device or module: `{host}/devices/{id}[/modules/{m}]` (no scheme)."""
        return "%s/devices/%s" % (self.host, device_id) + ("/modules/%s" % module_id if module_id else "")

    def address(self, device_id, path, module_id=None, scheme=True):
        base = ("amqps://%s" % self.host if scheme else "") + "/devices/%s" % device_id
        return base + ("/modules/%s" % module_id if module_id else "") + "/" + path

    def sas(self, device_id, key, module_id=None, ttl=3600, encode_sr=False):
        """A device or module SAS token. `encode_sr=False` writes `sr` raw as the C SDK does; True URL-encodes it as the
        Python device SDK does. The signature covers `sr` exactly as written. Returns (token, expiry)."""
        resource = self.audience(device_id, module_id)
        sr = urllib.parse.quote(resource, safe="") if encode_sr else resource
        expiry = int(time.time()) + ttl
        signature = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (sr, expiry)).encode(), hashlib.sha256).digest())
        return "SharedAccessSignature sr=%s&sig=%s&se=%d" % (sr, urllib.parse.quote(signature.decode(), safe=""), expiry), expiry

    # Built-in endpoint --------------------------------------------------------------------------------------------

    def stored_events(self, device_id, count, timeout=60, module_id=None):
        """The device's telemetry as the events REST API stores it, once `count` events are there (ground truth, and
        the partition the Event Hubs read goes to)."""
        def stored():
            events = [e for e in routing_support.read_all(self.shard)
                      if e["systemProperties"].get("iothub-connection-device-id") == device_id
                      and e["systemProperties"].get("iothub-message-source") == "Telemetry"
                      and (module_id is None or e["systemProperties"].get("iothub-connection-module-id") == module_id)]
            return events if len(events) >= count else None
        events = routing_support.wait_until(stored, timeout=timeout, interval=0.3)
        check(events, "the events API did not show %d telemetry events of %s within %d s" % (count, device_id, timeout))
        return events

    def eventhub_events(self, device_id, count, timeout=60, module_id=None):
        """The device's telemetry read from the built-in endpoint with azure-eventhub (pyamqp): the partition the events
        API names, from the start, until `count` of the device's events arrived. Each event is a dict of body,
        application properties and system properties (annotations and AMQP properties, as text)."""
        truth = self.stored_events(device_id, count, timeout, module_id)
        partitions = {e["partitionId"] for e in truth}
        check(len(partitions) == 1, "one device, one partition: %r" % partitions)
        from azure.eventhub import EventHubConsumerClient
        consumer = EventHubConsumerClient.from_connection_string(
            self.shard["eventHubsConnectionString"], consumer_group="$Default", connection_verify=self.trust, retry_total=1)
        mine, errors = [], []
        done = threading.Event()

        def on_event(context, event):
            if event is None:
                return
            described = describe_event(event)
            if described["system"].get("iothub-connection-device-id") == device_id and (
                    module_id is None or described["system"].get("iothub-connection-module-id") == module_id):
                mine.append(described)
            if len(mine) >= count:
                done.set()

        def on_error(context, error):
            errors.append("%s: %s" % (type(error).__name__, error))

        thread = threading.Thread(target=consumer.receive, daemon=True, kwargs=dict(
            on_event=on_event, on_error=on_error, partition_id=partitions.pop(), starting_position="-1", max_wait_time=5))
        thread.start()
        done.wait(timeout)
        consumer.close()
        thread.join(30)
        check(len(mine) >= count, "azure-eventhub read %d of %d events of %s (errors %r)" % (len(mine), count, device_id, errors))
        return mine

    # C2D and feedback ---------------------------------------------------------------------------------------------

    def send_c2d(self, device_id, body, message_id, **properties):
        """send_c2d_message (azure-iot-hub over AMQP) with full feedback requested."""
        values = {"messageId": message_id, "iothub-ack": "full"}
        values.update(properties)
        self.registry().send_c2d_message(device_id, body, values)

    def feedback_record(self, message_id, timeout=45):
        """The feedback record of `message_id` from /messages/serviceBound/feedback (uamqp ReceiveClient); every
        feedback message read is completed and its records kept in self.feedback."""
        import uamqp
        from azure.core.credentials import AccessToken
        settings = dict(p.split("=", 1) for p in self.shard["serviceConnectionString"].split(";"))
        host, name, key = settings["HostName"], settings["SharedAccessKeyName"], settings["SharedAccessKey"]

        def find():
            return [r for r in self.feedback if r.get("originalMessageId") == message_id]
        if find():
            return find()[0]

        def get_token():
            expiry = int(time.time() + 3600)
            signature = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (host, expiry)).encode(), hashlib.sha256).digest())
            return AccessToken("SharedAccessSignature sr=%s&sig=%s&se=%d&skn=%s" % (
                host, urllib.parse.quote(signature), expiry, name), expiry)
        auth = uamqp.authentication.JWTTokenAuth(audience="https://" + host, uri="https://" + host, get_token=get_token,
                                                 token_type=b"servicebus.windows.net:sastoken")
        auth.update_token()
        client = uamqp.ReceiveClient("amqps://%s/messages/serviceBound/feedback" % host, auth=auth, auto_complete=False,
                                     timeout=0, prefetch=10)
        deadline = time.monotonic() + timeout
        try:
            while not find() and time.monotonic() < deadline:
                for message in client.receive_message_batch(max_batch_size=10, timeout=2000):
                    self.feedback.extend(json.loads(b"".join(message.get_data())))
                    message.accept()
        finally:
            client.close()
        check(find(), "no feedback record for %s within %d s (read %r)" % (message_id, timeout, self.feedback))
        return find()[0]

    # Methods and twins --------------------------------------------------------------------------------------------

    def invoke_method(self, device_id, name, payload, module_id=None, timeout=30):
        """Starts invoke_device_method (or invoke_module_method) on a thread; returns a dict that gets `result`
        ({status, payload}) or `error` (and the HTTP `status` of a refusal), and an Event set when the call returned."""
        from azure.iot.hub.models import CloudToDeviceMethod
        outcome, finished = {}, threading.Event()

        def call():
            try:
                method = CloudToDeviceMethod(method_name=name, payload=payload, response_timeout_in_seconds=timeout)
                if module_id:
                    result = self.registry().invoke_module_method(device_id, module_id, method)
                else:
                    result = self.registry().invoke_device_method(device_id, method)
                outcome["result"] = {"status": result.status, "payload": result.payload}
            except Exception as error:
                outcome["error"] = "%s: %s" % (type(error).__name__, error)
                response = getattr(error, "response", None)
                outcome["status"] = getattr(response, "status_code", None)
            finally:
                finished.set()
        threading.Thread(target=call, daemon=True).start()
        return outcome, finished

    def twin(self, device_id, module_id=None):
        if module_id:
            return self.registry().get_module_twin(device_id, module_id)
        return self.registry().get_twin(device_id)

    def update_desired(self, device_id, desired, module_id=None):
        from azure.iot.hub.models import Twin, TwinProperties
        patch = Twin(properties=TwinProperties(desired=desired))
        if module_id:
            return self.registry().update_module_twin(device_id, module_id, patch, "*")
        return self.registry().update_twin(device_id, patch, "*")

    def close(self):
        if self._registry is not None:
            try:
                self._registry.amqp_svc_client.disconnect_sync()
            except Exception:
                pass


def text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime.datetime):
        return int(value.timestamp() * 1000)
    return value


def describe_event(event):
    return {"body": event.body_as_str(),
            "properties": {text(k): text(v) for k, v in (event.properties or {}).items()},
            "system": {text(k): str(text(v)) for k, v in (event.system_properties or {}).items()}}


def report(steps):
    """Prints the steps as the one JSON document the Swift test reads, then leaves without tearing down C objects
    (uamqp and proton can crash the interpreter at exit)."""
    import sys
    print(json.dumps({"steps": steps}))
    sys.stdout.flush()
    os._exit(0)


def poll(condition, timeout, interval=0.1):
    """Evaluates condition() until it is truthy or `timeout` seconds passed; returns its last value."""
    return routing_support.wait_until(condition, timeout=timeout, interval=interval)
