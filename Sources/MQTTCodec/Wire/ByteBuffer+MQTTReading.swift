import NIOCore

/// Readers for the MQTT data representations (spec section 1.5), failing with ``MQTTCodecError``.
///
/// They run on a slice holding exactly one packet body, so running out of bytes means the
/// packet is truncated, never that more bytes are on the way.
extension ByteBuffer {
    mutating func readMQTTByte(_ field: @autoclosure () -> String) throws(MQTTCodecError) -> UInt8 {
        guard let value = self.readInteger(as: UInt8.self) else { throw .truncated(field()) }
        return value
    }

    mutating func readMQTTUInt16(_ field: @autoclosure () -> String) throws(MQTTCodecError) -> UInt16 {
        guard let value = self.readInteger(endianness: .big, as: UInt16.self) else { throw .truncated(field()) }
        return value
    }

    /// Reads a packet identifier that the spec requires to be non-zero.
    mutating func readMQTTPacketIdentifier(in type: MQTTPacketType) throws(MQTTCodecError) -> UInt16 {
        let identifier = try self.readMQTTUInt16("the \(type.name) packet identifier")
        guard identifier != 0 else {
            throw .protocolViolation("\(type.name) packet identifier is 0")
        }
        return identifier
    }

    /// Reads two-byte-length-prefixed binary data as a zero-copy slice.
    mutating func readMQTTBinary(_ field: @autoclosure () -> String) throws(MQTTCodecError) -> ByteBuffer {
        let length = try self.readMQTTUInt16("the length of \(field())")
        guard let bytes = self.readSlice(length: Int(length)) else { throw .truncated(field()) }
        return bytes
    }

    /// Reads a two-byte-length-prefixed UTF-8 string, rejecting ill-formed UTF-8 and U+0000.
    mutating func readMQTTString(_ field: @autoclosure () -> String, maximumLength: Int = .max) throws(MQTTCodecError) -> String {
        let length = try self.readMQTTUInt16("the length of \(field())")
        guard Int(length) <= maximumLength else {
            throw MQTTCodecError(code: .topicTooLong, message: "\(field()) is \(length) bytes, limit is \(maximumLength)")
        }
        guard let bytes = self.readSlice(length: Int(length)) else { throw .truncated(field()) }
        guard let string = bytes.validatedMQTTString() else {
            throw MQTTCodecError(code: .invalidUTF8, message: "\(field()) is not well-formed UTF-8 or contains U+0000")
        }
        return string
    }

    /// Reads a topic name (PUBLISH or will topic): a string within the topic limit, non-empty, without wildcards.
    mutating func readMQTTTopicName(_ field: @autoclosure () -> String, limits: MQTTCodecLimits) throws(MQTTCodecError) -> String {
        let topic = try self.readMQTTString(field(), maximumLength: limits.maximumTopicLength)
        guard MQTTTopic.isValidTopicName(topic) else {
            throw .protocolViolation("\(field()) is empty or contains a wildcard")
        }
        return topic
    }

    /// Decodes the readable bytes as MQTT UTF-8: nil if ill-formed or containing U+0000 (spec section 1.5.3).
    func validatedMQTTString() -> String? {
        self.withUnsafeReadableBytes { bytes -> String? in
            var isASCII = true
            for byte in bytes {
                // U+0000 can only appear as a zero byte: its overlong forms are ill-formed UTF-8.
                if byte == 0 { return nil }
                if byte & 0x80 != 0 { isASCII = false }
            }
            if isASCII {
                return String(decoding: bytes, as: UTF8.self)
            }
            return String(validating: bytes, as: UTF8.self)
        }
    }
}
