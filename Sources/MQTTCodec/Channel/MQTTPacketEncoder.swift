import NIOCore

/// Turns outbound ``MQTTPacket``s into bytes; wrap it in `MessageToByteHandler`.
public struct MQTTPacketEncoder: MessageToByteEncoder, Sendable {
    /// The packet type accepted for encoding.
    public typealias OutboundIn = MQTTPacket

    /// Creates an encoder.
    public init() {}

    /// Encodes `data` into `out`, failing the write instead of trapping when the packet cannot be represented.
    public func encode(data: MQTTPacket, out: inout ByteBuffer) throws {
        try data.checkedEncode(into: &out)
    }
}
