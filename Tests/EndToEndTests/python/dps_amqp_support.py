"""DPS over AMQP clients for the end-to-end scripts: python-qpid-proton and uamqp (the C SDK's AMQP stack), each holding
the link pair on `amqps://{dps}/{scope}/registrations/{reg}` and sending DPS requests (app-prop
`iotdps-operation-type`), and the register-then-poll loop the device SDKs run (polling after the server's retry-after)."""
import base64
import hashlib
import hmac
import json
import time
import urllib.parse
import uuid

from csr_support import check


class DPS:
    """The DPS endpoint of a running server, from connection.json."""

    def __init__(self, conn):
        self.conn = conn
        self.host = conn["dps"]["host"]
        self.amqp_port = conn["dps"]["amqpPort"]
        self.https_port = conn["dps"]["httpsPort"]
        self.scope = conn["idScope"]
        self.trust = conn["trustBundle"]

    def node(self, registration_id):
        return "%s/registrations/%s" % (self.scope, registration_id)

    def address(self, registration_id):
        return "amqps://%s/%s" % (self.host, self.node(registration_id))

    def sas(self, registration_id, key, ttl=3600):
        """The device SAS the SDKs send as the PLAIN password: `sr` URL-encoded, `skn=registration`."""
        sr = urllib.parse.quote(self.node(registration_id), safe="")
        expiry = int(time.time()) + ttl
        signature = base64.b64encode(hmac.new(base64.b64decode(key), ("%s\n%d" % (sr, expiry)).encode(), hashlib.sha256).digest())
        return "SharedAccessSignature sr=%s&sig=%s&se=%d&skn=registration" % (sr, urllib.parse.quote(signature.decode(), safe=""), expiry)


def derive(group_key, registration_id):
    return base64.b64encode(hmac.new(base64.b64decode(group_key), registration_id.encode(), hashlib.sha256).digest()).decode()


REGISTER = {"iotdps-operation-type": "iotdps-register"}


def status_request(operation_id):
    return {"iotdps-operation-type": "iotdps-get-operationstatus", "iotdps-operation-id": operation_id}


class Reply:
    """A request's outcome: `accepted` with the reply (app-props, JSON, correlation-id), or `rejected` with the error."""

    def __init__(self, outcome, properties=None, body=None, correlation_id=None, condition=None, description=None, info=None):
        self.outcome, self.properties, self.body, self.correlation_id = outcome, properties or {}, body, correlation_id
        self.condition, self.description, self.info = condition, description, info or {}

    def error(self):
        """The rejection's description parsed as DPS's error JSON."""
        return json.loads(self.description)


def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class ProtonClient:
    """python-qpid-proton: SASL PLAIN with the SAS, or the TLS client certificate with no SASL (as the C SDK) / EXTERNAL."""

    def __init__(self, dps, registration_id, password=None, certificate=None, mechanism="PLAIN", node=None):
        from proton import SSLDomain
        from proton.utils import BlockingConnection
        domain = SSLDomain(SSLDomain.MODE_CLIENT)
        domain.set_trusted_ca_db(dps.trust)
        domain.set_peer_authentication(SSLDomain.VERIFY_PEER)
        if certificate:
            domain.set_credentials(certificate[0], certificate[1], None)
        if mechanism is None:
            options = {"sasl_enabled": False}
        elif mechanism == "PLAIN":
            options = {"sasl_enabled": True, "allowed_mechs": "PLAIN", "user": dps.node(registration_id), "password": password}
        else:
            options = {"sasl_enabled": True, "allowed_mechs": mechanism}
        self.connection = BlockingConnection("amqps://%s:%d" % (dps.host, dps.amqp_port), ssl_domain=domain, timeout=30,
                                             virtual_host=dps.host, **options)
        address = dps.address(node or registration_id)
        self.receiver = self.connection.create_receiver(address, name="recv_link", credit=10)
        self.sender = self.connection.create_sender(address, name="sender_link")

    def request(self, properties, body=b"", correlation_id=None):
        from proton import Delivery, Message
        message = Message(body=body, inferred=isinstance(body, bytes), properties=properties, correlation_id=correlation_id)
        delivery = self.sender.send(message, error_states=[])
        if delivery.remote_state == Delivery.REJECTED:
            condition = delivery.remote.condition
            return Reply("rejected", condition=condition and condition.name, description=condition and condition.description,
                         info=condition and condition.info)
        check(delivery.remote_state == Delivery.ACCEPTED, "request outcome %r" % delivery.remote_state)
        reply = self.receiver.receive(timeout=30)
        self.receiver.accept()
        check(isinstance(reply.body, (bytes, memoryview)), "the reply body is not a data section: %r" % (reply.body,))
        return Reply("accepted", {text(k): v for k, v in (reply.properties or {}).items()}, json.loads(bytes(reply.body)),
                     reply.correlation_id)

    def close(self):
        try:
            self.connection.close()
        except Exception:
            pass


class UamqpClient:
    """uamqp (azure-uamqp-c): SASL PLAIN on the AMQP port, or over a WebSocket (`AMQPWSB10`) on the DPS HTTPS port; the
    link pair on one session of one connection, as the C SDK attaches it (`recv_link`, then `sender_link`)."""

    def __init__(self, dps, registration_id, password, websocket=False):
        import uamqp
        from uamqp.address import Source, Target
        from uamqp.constants import MessageReceiverState, MessageSenderState, TransportType
        from uamqp.receiver import MessageReceiver
        from uamqp.sender import MessageSender
        from uamqp.session import Session
        auth = uamqp.authentication.SASLPlain(
            dps.host, dps.node(registration_id), password, port=dps.https_port if websocket else dps.amqp_port, verify=dps.trust,
            transport_type=TransportType.AmqpOverWebsocket if websocket else TransportType.Amqp)
        self.connection = uamqp.Connection(dps.host, auth, container_id="prov_connection")
        self.session = Session(self.connection)
        address = dps.address(registration_id)
        self.received = []
        self.receiver = MessageReceiver(self.session, Source(address), "local_endpoint", on_message_received=self.received.append,
                                        name="recv_link", prefetch=10)
        self.sender = MessageSender(self.session, "remote_endpoint", Target(address), name="sender_link")
        self.receiver.open()
        self.sender.open()
        self.pump(lambda: self.receiver.get_state() == MessageReceiverState.Open and self.sender.get_state() == MessageSenderState.Open,
                  "the link pair did not attach")

    def pump(self, condition, what, timeout=30):
        deadline = time.monotonic() + timeout
        while not condition():
            check(time.monotonic() < deadline, "%s within %d s" % (what, timeout))
            self.connection.work()

    def request(self, properties, body=b"", correlation_id=None):
        from uamqp.constants import MessageSendResult
        from uamqp.message import Message, MessageProperties
        message = Message(body, application_properties=properties,
                          properties=MessageProperties(correlation_id=correlation_id) if correlation_id else None)
        results = []
        self.sender.send(message, lambda sent, result, error=None, **_: results.append((result, error)))
        self.pump(lambda: results, "no disposition for the request")
        result, error = results[0]
        if result not in (MessageSendResult.Ok, MessageSendResult.Ok.value):
            return Reply("rejected", condition=text(getattr(error, "condition", None)), description=text(getattr(error, "description", None)),
                         info=getattr(error, "info", None))
        self.pump(lambda: self.received, "no reply")
        reply = self.received.pop(0)
        reply.accept()
        body = b"".join(reply.get_data())
        correlation = reply.properties.correlation_id if reply.properties else None
        return Reply("accepted", {text(k): text(v) if isinstance(v, bytes) else v for k, v in (reply.application_properties or {}).items()},
                     json.loads(body), text(correlation))

    def close(self):
        for part in (self.sender, self.receiver):
            try:
                part.close()
            except Exception:
                pass
        try:
            self.session.destroy()
            self.connection.destroy()
        except Exception:
            pass


def register(client, registration_id, payload=None, timeout=30):
    """Register, then poll after each reply's retry-after until the operation leaves `assigning`; returns (first
    reply, last reply)."""
    body = json.dumps({"registrationId": registration_id, "payload": payload}).encode()
    first = client.request(REGISTER, body)
    check(first.outcome == "accepted", "register %s: %s %s" % (first.outcome, first.condition, first.description))
    reply = first
    deadline = time.monotonic() + timeout
    while reply.body.get("status") == "assigning":
        check(time.monotonic() < deadline, "still assigning after %d s" % timeout)
        time.sleep(int(reply.properties.get("retry-after", 1)))  # the server's own hint, as the SDKs wait
        reply = client.request(status_request(first.body["operationId"]), body)
        check(reply.outcome == "accepted", "status poll %s: %s" % (reply.outcome, reply.description))
    return first, reply


def summary(first, last):
    state = last.body.get("registrationState") or {}
    return {"firstStatus": first.body.get("status"), "retryAfter": text(first.properties.get("retry-after")),
            "RetryAfter": first.properties.get("Retry-After"), "status": last.body.get("status"),
            "assignedHub": state.get("assignedHub"), "deviceId": state.get("deviceId"),
            "operationId": last.body.get("operationId"), "sameOperation": first.body.get("operationId") == last.body.get("operationId")}
