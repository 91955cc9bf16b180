import AMQPCodec
import NIOCore
import NIOTestUtils
import Testing

/// Headers and frames off the wire, byte by byte, and the frame-level refusals.
@Suite struct AMQPFrameDecoderTests {
    @Test func headersAndFramesDecodeWhateverTheChunking() throws {
        var input = ByteBuffer(bytes: AMQPProtocolHeader.sasl.bytes)
        input.writeAMQPFrame(.sasl(.initial(mechanism: "ANONYMOUS", initialResponse: [], hostname: "h")))
        input.writeBytes(AMQPProtocolHeader.amqp.bytes)
        input.writeAMQPFrame(.amqp(.open(AMQPOpen(containerId: "c", maxFrameSize: 65_536)), channel: 0))
        var payload = ByteBuffer()
        AMQPMessage(body: .data([[1, 2, 3]])).encode(into: &payload)
        input.writeAMQPFrame(.amqp(channel: 1, performative: .transfer(AMQPTransfer(handle: 2, deliveryId: 0, deliveryTag: [0])), payload: payload))
        input.writeAMQPFrame(.heartbeat)
        let expected: [(ByteBuffer, [AMQPInbound])] = [(input, [
            .header(.sasl), .frame(.sasl(.initial(mechanism: "ANONYMOUS", initialResponse: [], hostname: "h"))), .header(.amqp),
            .frame(.amqp(.open(AMQPOpen(containerId: "c", maxFrameSize: 65_536)), channel: 0)),
            .frame(.amqp(channel: 1, performative: .transfer(AMQPTransfer(handle: 2, deliveryId: 0, deliveryTag: [0])), payload: payload)),
            .frame(.heartbeat),
        ])]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: expected) { AMQPFrameDecoder() }
    }

    @Test func oversizedGarbageAndForeignHeadersAreRefused() throws {
        let decoder = AMQPFrameDecoder(limits: AMQPCodecLimits(maximumFrameSize: 512))
        var oversized = ByteBuffer(bytes: [0x00, 0x00, 0x10, 0x00, 0x02, 0x00, 0x00, 0x00])
        #expect(throws: AMQPCodecError.self) { try decoder.decodeNext(&oversized) }
        var tiny = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x04])
        #expect(throws: AMQPCodecError.self) { try decoder.decodeNext(&tiny) }
        var http = ByteBuffer(string: "AMQP\u{01}\u{01}\u{00}\u{0A}")
        #expect(throws: AMQPCodecError.self) { try decoder.decodeNext(&http) }
        var garbageBody = ByteBuffer(bytes: [0x00, 0x00, 0x00, 0x0A, 0x02, 0x00, 0x00, 0x00, 0x2F, 0x2F])
        #expect(throws: AMQPCodecError.self) { try decoder.decodeNext(&garbageBody) }
    }

    @Test func batchedMessagesDecode() throws {
        let inner = [AMQPMessage(properties: AMQPMessageProperties(messageId: .string("a")), body: .data([[1]])),
                     AMQPMessage(properties: AMQPMessageProperties(messageId: .string("b")), body: .data([[2]]))]
        let outer = AMQPMessage(body: .data(inner.map { Array($0.encoded.readableBytesView) }))
        let messages = try AMQPMessage.decodingBatch(outer.encoded)
        #expect(messages == inner)
    }
}
