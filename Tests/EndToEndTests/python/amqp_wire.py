"""A minimal AMQP 1.0 peer written from the specification, for protocol edge cases no SDK will produce: raw frames over
TLS, an encoder for the values the tests send and a decoder for everything the server may answer."""
import socket
import ssl
import struct
import uuid

SASL_HEADER = b"AMQP\x03\x01\x00\x00"
AMQP_HEADER = b"AMQP\x00\x01\x00\x00"

OPEN, BEGIN, ATTACH, FLOW, TRANSFER, DISPOSITION, DETACH, END, CLOSE = range(0x10, 0x19)
SASL_MECHANISMS, SASL_INIT, SASL_CHALLENGE, SASL_RESPONSE, SASL_OUTCOME = range(0x40, 0x45)
ERROR, SOURCE, TARGET = 0x1D, 0x28, 0x29
ACCEPTED, REJECTED, RELEASED = 0x24, 0x25, 0x26
PROPERTIES, APPLICATION_PROPERTIES, DATA, AMQP_VALUE = 0x73, 0x74, 0x75, 0x77
NAMES = {OPEN: "open", BEGIN: "begin", ATTACH: "attach", FLOW: "flow", TRANSFER: "transfer", DISPOSITION: "disposition",
         DETACH: "detach", END: "end", CLOSE: "close", SASL_MECHANISMS: "sasl-mechanisms", SASL_OUTCOME: "sasl-outcome",
         SASL_CHALLENGE: "sasl-challenge"}


class Symbol(str):
    pass


class Described:
    def __init__(self, descriptor, value):
        self.descriptor, self.value = descriptor, value

    def __repr__(self):
        return "Described(%r, %r)" % (self.descriptor, self.value)


class UInt(int):
    pass


class Timestamp(int):
    pass


# Encoding ---------------------------------------------------------------------------------------------------------
def encode(value):
    if value is None:
        return b"\x40"
    if isinstance(value, bool):
        return b"\x41" if value else b"\x42"
    if isinstance(value, Described):
        return b"\x00" + encode_descriptor(value.descriptor) + encode(value.value)
    if isinstance(value, Timestamp):
        return b"\x83" + struct.pack(">q", value)
    if isinstance(value, UInt):
        return b"\x70" + struct.pack(">I", value)
    if isinstance(value, int):
        return b"\x80" + struct.pack(">Q", value) if value >= 0 else b"\x81" + struct.pack(">q", value)
    if isinstance(value, Symbol):
        data = value.encode()
        return b"\xb3" + struct.pack(">I", len(data)) + data
    if isinstance(value, str):
        data = value.encode()
        return b"\xb1" + struct.pack(">I", len(data)) + data
    if isinstance(value, (bytes, bytearray)):
        return b"\xb0" + struct.pack(">I", len(value)) + bytes(value)
    if isinstance(value, uuid.UUID):
        return b"\x98" + value.bytes
    if isinstance(value, list):
        body = b"".join(encode(v) for v in value)
        return b"\xd0" + struct.pack(">II", len(body) + 4, len(value)) + body
    if isinstance(value, dict):
        body = b"".join(encode(k) + encode(v) for k, v in value.items())
        return b"\xd1" + struct.pack(">II", len(body) + 4, len(value) * 2) + body
    raise TypeError("cannot encode %r" % (value,))


def encode_descriptor(descriptor):
    return encode(Symbol(descriptor)) if isinstance(descriptor, str) else b"\x80" + struct.pack(">Q", descriptor)


def performative(code, fields):
    return encode(Described(code, list(fields)))


def frame(body, channel=0, kind=0):
    return struct.pack(">IBBH", len(body) + 8, 2, kind, channel) + body


def message(sections):
    """An encoded message from (descriptor, value) pairs."""
    return b"".join(encode(Described(code, value)) for code, value in sections)


# Decoding ---------------------------------------------------------------------------------------------------------
FIXED = {0x50: (1, ">B"), 0x51: (1, ">b"), 0x52: (1, ">B"), 0x53: (1, ">B"), 0x54: (1, ">b"), 0x55: (1, ">b"),
         0x56: (1, ">B"), 0x60: (2, ">H"), 0x61: (2, ">h"), 0x70: (4, ">I"), 0x71: (4, ">i"), 0x72: (4, ">f"),
         0x73: (4, ">I"), 0x80: (8, ">Q"), 0x81: (8, ">q"), 0x82: (8, ">d"), 0x83: (8, ">q")}


def decode(data, offset=0):
    """(value, next offset)."""
    code = data[offset]
    offset += 1
    if code == 0x00:
        descriptor, offset = decode(data, offset)
        value, offset = decode(data, offset)
        return Described(descriptor, value), offset
    if code == 0x40:
        return None, offset
    if code in (0x41, 0x42):
        return code == 0x41, offset
    if code in (0x43, 0x44):
        return 0, offset
    if code == 0x45:
        return [], offset
    if code in FIXED:
        size, fmt = FIXED[code]
        value = struct.unpack_from(fmt, data, offset)[0]
        if code == 0x56:
            value = bool(value)
        if code == 0x83:
            value = Timestamp(value)
        return value, offset + size
    if code == 0x98:
        return uuid.UUID(bytes=bytes(data[offset:offset + 16])), offset + 16
    if code in (0xa0, 0xa1, 0xa3, 0xb0, 0xb1, 0xb3):
        if code < 0xb0:
            size = data[offset]
            offset += 1
        else:
            size = struct.unpack_from(">I", data, offset)[0]
            offset += 4
        raw = bytes(data[offset:offset + size])
        offset += size
        if code in (0xa0, 0xb0):
            return raw, offset
        return (Symbol(raw.decode()) if code in (0xa3, 0xb3) else raw.decode()), offset
    if code in (0xc0, 0xc1, 0xd0, 0xd1):
        if code in (0xc0, 0xc1):
            size, count = data[offset], data[offset + 1]
            offset += 2
        else:
            size, count = struct.unpack_from(">II", data, offset)
            offset += 8
        items = []
        for _ in range(count):
            item, offset = decode(data, offset)
            items.append(item)
        if code in (0xc1, 0xd1):
            return dict(zip(items[::2], items[1::2])), offset
        return items, offset
    if code in (0xe0, 0xf0):
        if code == 0xe0:
            size, count = data[offset], data[offset + 1]
            offset += 2
        else:
            size, count = struct.unpack_from(">II", data, offset)
            offset += 8
        items, offset = decode_array(data, offset, count)
        return items, offset
    raise ValueError("unknown constructor 0x%02x" % code)


def decode_array(data, offset, count):
    constructor = data[offset]
    offset += 1
    items = []
    for _ in range(count):
        if constructor in (0xa3, 0xa1, 0xa0):
            size = data[offset]
            raw = bytes(data[offset + 1:offset + 1 + size])
            offset += 1 + size
        elif constructor in (0xb3, 0xb1, 0xb0):
            size = struct.unpack_from(">I", data, offset)[0]
            raw = bytes(data[offset + 4:offset + 4 + size])
            offset += 4 + size
        else:
            value, offset = decode(bytes([constructor]) + bytes(data[offset:]), 0)
            items.append(value)
            continue
        items.append(Symbol(raw.decode()) if constructor in (0xa3, 0xb3) else raw if constructor in (0xa0, 0xb0) else raw.decode())
    return items, offset


class Frame:
    def __init__(self, kind, channel, name, fields, payload):
        self.kind, self.channel, self.name, self.fields, self.payload = kind, channel, name, fields, payload

    def field(self, index):
        return self.fields[index] if index < len(self.fields) else None

    def error(self):
        """The condition of a close/detach/end error, or None."""
        index = {"close": 0, "end": 0, "detach": 2}.get(self.name)
        error = self.field(index) if index is not None else None
        return str(error.value[0]) if isinstance(error, Described) and error.value else None

    def __repr__(self):
        return "<%s %r>" % (self.name, self.fields)


# Connection -------------------------------------------------------------------------------------------------------
class Peer:
    def __init__(self, host, port, trust_bundle, timeout=20):
        context = ssl.create_default_context(cafile=trust_bundle)
        raw = socket.create_connection((host, port), timeout=timeout)
        self.sock = context.wrap_socket(raw, server_hostname=host)
        self.buffer = b""

    def send(self, data):
        self.sock.sendall(data)

    def recv_exact(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed with %d of %d bytes" % (len(self.buffer), count))
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def header(self):
        return self.recv_exact(8)

    def frame(self):
        """The next non-empty frame."""
        while True:
            size, doff, kind, channel = struct.unpack(">IBBH", self.recv_exact(8))
            body = self.recv_exact(size - 8)[(doff * 4 - 8):]
            if not body:
                continue
            value, offset = decode(body)
            name = NAMES.get(value.descriptor, str(value.descriptor)) if isinstance(value, Described) else "?"
            return Frame(kind, channel, name, value.value if isinstance(value, Described) else [], body[offset:])

    def until(self, *names):
        """Frames up to and including the first named one."""
        seen = []
        while True:
            received = self.frame()
            seen.append(received)
            if received.name in names:
                return received, seen

    def closed(self):
        """True once the server closed the connection (EOF), reading and discarding what comes first."""
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
        except (ConnectionError, ssl.SSLError):
            return True
        except socket.timeout:
            return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # Conversations
    def sasl(self, mechanism="ANONYMOUS", initial=None):
        self.send(SASL_HEADER)
        header = self.header()
        mechanisms = self.frame()
        self.send(frame(performative(SASL_INIT, [Symbol(mechanism), initial, None]), kind=1))
        outcome = self.frame()
        return header, mechanisms, outcome

    def open(self, max_frame_size=65536, idle=None, container="raw-peer", hostname=None):
        self.send(AMQP_HEADER)
        header = self.header()
        self.send(frame(performative(OPEN, [container, hostname, UInt(max_frame_size), 65535, UInt(idle) if idle else None,
                                            None, None, None, None, None])))
        opened = self.frame()
        return header, opened

    def begin(self, channel=0):
        self.send(frame(performative(BEGIN, [None, UInt(0), UInt(65536), UInt(65536), UInt(1024), None, None, None]), channel))
        return self.until("begin")[0]

    def attach(self, name, handle, role_receiver, source, target, channel=0, properties=None, snd_settle=0, rcv_settle=0,
               desired=None, filters=None):
        source_fields = [source, None, None, None, None, None, None, filters, None, None, None]
        target_fields = [target, None, None, None, None, None, None]
        self.send(frame(performative(ATTACH, [
            name, UInt(handle), role_receiver, snd_settle, rcv_settle,
            Described(SOURCE, source_fields), Described(TARGET, target_fields), None, None,
            None if role_receiver else UInt(0), None, None, desired, properties]), channel))

    def flow(self, handle, credit, delivery_count=0, channel=0, next_incoming=0):
        self.send(frame(performative(FLOW, [UInt(next_incoming), UInt(65536), UInt(0), UInt(65536), UInt(handle),
                                            UInt(delivery_count), UInt(credit), None, None, None, None]), channel))

    def transfer(self, handle, delivery_id, payload, more=False, settled=False, first=True, channel=0):
        fields = [UInt(handle), UInt(delivery_id) if first else None, uuid.uuid4().bytes if first else None,
                  UInt(0) if first else None, settled, more, None, None, None, None, None]
        self.send(frame(performative(TRANSFER, fields) + payload, channel))

    def put_token(self, audience, token, channel=0, sender=10, receiver=11):
        """CBS put-token on a fresh $cbs link pair; returns the reply's (status-code, status-description)."""
        self.attach("cbs-sender", sender, False, "$cbs", "$cbs", channel)
        self.attach("cbs-receiver", receiver, True, "$cbs", "$cbs", channel)
        self.flow(receiver, 10, channel=channel)
        self.until("flow")
        request = message([(PROPERTIES, [uuid.uuid4()]),
                           (APPLICATION_PROPERTIES, {"operation": "put-token", "type": "servicebus.windows.net:sastoken",
                                                     "name": audience}),
                           (AMQP_VALUE, token)])
        self.transfer(sender, 0, request, channel=channel)
        while True:
            received = self.frame()
            if received.name == "transfer" and received.field(0) == receiver:
                sections = decode_message(received.payload)
                properties = sections.get(APPLICATION_PROPERTIES, {})
                return properties.get("status-code"), properties.get("status-description")


def decode_message(payload):
    sections, offset = {}, 0
    while offset < len(payload):
        value, offset = decode(payload, offset)
        if isinstance(value, Described):
            sections[value.descriptor] = value.value
    return sections
