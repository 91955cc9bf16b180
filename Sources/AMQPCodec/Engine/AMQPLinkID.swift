import NIOCore

/// A link of a connection: the session's channel and the link's handle. The server answers a peer's begin on the
/// same channel number and its attach with the same handle, so one id names the link in both directions.
public struct AMQPLinkID: Sendable, Hashable, CustomStringConvertible {
    public var channel: UInt16
    public var handle: UInt32

    /// Creates an id.
    public init(channel: UInt16, handle: UInt32) {
        self.channel = channel
        self.handle = handle
    }

    public var description: String { "\(channel)/\(handle)" }
}

/// A peer's attach waiting for the application to accept or refuse it.
public struct AMQPLinkRequest: Sendable, Equatable {
    /// The link.
    public var id: AMQPLinkID
    /// The peer's attach. Its `role` is the peer's: `.receiver` means the server sends on this link.
    public var attach: AMQPAttach

    /// Creates a request.
    public init(id: AMQPLinkID, attach: AMQPAttach) {
        self.id = id
        self.attach = attach
    }
}

/// A complete message that arrived on a link the server receives on.
public struct AMQPIncomingDelivery: Sendable, Equatable {
    public var link: AMQPLinkID
    public var deliveryId: UInt32
    public var deliveryTag: [UInt8]
    public var messageFormat: UInt32
    /// The peer settled it on sending: no disposition is expected.
    public var settled: Bool
    /// The message sections, all frames joined.
    public var payload: ByteBuffer

    /// Creates a delivery.
    public init(link: AMQPLinkID, deliveryId: UInt32, deliveryTag: [UInt8], messageFormat: UInt32, settled: Bool, payload: ByteBuffer) {
        self.link = link
        self.deliveryId = deliveryId
        self.deliveryTag = deliveryTag
        self.messageFormat = messageFormat
        self.settled = settled
        self.payload = payload
    }
}
