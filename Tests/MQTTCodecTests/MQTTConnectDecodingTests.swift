import MQTTCodec
import NIOCore
import Testing

@Suite("CONNECT decoding")
struct MQTTConnectDecodingTests {
    /// A CONNECT with the given header fields and payload bytes, remaining length computed.
    private func connect(name: String = "MQTT", level: UInt8 = 4, flags: UInt8, keepAlive: UInt16 = 30, payload: [UInt8]) -> [UInt8] {
        let body = MQTTTestSupport.string(name) + [level, flags, UInt8(keepAlive >> 8), UInt8(keepAlive & 0xFF)] + payload
        precondition(body.count < 128)
        return [0x10, UInt8(body.count)] + body
    }

    @Test("an unknown protocol level decodes, so the session can answer CONNACK 1")
    func unknownLevel() throws {
        // An MQTT 5 CONNECT: property length 0 then the client identifier.
        let bytes = self.connect(level: 5, flags: 0x02, payload: [0x00] + MQTTTestSupport.string("v5-client"))
        let packet = try MQTTTestSupport.decode(bytes)
        #expect(packet == .connect(MQTTConnect(protocolLevel: 5, cleanSession: true, keepAliveSeconds: 30, clientIdentifier: "")))
    }

    @Test("an unknown protocol name with level 4 decodes fully")
    func unknownName() throws {
        let bytes = self.connect(name: "MQTX", flags: 0x02, payload: MQTTTestSupport.string("c"))
        let packet = try MQTTTestSupport.decode(bytes)
        #expect(packet == .connect(MQTTConnect(protocolName: "MQTX", keepAliveSeconds: 30, clientIdentifier: "c")))
    }

    @Test("MQTT 3.1 (MQIsdp, level 3) decodes fully")
    func mqtt31() throws {
        let bytes = self.connect(name: "MQIsdp", level: 3, flags: 0x82, payload: MQTTTestSupport.string("c") + MQTTTestSupport.string("u"))
        let packet = try MQTTTestSupport.decode(bytes)
        #expect(
            packet == .connect(MQTTConnect(protocolName: "MQIsdp", protocolLevel: 3, keepAliveSeconds: 30, clientIdentifier: "c", username: "u"))
        )
    }

    @Test("reserved flag bit 0 is refused, whatever the level", arguments: [UInt8(4), 5])
    func reservedBit(_ level: UInt8) {
        let bytes = self.connect(level: level, flags: 0x03, payload: MQTTTestSupport.string("c"))
        #expect(MQTTTestSupport.decodeErrorCode(bytes) == .invalidFlags)
    }

    @Test("a password without a user name is refused")
    func passwordWithoutUsername() {
        let bytes = self.connect(flags: 0x42, payload: MQTTTestSupport.string("c") + [0x00, 0x01, 0x70])
        #expect(MQTTTestSupport.decodeErrorCode(bytes) == .invalidFlags)
    }

    @Test("will QoS or will retain without the will flag is refused", arguments: [UInt8(0x0A), 0x12, 0x22])
    func inconsistentWill(_ flags: UInt8) {
        let bytes = self.connect(flags: flags, payload: MQTTTestSupport.string("c"))
        #expect(MQTTTestSupport.decodeErrorCode(bytes) == .invalidFlags)
    }

    @Test("will QoS 3 is refused")
    func willQoSThree() {
        let payload = MQTTTestSupport.string("c") + MQTTTestSupport.string("w") + [0x00, 0x00]
        #expect(MQTTTestSupport.decodeErrorCode(self.connect(flags: 0x1E, payload: payload)) == .invalidQoS)
    }

    @Test("a will topic with a wildcard is refused")
    func willWildcard() {
        let payload = MQTTTestSupport.string("c") + MQTTTestSupport.string("w/#") + [0x00, 0x00]
        #expect(MQTTTestSupport.decodeErrorCode(self.connect(flags: 0x06, payload: payload)) == .protocolViolation)
    }

    /// CONNECT flags and a payload that stops short of what the flags announce.
    static let truncatedPayloads: [(flags: UInt8, payload: [UInt8])] = {
        let clientIdentifier = MQTTTestSupport.string("c")
        let willTopic = MQTTTestSupport.string("w")
        let username = MQTTTestSupport.string("u")
        return [
            (0x02, []),  // no client identifier at all
            (0x02, [0x00, 0x05, 0x61]),  // client identifier cut short
            (0x06, clientIdentifier),  // will flag, no will topic
            (0x06, clientIdentifier + willTopic),  // will topic, no will message
            (0x06, clientIdentifier + willTopic + [0x00, 0x09, 0x01]),  // will message cut short
            (0x82, clientIdentifier),  // user name flag, no user name
            (0xC2, clientIdentifier + username),  // password flag, no password
            (0xC2, clientIdentifier + username + [0x00]),  // half a password length
        ]
    }()

    @Test("a truncated payload is malformed", arguments: Self.truncatedPayloads)
    func truncatedPayload(_ flags: UInt8, _ payload: [UInt8]) {
        #expect(MQTTTestSupport.decodeErrorCode(self.connect(flags: flags, payload: payload)) == .malformedPacket)
    }

    @Test("a truncated variable header is malformed")
    func truncatedHeader() {
        #expect(MQTTTestSupport.decodeErrorCode([0x10, 0x00]) == .malformedPacket)
        #expect(MQTTTestSupport.decodeErrorCode([0x10, 0x06] + MQTTTestSupport.string("MQTT")) == .malformedPacket)
        #expect(MQTTTestSupport.decodeErrorCode([0x10, 0x08] + MQTTTestSupport.string("MQTT") + [0x04, 0x02]) == .malformedPacket)
    }

    @Test("bytes after the last payload field are malformed")
    func trailingBytes() {
        let bytes = self.connect(flags: 0x02, payload: MQTTTestSupport.string("c") + [0x00])
        #expect(MQTTTestSupport.decodeErrorCode(bytes) == .malformedPacket)
    }

    @Test("an empty password and an empty client identifier are allowed")
    func emptyFields() throws {
        let bytes = self.connect(flags: 0xC2, payload: MQTTTestSupport.string("") + MQTTTestSupport.string("u") + [0x00, 0x00])
        let packet = try MQTTTestSupport.decode(bytes)
        #expect(packet == .connect(MQTTConnect(keepAliveSeconds: 30, clientIdentifier: "", username: "u", password: [])))
    }
}
