import MQTTCodec
import NIOCore
import NIOTestUtils
import Testing

@Suite("MQTTPacketDecoder in a ByteToMessageHandler")
struct MQTTPacketDecoderTests {
    @Test("drip-fed byte by byte, one message per write, and all at once")
    func verifier() throws {
        let pairs = MQTTTestSupport.samplePackets.map { packet in
            (ByteBuffer(bytes: MQTTTestSupport.encode(packet)), [packet])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { MQTTPacketDecoder() }
    }

    @Test("several packets in one write decode in order")
    func severalPacketsInOneWrite() throws {
        let packets: [MQTTPacket] = [
            .connect(MQTTConnect(clientIdentifier: "d")),
            .publish(MQTTPublish(topic: "a", payload: ByteBuffer(string: "1"), qos: .atLeastOnce, packetIdentifier: 1)),
            .publish(MQTTPublish(topic: "b", payload: ByteBuffer(string: "2"))),
            .pingReq,
            .disconnect,
        ]
        let pairs = [(ByteBuffer(bytes: packets.flatMap(MQTTTestSupport.encode)), packets)]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { MQTTPacketDecoder() }
    }

    @Test("a large PUBLISH drip-fed in uneven chunks")
    func largePublishInChunks() throws {
        let payload = ByteBuffer(bytes: (0..<40_000).map { UInt8(truncatingIfNeeded: $0) })
        let packet = MQTTPacket.publish(MQTTPublish(topic: "big", payload: payload, qos: .exactlyOnce, packetIdentifier: 3))
        let wire = MQTTTestSupport.encode(packet) + MQTTTestSupport.encode(.pingReq)

        var decoder = MQTTPacketDecoder()
        var cumulation = ByteBuffer()
        var decoded: [MQTTPacket] = []
        var offset = 0
        var chunk = 1
        while offset < wire.count {
            let end = min(wire.count, offset + chunk)
            cumulation.writeBytes(wire[offset..<end])
            offset = end
            chunk = chunk * 3 + 1
            while let packet = try decoder.decode(buffer: &cumulation) {
                decoded.append(packet)
            }
        }
        #expect(decoded == [packet, .pingReq])
        #expect(try decoder.decodeLast(buffer: &cumulation, seenEOF: true) == nil)
    }

    @Test("an incomplete packet returns nil and leaves the buffer untouched at every cut point")
    func incompleteLeavesBufferUntouched() throws {
        for packet in MQTTTestSupport.samplePackets {
            let wire = MQTTTestSupport.encode(packet)
            for cut in 0..<wire.count {
                var buffer = ByteBuffer(bytes: wire[..<cut])
                let before = buffer
                #expect(try MQTTPacket.decode(from: &buffer) == nil)
                #expect(buffer == before && buffer.readerIndex == before.readerIndex)
            }
        }
    }

    @Test("the decoder applies its limits")
    func decoderLimits() {
        var decoder = MQTTPacketDecoder(limits: MQTTCodecLimits(maximumPacketSize: 16))
        var buffer = ByteBuffer(bytes: [0x30, 0x0F])
        #expect(throws: MQTTCodecError(code: .packetTooLarge, message: "PUBLISH of 17 bytes exceeds the limit of 16")) {
            try decoder.decode(buffer: &buffer)
        }
    }
}
