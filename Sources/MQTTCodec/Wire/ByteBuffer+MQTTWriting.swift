import NIOCore

/// Writers for the MQTT data representations (spec section 1.5).
///
/// Lengths are validated by the encoder's size pass before anything is written, so these only
/// truncate values that were already checked.
extension ByteBuffer {
    mutating func writeMQTTUInt16(_ value: UInt16) {
        self.writeInteger(value, endianness: .big)
    }

    mutating func writeMQTTString(_ string: String) {
        self.writeMQTTUInt16(UInt16(truncatingIfNeeded: string.utf8.count))
        self.writeString(string)
    }

    mutating func writeMQTTBinary(_ bytes: ByteBuffer) {
        self.writeMQTTUInt16(UInt16(truncatingIfNeeded: bytes.readableBytes))
        self.writeImmutableBuffer(bytes)
    }

    mutating func writeMQTTBinary(_ bytes: [UInt8]) {
        self.writeMQTTUInt16(UInt16(truncatingIfNeeded: bytes.count))
        self.writeBytes(bytes)
    }
}

/// The on-wire sizes of MQTT fields, throwing when a field does not fit its two-byte length prefix.
enum MQTTFieldSize {
    static let maximumFieldLength = Int(UInt16.max)

    static func string(_ string: String, _ field: String) throws(MQTTCodecError) -> Int {
        try Self.prefixed(string.utf8.count, field)
    }

    static func binary(_ byteCount: Int, _ field: String) throws(MQTTCodecError) -> Int {
        try Self.prefixed(byteCount, field)
    }

    private static func prefixed(_ byteCount: Int, _ field: String) throws(MQTTCodecError) -> Int {
        guard byteCount <= Self.maximumFieldLength else {
            throw .unencodable("\(field) is \(byteCount) bytes, the wire allows \(Self.maximumFieldLength)")
        }
        return 2 + byteCount
    }
}
