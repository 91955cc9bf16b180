import NIOCore

/// The variable-length "remaining length" field of the fixed header (spec section 2.2.3).
///
/// Up to four bytes of seven bits each, least significant group first, high bit = continuation.
/// Non-minimal encodings within four bytes are accepted, as MQTT 3.1.1 does not forbid them.
enum MQTTRemainingLength {
    /// The largest value four bytes can carry.
    static let maximum = 268_435_455

    /// The most bytes the field may occupy.
    static let maximumByteCount = 4

    /// Reads the field starting at absolute `index` without moving the reader index; nil when more bytes are needed.
    static func peek(in buffer: ByteBuffer, at index: Int) throws(MQTTCodecError) -> (value: Int, byteCount: Int)? {
        var value = 0
        var shift = 0
        for offset in 0..<Self.maximumByteCount {
            guard let byte = buffer.getInteger(at: index + offset, as: UInt8.self) else { return nil }
            value |= Int(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                return (value, offset + 1)
            }
            shift += 7
        }
        throw MQTTCodecError(
            code: .malformedRemainingLength,
            message: "remaining length continues past \(Self.maximumByteCount) bytes"
        )
    }

    /// The number of bytes the minimal encoding of `value` takes.
    static func byteCount(of value: Int) -> Int {
        switch value {
        case ..<128: 1
        case ..<16_384: 2
        case ..<2_097_152: 3
        default: 4
        }
    }

    /// Writes the minimal encoding of `value`, which must be within `0...maximum`.
    static func write(_ value: Int, into buffer: inout ByteBuffer) {
        var remaining = value
        repeat {
            var byte = UInt8(truncatingIfNeeded: remaining & 0x7F)
            remaining >>= 7
            if remaining > 0 {
                byte |= 0x80
            }
            buffer.writeInteger(byte)
        } while remaining > 0
    }
}
