import AMQPCodec
import NIOCore
import Testing

/// A message encoded by python-qpid-proton 0.40 (`Message(...).encode()`): header, message annotations, properties with a
/// ulong message-id, application properties and an amqp-value body decode field by field and survive a re-encode.
@Suite struct AMQPProtonMessageFixtureTests {
    // Message(body="hello", id=42, correlation_id="c-1", subject="s", content_type="text/plain",
    //         properties={"k": "v", "n": 7}, durable=True, priority=5, ttl=1000), annotations={"x-opt-offset": "-1"}
    static let hex = "005370c0090341500570000f4240005372d10000001600000002a30c782d6f70742d6f6666736574a1022d31005373c01a07532a4040a1017340a103632d31a30a746578742f706c61696e005374d10000000f00000004a1016ba10176a1016e5507005377a10568656c6c6f"

    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count - 1, by: 2).compactMap { UInt8(String(decoding: digits[$0...$0 + 1], as: UTF8.self), radix: 16) }
    }

    @Test func protonMessageWithHeaderAndULongIdDecodes() throws {
        let message = try AMQPMessage(decoding: ByteBuffer(bytes: Self.bytes(Self.hex)))
        #expect(message.header?.durable == true)
        #expect(message.header?.priority == 5)
        #expect(message.header?.ttl == 1_000_000)  // proton takes ttl in seconds; the wire carries milliseconds
        #expect(message.messageAnnotations?[symbol: "x-opt-offset"] == .string("-1"))
        #expect(message.properties?.messageId == .ulong(42))
        #expect(message.properties?.subject == "s")
        #expect(message.properties?.correlationId == .string("c-1"))
        #expect(message.properties?.contentType == "text/plain")
        #expect(message.applicationProperties?[string: "k"] == .string("v"))
        #expect(message.applicationProperties?[string: "n"] == .long(7))  // Python ints are AMQP longs (smalllong 0x55)
        #expect(message.body == .value(.string("hello")))

        var encoded = ByteBuffer()
        message.encode(into: &encoded)
        #expect(try AMQPMessage(decoding: encoded) == message)
    }
}
