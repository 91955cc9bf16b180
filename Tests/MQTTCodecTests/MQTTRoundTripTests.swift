import MQTTCodec
import NIOCore
import Testing

@Suite("Round trip: encode then decode gives the packet back")
struct MQTTRoundTripTests {
    @Test("every packet type", arguments: MQTTTestSupport.samplePackets)
    func roundTrip(_ packet: MQTTPacket) throws {
        var buffer = ByteBuffer()
        packet.encode(into: &buffer)
        #expect(try packet.encodedSize() == buffer.readableBytes)

        let decoded = try MQTTPacket.decode(from: &buffer, limits: MQTTCodecLimits())
        #expect(decoded == packet)
        #expect(buffer.readableBytes == 0)
    }

    @Test("every packet type is covered by the samples")
    func samplesCoverEveryType() {
        let firstBytes = Set(MQTTTestSupport.samplePackets.map { MQTTTestSupport.encode($0)[0] >> 4 })
        #expect(firstBytes == Set(1...14))
    }

    @Test("a QoS 0 PUBLISH drops the packet identifier")
    func qosZeroDropsIdentifier() throws {
        let packet = MQTTPacket.publish(MQTTPublish(topic: "a", payload: ByteBuffer(), packetIdentifier: 5))
        let decoded = try MQTTTestSupport.decode(MQTTTestSupport.encode(packet))
        #expect(decoded == .publish(MQTTPublish(topic: "a", payload: ByteBuffer())))
    }

    @Test("the NIO encoder writes the same bytes as encode(into:)", arguments: MQTTTestSupport.samplePackets)
    func encoderMatches(_ packet: MQTTPacket) throws {
        var out = ByteBuffer()
        try MQTTPacketEncoder().encode(data: packet, out: &out)
        #expect(Array(out.readableBytesView) == MQTTTestSupport.encode(packet))
    }

    @Test("a decoded PUBLISH payload is a slice of the input")
    func payloadIsSlice() throws {
        var buffer = ByteBuffer(bytes: [0x30, 0x06, 0x00, 0x01, 0x61, 0x01, 0x02, 0x03, 0xC0, 0x00])
        let publish = try #require(try MQTTPacket.decode(from: &buffer))
        #expect(publish == .publish(MQTTPublish(topic: "a", payload: ByteBuffer(bytes: [1, 2, 3]))))
        #expect(try MQTTPacket.decode(from: &buffer) == .pingReq)
        #expect(try MQTTPacket.decode(from: &buffer) == nil)
    }
}

@Suite("Encoding refuses packets the wire cannot carry")
struct MQTTEncodingLimitTests {
    private func encodeErrorCode(_ packet: MQTTPacket) -> MQTTCodecError.Code? {
        var buffer = ByteBuffer(bytes: [0xAA])
        do {
            try packet.checkedEncode(into: &buffer)
            return nil
        } catch {
            #expect(Array(buffer.readableBytesView) == [0xAA], "buffer must be unchanged on failure")
            return error.code
        }
    }

    @Test("a string over 65,535 bytes")
    func stringTooLong() {
        let topic = String(repeating: "a", count: 65_536)
        #expect(self.encodeErrorCode(.publish(MQTTPublish(topic: topic, payload: ByteBuffer()))) == .unencodable)
        let longest = String(repeating: "a", count: 65_535)
        #expect(self.encodeErrorCode(.publish(MQTTPublish(topic: longest, payload: ByteBuffer()))) == nil)
    }

    @Test("a QoS 1 PUBLISH without a packet identifier")
    func missingIdentifier() {
        let packet = MQTTPacket.publish(MQTTPublish(topic: "a", payload: ByteBuffer(), qos: .atLeastOnce))
        #expect(self.encodeErrorCode(packet) == .unencodable)
    }

    @Test("empty SUBSCRIBE, SUBACK and UNSUBSCRIBE")
    func emptyLists() {
        #expect(self.encodeErrorCode(.subscribe(MQTTSubscribe(packetIdentifier: 1, subscriptions: []))) == .unencodable)
        #expect(self.encodeErrorCode(.subAck(MQTTSubAck(packetIdentifier: 1, returnCodes: []))) == .unencodable)
        #expect(self.encodeErrorCode(.unsubscribe(MQTTUnsubscribe(packetIdentifier: 1, topicFilters: []))) == .unencodable)
    }

    @Test("a CONNECT password without a user name")
    func passwordWithoutUsername() {
        let packet = MQTTPacket.connect(MQTTConnect(clientIdentifier: "c", password: [1]))
        #expect(self.encodeErrorCode(packet) == .invalidFlags)
    }

    @Test("the NIO encoder throws instead of trapping")
    func encoderThrows() {
        var out = ByteBuffer()
        let packet = MQTTPacket.publish(MQTTPublish(topic: "a", payload: ByteBuffer(), qos: .exactlyOnce))
        #expect(throws: MQTTCodecError.self) { try MQTTPacketEncoder().encode(data: packet, out: &out) }
    }

    @Test("CONNECT descriptions never contain the password")
    func connectDescriptionRedactsPassword() {
        let connect = MQTTConnect(clientIdentifier: "c", username: "u", password: Array("hunter2".utf8))
        #expect(!String(describing: connect).contains("hunter2"))
        #expect(!String(describing: MQTTPacket.connect(connect)).contains("104"))  // "h" as a byte
    }
}
