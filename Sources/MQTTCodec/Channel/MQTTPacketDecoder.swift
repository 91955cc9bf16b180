import NIOCore

/// Turns inbound bytes into ``MQTTPacket``s; wrap it in `ByteToMessageHandler`.
public struct MQTTPacketDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    /// The decoded packet type.
    public typealias InboundOut = MQTTPacket

    /// The bounds applied to every inbound packet.
    public var limits: MQTTCodecLimits

    /// Creates a decoder with the given limits.
    public init(limits: MQTTCodecLimits = MQTTCodecLimits()) {
        self.limits = limits
    }

    /// Decodes the next packet, or returns nil until a whole packet has arrived.
    public mutating func decode(buffer: inout ByteBuffer) throws -> MQTTPacket? {
        try MQTTPacket.decode(from: &buffer, limits: self.limits)
    }

    /// Decodes what is left at end of stream; a partial packet stays in the buffer and NIO reports it as leftover data.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> MQTTPacket? {
        try self.decode(buffer: &buffer)
    }
}
