import MQTTCodec
import NIOCore
import Testing

@Suite("Decoding errors: every code, and the attacks they stop")
struct MQTTDecodingErrorTests {
    private func code(_ bytes: [UInt8], limits: MQTTCodecLimits = MQTTCodecLimits()) -> MQTTCodecError.Code? {
        MQTTTestSupport.decodeErrorCode(bytes, limits: limits)
    }

    @Test("packetTooLarge from the fixed header alone, before the body is buffered")
    func oversizedFromHeader() throws {
        // PUBLISH claiming 2,097,151 bytes; only the 4 header bytes exist.
        #expect(self.code([0x30, 0xFF, 0xFF, 0x7F]) == .packetTooLarge)
        // The default limit is 256 KiB + 1 KiB for the whole packet.
        let limit = MQTTCodecLimits.defaultMaximumPacketSize
        #expect(limit == 263_168)
        let atLimit = limit - 4  // remaining length with a 4-byte fixed header (3 length bytes)
        #expect(try MQTTTestSupport.decode([0x30] + self.lengthBytes(atLimit)) == nil)
        #expect(self.code([0x30] + self.lengthBytes(atLimit + 1)) == .packetTooLarge)
    }

    @Test("packetTooLarge honours a custom limit")
    func customLimit() {
        let limits = MQTTCodecLimits(maximumPacketSize: 10)
        #expect(self.code([0x30, 0x09], limits: limits) == .packetTooLarge)
        #expect(MQTTTestSupport.decodeErrorCode([0x30, 0x08], limits: limits) == nil)
    }

    @Test("malformedRemainingLength")
    func badRemainingLength() {
        #expect(self.code([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]) == .malformedRemainingLength)
    }

    @Test("unknownPacketType for the reserved types 0 and 15")
    func reservedTypes() {
        #expect(self.code([0x00]) == .unknownPacketType)
        #expect(self.code([0x00, 0x00]) == .unknownPacketType)
        #expect(self.code([0xF0, 0x00]) == .unknownPacketType)
        #expect(self.code([0xFF]) == .unknownPacketType)
    }

    @Test("invalidFlags in the fixed header", arguments: [
        [0x11, 0x00] as [UInt8],  // CONNECT with a flag
        [0x28, 0x02, 0x00, 0x00],  // CONNACK
        [0x42, 0x02, 0x00, 0x01],  // PUBACK with PUBREL's flags
        [0x60, 0x02, 0x00, 0x01],  // PUBREL without 0b0010
        [0x80, 0x05, 0x00, 0x01, 0x00, 0x01, 0x61],  // SUBSCRIBE without 0b0010
        [0x83, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00],
        [0xA0, 0x05, 0x00, 0x01, 0x00, 0x01, 0x61],  // UNSUBSCRIBE without 0b0010
        [0xC1, 0x00],  // PINGREQ
        [0xD8, 0x00],  // PINGRESP
        [0xEF, 0x00],  // DISCONNECT
    ])
    func badFixedHeaderFlags(_ bytes: [UInt8]) {
        #expect(self.code(bytes) == .invalidFlags)
        // Judged from the first byte alone.
        #expect(self.code([bytes[0]]) == .invalidFlags)
    }

    @Test("invalidQoS: PUBLISH with QoS 3, SUBSCRIBE requesting QoS 3")
    func qosThree() {
        #expect(self.code([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]) == .invalidQoS)
        #expect(self.code([0x36]) == .invalidQoS)
        #expect(self.code([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x03]) == .invalidQoS)
    }

    @Test("invalidFlags: reserved bits in SUBSCRIBE options and CONNACK flags")
    func reservedBodyBits() {
        #expect(self.code([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x04]) == .invalidFlags)
        #expect(self.code([0x20, 0x02, 0x02, 0x00]) == .invalidFlags)
    }

    @Test("protocolViolation: DUP on a QoS 0 PUBLISH")
    func dupOnQoSZero() {
        #expect(self.code([0x38, 0x03, 0x00, 0x01, 0x61]) == .protocolViolation)
    }

    @Test("protocolViolation: wildcards and empty topics in PUBLISH", arguments: ["a/+", "#", "a/#", "+", "sport/tennis+", ""])
    func wildcardTopic(_ topic: String) {
        let bytes = [0x30, UInt8(2 + topic.utf8.count)] + MQTTTestSupport.string(topic)
        #expect(self.code(bytes) == .protocolViolation)
    }

    @Test("protocolViolation: packet identifier 0 on PUBLISH QoS 1, SUBSCRIBE and UNSUBSCRIBE")
    func zeroIdentifier() {
        #expect(self.code([0x32, 0x05, 0x00, 0x01, 0x61, 0x00, 0x00]) == .protocolViolation)
        #expect(self.code([0x82, 0x06, 0x00, 0x00, 0x00, 0x01, 0x61, 0x00]) == .protocolViolation)
        #expect(self.code([0xA2, 0x05, 0x00, 0x00, 0x00, 0x01, 0x61]) == .protocolViolation)
    }

    @Test("protocolViolation: CONNACK refusing with session present")
    func refusedWithSession() {
        #expect(self.code([0x20, 0x02, 0x01, 0x05]) == .protocolViolation)
    }

    @Test("invalidUTF8: ill-formed sequences, surrogates, overlong forms and U+0000", arguments: [
        [0xFF] as [UInt8],
        [0xC3],  // truncated two-byte sequence
        [0xC0, 0x80],  // overlong U+0000
        [0xED, 0xA0, 0x80],  // UTF-16 surrogate U+D800
        [0x61, 0x00, 0x62],  // embedded U+0000
        [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
    ])
    func invalidUTF8Topic(_ topicBytes: [UInt8]) {
        let bytes: [UInt8] = [0x30, UInt8(2 + topicBytes.count), 0x00, UInt8(topicBytes.count)] + topicBytes
        #expect(self.code(bytes) == .invalidUTF8)
    }

    @Test("invalidUTF8 in a topic filter and a client identifier")
    func invalidUTF8Elsewhere() {
        #expect(self.code([0x82, 0x06, 0x00, 0x01, 0x00, 0x01, 0xFE, 0x00]) == .invalidUTF8)
        let connect: [UInt8] = [0x10, 0x0D] + MQTTTestSupport.string("MQTT") + [0x04, 0x02, 0x00, 0x00] + [0x00, 0x01, 0x80]
        #expect(self.code(connect) == .invalidUTF8)
    }

    @Test("well-formed multi-byte UTF-8 topics are accepted")
    func multiByteTopic() throws {
        let topic = "capteurs/température/☃/𝄞"
        let bytes = [0x30, UInt8(2 + topic.utf8.count)] + MQTTTestSupport.string(topic)
        #expect(try MQTTTestSupport.decode(bytes) == .publish(MQTTPublish(topic: topic, payload: ByteBuffer())))
    }

    @Test("topicTooLong for PUBLISH topics and subscription filters")
    func topicTooLong() {
        let limits = MQTTCodecLimits(maximumTopicLength: 4)
        #expect(self.code([0x30, 0x07] + MQTTTestSupport.string("abcde"), limits: limits) == .topicTooLong)
        #expect(MQTTTestSupport.decodeErrorCode([0x30, 0x06] + MQTTTestSupport.string("abcd"), limits: limits) == nil)
        let subscribe: [UInt8] = [0x82, 0x0A, 0x00, 0x01] + MQTTTestSupport.string("a/b/c") + [0x00]
        #expect(self.code(subscribe, limits: limits) == .topicTooLong)
        let unsubscribe: [UInt8] = [0xA2, 0x09, 0x00, 0x01] + MQTTTestSupport.string("a/b/c")
        #expect(self.code(unsubscribe, limits: limits) == .topicTooLong)
    }

    @Test("malformedPacket: fixed-size packets with the wrong length, judged from the header", arguments: [
        [0x40, 0x03] as [UInt8],  // PUBACK must be 2
        [0x20, 0x00],  // CONNACK must be 2
        [0xB0, 0x7F],  // UNSUBACK must be 2
        [0xC0, 0x01],  // PINGREQ must be 0
        [0xE0, 0xFF, 0x7F],  // DISCONNECT must be 0
    ])
    func fixedLengths(_ bytes: [UInt8]) {
        #expect(self.code(bytes) == .malformedPacket)
    }

    @Test("malformedPacket: truncated bodies and trailing bytes")
    func truncatedAndTrailing() {
        // PUBLISH whose topic length runs past the packet.
        #expect(self.code([0x30, 0x03, 0x00, 0x05, 0x61]) == .malformedPacket)
        // QoS 1 PUBLISH with no room for the packet identifier.
        #expect(self.code([0x32, 0x04, 0x00, 0x01, 0x61, 0x00]) == .malformedPacket)
        // SUBSCRIBE whose last filter lacks its QoS byte.
        #expect(self.code([0x82, 0x05, 0x00, 0x01, 0x00, 0x01, 0x61]) == .malformedPacket)
        // UNSUBSCRIBE with half a length prefix left over.
        #expect(self.code([0xA2, 0x06, 0x00, 0x01, 0x00, 0x01, 0x61, 0x00]) == .malformedPacket)
    }

    @Test("malformedPacket: SUBSCRIBE, UNSUBSCRIBE and SUBACK with nothing in them")
    func emptyLists() {
        #expect(self.code([0x82, 0x02, 0x00, 0x01]) == .malformedPacket)
        #expect(self.code([0xA2, 0x02, 0x00, 0x01]) == .malformedPacket)
        #expect(self.code([0x90, 0x02, 0x00, 0x01]) == .malformedPacket)
    }

    @Test("malformedPacket: reserved SUBACK and CONNACK return codes")
    func reservedReturnCodes() {
        #expect(self.code([0x90, 0x03, 0x00, 0x01, 0x03]) == .malformedPacket)
        #expect(self.code([0x90, 0x03, 0x00, 0x01, 0x81]) == .malformedPacket)
        #expect(self.code([0x20, 0x02, 0x00, 0x06]) == .malformedPacket)
    }

    @Test("a failed decode leaves the buffer untouched")
    func bufferUntouchedOnError() throws {
        var buffer = ByteBuffer(bytes: [0xC0, 0x00, 0x30, 0x03, 0x00, 0x01, 0x23])
        #expect(try MQTTPacket.decode(from: &buffer) == .pingReq)
        let before = buffer
        #expect(throws: MQTTCodecError.self) { try MQTTPacket.decode(from: &buffer) }
        #expect(buffer == before && buffer.readerIndex == 2)
    }

    @Test("errors carry a message and describe themselves")
    func errorDescription() throws {
        let error = try #require(#expect(throws: MQTTCodecError.self) { try MQTTTestSupport.decode([0x30, 0xFF, 0xFF, 0x7F]) })
        #expect(error.code == .packetTooLarge)
        #expect(error.message.contains("2097155"))
        #expect(String(describing: error).hasPrefix("MQTTCodecError.packetTooLarge"))
    }

    private func lengthBytes(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var remaining = value
        repeat {
            var byte = UInt8(remaining & 0x7F)
            remaining >>= 7
            if remaining > 0 { byte |= 0x80 }
            bytes.append(byte)
        } while remaining > 0
        return bytes
    }
}
