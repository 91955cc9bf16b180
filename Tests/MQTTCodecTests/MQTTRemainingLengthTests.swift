import MQTTCodec
import NIOCore
import Testing

@Suite("Remaining length encoding")
struct MQTTRemainingLengthTests {
    /// Boundary values of the one- to four-byte encodings and their minimal wire form (spec table 2.4).
    static let boundaries: [(value: Int, bytes: [UInt8])] = [
        (0, [0x00]),
        (127, [0x7F]),
        (128, [0x80, 0x01]),
        (16_383, [0xFF, 0x7F]),
        (16_384, [0x80, 0x80, 0x01]),
        (2_097_151, [0xFF, 0xFF, 0x7F]),
        (2_097_152, [0x80, 0x80, 0x80, 0x01]),
        (268_435_455, [0xFF, 0xFF, 0xFF, 0x7F]),
    ]

    /// A PUBLISH to topic "t" whose remaining length is exactly `value` (value >= 3).
    private func publish(remainingLength value: Int) -> MQTTPacket {
        .publish(MQTTPublish(topic: "t", payload: ByteBuffer(repeating: 0x5A, count: value - 3)))
    }

    @Test("the encoder writes the minimal form at every boundary up to 2,097,152", arguments: 2..<7)
    func encoderBoundaries(_ index: Int) throws {
        let (value, lengthBytes) = Self.boundaries[index]
        let packet = self.publish(remainingLength: value)
        let wire = MQTTTestSupport.encode(packet)
        #expect(wire.count == 1 + lengthBytes.count + value)
        #expect(Array(wire[1...lengthBytes.count]) == lengthBytes)

        let limits = MQTTCodecLimits(maximumPacketSize: wire.count)
        #expect(try MQTTTestSupport.decode(wire, limits: limits) == packet)
    }

    @Test("the smallest packets: remaining length 0 and 127")
    func smallBoundaries() throws {
        #expect(MQTTTestSupport.encode(.pingReq) == [0xC0, 0x00])
        #expect(try MQTTTestSupport.decode([0xC0, 0x00], limits: MQTTCodecLimits(maximumPacketSize: 2)) == .pingReq)
        let packet = self.publish(remainingLength: 127)
        let wire = MQTTTestSupport.encode(packet)
        #expect(wire[1] == 0x7F && wire.count == 129)
        #expect(try MQTTTestSupport.decode(wire) == packet)
    }

    @Test("the decoder reads every boundary above 0 from the header alone", arguments: 1..<8)
    func decoderBoundaries(_ index: Int) throws {
        let (value, lengthBytes) = Self.boundaries[index]
        let header: [UInt8] = [0x30] + lengthBytes
        let packetLength = header.count + value
        // Exactly at the limit the header is accepted and the decoder waits for the body ...
        #expect(try MQTTTestSupport.decode(header, limits: MQTTCodecLimits(maximumPacketSize: packetLength)) == nil)
        // ... one byte under it, the claimed length alone is rejected: this pins the decoded value.
        let code = MQTTTestSupport.decodeErrorCode(header, limits: MQTTCodecLimits(maximumPacketSize: packetLength - 1))
        #expect(code == .packetTooLarge)
    }

    @Test("the largest packet the wire allows is sized, one more byte is refused")
    func maximumEncodable() throws {
        var payload = ByteBuffer()
        payload.reserveCapacity(268_435_452)
        payload.moveWriterIndex(forwardBy: 268_435_452)  // reserved, never touched: sizing reads no bytes
        let largest = MQTTPacket.publish(MQTTPublish(topic: "t", payload: payload))
        #expect(try largest.encodedSize() == 5 + 268_435_455)

        let tooLarge = MQTTPacket.publish(MQTTPublish(topic: "tt", payload: payload))
        var out = ByteBuffer()
        let error = #expect(throws: MQTTCodecError.self) { try tooLarge.checkedEncode(into: &out) }
        #expect(error?.code == .unencodable)
        #expect(out.readableBytes == 0)
    }

    @Test("a non-minimal encoding within four bytes is accepted")
    func nonMinimalAccepted() throws {
        #expect(try MQTTTestSupport.decode([0xC0, 0x80, 0x00]) == .pingReq)
        #expect(try MQTTTestSupport.decode([0xE0, 0x80, 0x80, 0x80, 0x00]) == .disconnect)
    }

    @Test("a fifth length byte is malformed, even before it arrives")
    func fiveBytes() {
        #expect(MQTTTestSupport.decodeErrorCode([0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]) == .malformedRemainingLength)
        #expect(MQTTTestSupport.decodeErrorCode([0x30, 0x80, 0x80, 0x80, 0x80]) == .malformedRemainingLength)
        #expect(MQTTTestSupport.decodeErrorCode([0xC0, 0x80, 0x80, 0x80, 0x80, 0x00]) == .malformedRemainingLength)
    }

    @Test("a partial length field waits for more bytes and leaves the buffer alone")
    func partialLength() throws {
        var buffer = ByteBuffer(bytes: [0x30, 0xFF, 0xFF])
        #expect(try MQTTPacket.decode(from: &buffer, limits: MQTTCodecLimits(maximumPacketSize: .max)) == nil)
        #expect(buffer.readerIndex == 0 && buffer.readableBytes == 3)
    }
}
