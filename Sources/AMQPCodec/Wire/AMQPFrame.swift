import NIOCore

/// One frame: an AMQP frame (type 0) with its channel, performative (nil for an empty keep-alive frame) and the
/// bytes after the performative (a transfer's message), or a SASL frame (type 1).
public enum AMQPFrame: Sendable, Equatable {
    case amqp(channel: UInt16, performative: AMQPPerformative?, payload: ByteBuffer)
    case sasl(AMQPSASLFrame)

    /// An empty frame, sent to keep an idle connection open.
    public static let heartbeat = AMQPFrame.amqp(channel: 0, performative: nil, payload: ByteBuffer())

    /// A frame with no payload.
    public static func amqp(_ performative: AMQPPerformative, channel: UInt16) -> AMQPFrame {
        .amqp(channel: channel, performative: performative, payload: ByteBuffer())
    }
}

/// What the decoder reads off the wire: a protocol header or a frame.
public enum AMQPInbound: Sendable, Equatable {
    case header(AMQPProtocolHeader)
    case frame(AMQPFrame)
}

/// What the encoder writes: a protocol header or a frame.
public enum AMQPOutbound: Sendable, Equatable {
    case header(AMQPProtocolHeader)
    case frame(AMQPFrame)
}
