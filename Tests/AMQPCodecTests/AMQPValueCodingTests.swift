import AMQPCodec
import Foundation
import NIOCore
import Testing

/// Every AMQP type survives a round trip; decoding honours the limits and refuses malformed bytes with typed errors.
@Suite struct AMQPValueCodingTests {
    static func roundTrip(_ value: AMQPValue) throws -> AMQPValue {
        var buffer = ByteBuffer()
        buffer.writeAMQPValue(value)
        let decoded = try AMQPValueReader().read(from: &buffer)
        #expect(buffer.readableBytes == 0)
        return decoded
    }

    @Test func everyPrimitiveRoundTrips() throws {
        let values: [AMQPValue] = [
            .null, .bool(true), .bool(false), .ubyte(200), .ushort(65_000), .uint(0), .uint(7), .uint(70_000), .ulong(0), .ulong(9),
            .ulong(.max), .byte(-5), .short(-300), .int(-1), .int(1 << 20), .long(-2), .long(.min), .float(1.5), .double(-2.25),
            .decimal32(7), .decimal64(8), .decimal128(Array(repeating: 1, count: 16)), .char("é"), .timestamp(1_704_164_645_678),
            .uuid(UUID()), .binary([1, 2, 3]), .binary(Array(repeating: 9, count: 300)), .string("grüße"),
            .string(String(repeating: "x", count: 400)), .symbol("amqp:link:redirect"),
        ]
        for value in values { #expect(try Self.roundTrip(value) == value) }
    }

    @Test func compoundsRoundTrip() throws {
        let map: AMQPMap = [.symbol("x-opt-offset"): .string("512"), .string("n"): .int(5)]
        let value = AMQPValue.list([
            .list([]), .map(map), .array(.symbols(["MSSBCBS", "ANONYMOUS"])), .array(.strings(["0", "1"])),
            .described(descriptor: .symbol("apache.org:selector-filter:string"), value: .string("a > '1'")),
            .describedList(0x24, []),
        ])
        #expect(try Self.roundTrip(value) == value)
    }

    @Test func protonsAttachBytesDecode() throws {
        // Encoded by python-qpid-proton 0.40 (Data API): an Event Hubs partition receiver's attach with its selector filter.
        let hex = "005312d0000000d900000006a10f72656365697665722d6c696e6b2d3152014150005000005328d0000000b500000008a134616d7170733a2f2f682f6875622d312f436f6e73756d657247726f7570732f2444656661756c742f506172746974696f6e732f30404040404040d10000007000000002a3216170616368652e6f72673a73656c6563746f722d66696c7465723a737472696e6700a3216170616368652e6f72673a73656c6563746f722d66696c7465723a737472696e67a123616d71702e616e6e6f746174696f6e2e782d6f70742d6f6666736574203e20272d3127"
        var buffer = ByteBuffer(bytes: Self.bytes(hex))
        let performative = try AMQPPerformative(described: try AMQPValueReader().read(from: &buffer))
        guard case .attach(let attach) = performative else { Issue.record("not an attach"); return }
        #expect(attach.name == "receiver-link-1")
        #expect(attach.role == .receiver)
        #expect(attach.source?.address == "amqps://h/hub-1/ConsumerGroups/$Default/Partitions/0")
        #expect(attach.source?.selectorFilter == "amqp.annotation.x-opt-offset > '-1'")
    }

    @Test func protonsMessageBytesDecode() throws {
        let hex = "00537045005372d10000001d00000002a315782d6f70742d73657175656e63652d6e756d6265725507005373c01f07a1026d3140404040a1026331a3106170706c69636174696f6e2f6a736f6e005374d10000001600000004a105616c657274a10474727565a1016e5405005377a00568656c6c6f"
        let message = try AMQPMessage(decoding: ByteBuffer(bytes: Self.bytes(hex)))
        #expect(message.properties?.messageId == .string("m1"))
        #expect(message.properties?.correlationId == .string("c1"))
        #expect(message.properties?.contentType == "application/json")
        #expect(message.applicationProperties?[string: "alert"] == .string("true"))
        #expect(message.applicationProperties?[string: "n"] == .int(5))
        #expect(message.messageAnnotations?[symbol: "x-opt-sequence-number"] == .long(7))
        #expect(message.body == .value(.binary(Array("hello".utf8))))
    }

    @Test func performativesCarryEveryField() throws {
        let frames: [(AMQPPerformative, Int)] = [
            (.open(AMQPOpen(containerId: "c")), 10), (.begin(AMQPBegin(nextOutgoingId: 0, incomingWindow: 1, outgoingWindow: 1)), 8),
            (.attach(AMQPAttach(name: "l", handle: 0, role: .sender, source: nil, target: nil)), 14),
            (.flow(AMQPFlow(nextIncomingId: 0, incomingWindow: 1, nextOutgoingId: 0, outgoingWindow: 1)), 11),
            (.transfer(AMQPTransfer(handle: 0)), 11), (.disposition(AMQPDisposition(role: .receiver, first: 0)), 6),
            (.detach(AMQPDetach(handle: 0)), 3), (.end(AMQPEnding()), 1), (.close(AMQPEnding()), 1),
        ]
        for (performative, count) in frames {
            #expect(performative.described.described?.value.list?.count == count, "\(performative.name)")
            #expect(try AMQPPerformative(described: Self.roundTrip(performative.described)) == performative)
        }
    }

    @Test func limitsAndMalformedInputAreTypedErrors() {
        var deep = AMQPValue.null
        for _ in 0..<40 { deep = .list([deep]) }
        var buffer = ByteBuffer()
        buffer.writeAMQPValue(deep)
        #expect(throws: AMQPCodecError.self) { try AMQPValueReader(limits: AMQPCodecLimits(maximumNestingDepth: 32)).read(from: &buffer) }
        // A list32 claiming 4 GiB.
        var huge = ByteBuffer(bytes: [0xD0, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01, 0x40])
        #expect(throws: AMQPCodecError.self) { try AMQPValueReader().read(from: &huge) }
        var unknown = ByteBuffer(bytes: [0x2F])
        #expect(throws: AMQPCodecError.self) { try AMQPValueReader().read(from: &unknown) }
        var badUTF8 = ByteBuffer(bytes: [0xA1, 0x02, 0xC3, 0x28])
        #expect(throws: AMQPCodecError.self) { try AMQPValueReader().read(from: &badUTF8) }
        var manyElements = ByteBuffer(bytes: [0xF0, 0x00, 0x00, 0x00, 0x05, 0x7F, 0xFF, 0xFF, 0xFF, 0x40])
        #expect(throws: AMQPCodecError.self) { try AMQPValueReader().read(from: &manyElements) }
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return result
    }
}
