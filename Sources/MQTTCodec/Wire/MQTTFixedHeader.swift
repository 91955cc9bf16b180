import NIOCore

/// The decoded fixed header: packet type, flags and the size of what follows (spec section 2.2).
struct MQTTFixedHeader: Sendable, Equatable {
    /// The control packet type.
    var type: MQTTPacketType
    /// The low nibble of the first byte.
    var flags: UInt8
    /// The number of bytes after the fixed header.
    var remainingLength: Int
    /// The size of the fixed header itself, 2 to 5 bytes.
    var byteCount: Int

    /// The size of the whole packet.
    var packetLength: Int { self.byteCount + self.remainingLength }

    /// Reads and validates the fixed header at the reader index without moving it; nil when more bytes are needed.
    ///
    /// Everything that can be judged from the header alone is judged here, before the body is
    /// buffered: the type, its flags, and the remaining length against the size limit and the
    /// fixed size of the short packet types.
    static func peek(in buffer: ByteBuffer, limits: MQTTCodecLimits) throws(MQTTCodecError) -> MQTTFixedHeader? {
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        guard let type = MQTTPacketType(rawValue: first >> 4) else {
            throw MQTTCodecError(code: .unknownPacketType, message: "packet type \(first >> 4) is reserved")
        }
        let flags = first & 0x0F
        try Self.validate(flags: flags, of: type)

        guard let length = try MQTTRemainingLength.peek(in: buffer, at: buffer.readerIndex + 1) else { return nil }
        let header = MQTTFixedHeader(type: type, flags: flags, remainingLength: length.value, byteCount: 1 + length.byteCount)

        guard header.packetLength <= limits.maximumPacketSize else {
            throw MQTTCodecError(
                code: .packetTooLarge,
                message: "\(type.name) of \(header.packetLength) bytes exceeds the limit of \(limits.maximumPacketSize)"
            )
        }
        if let expected = type.fixedRemainingLength, expected != header.remainingLength {
            throw .malformedPacket("\(type.name) remaining length is \(header.remainingLength), expected \(expected)")
        }
        return header
    }

    private static func validate(flags: UInt8, of type: MQTTPacketType) throws(MQTTCodecError) {
        if let required = type.requiredFlags {
            guard flags == required else {
                throw .invalidFlags("\(type.name) fixed-header flags are \(flags), must be \(required)")
            }
            return
        }
        // PUBLISH: bit 3 DUP, bits 2-1 QoS, bit 0 RETAIN.
        let qos = (flags >> 1) & 0b11
        guard qos != 3 else {
            throw .invalidQoS("PUBLISH QoS bits are 3")
        }
        if qos == 0 && flags & 0b1000 != 0 {
            throw .protocolViolation("PUBLISH with QoS 0 has the DUP flag set")
        }
    }
}
