import NIOCore

/// One attached link's flow state, from the server's side.
struct AMQPLinkState {
    /// The server's role on the link.
    var role: AMQPAttach.Role
    var name: String
    var attached = false
    /// The server sent its detach and waits for the peer's: frames still in flight for the link are dropped (they
    /// are not errors), and the handle stays taken until the peer's detach arrives.
    var detaching = false
    /// Delivery count: deliveries the sender sent (server-as-sender: ours; server-as-receiver: the peer's, as we saw it).
    var deliveryCount: UInt32 = 0
    /// Credit the server may still use (as sender) or has granted and not seen used (as receiver).
    var credit: UInt32 = 0
    var drain = false
    /// Largest message the peer accepts (server-as-sender), from its attach.
    var peerMaxMessageSize: UInt64?
    /// Server-as-sender: deliveries sent unsettled, by delivery id, with their tags.
    var unsettled: [UInt32: [UInt8]] = [:]
    /// Server-as-receiver: a message arriving in several frames.
    var partial: (deliveryId: UInt32, tag: [UInt8], format: UInt32, settled: Bool, payload: ByteBuffer)?
}

/// One session's window state.
struct AMQPSessionState {
    var links: [UInt32: AMQPLinkState] = [:]
    /// The next transfer id the server will send (one per frame, as the session window counts frames).
    var nextOutgoingId: UInt32 = 0
    /// The next delivery id the server will assign (one per delivery: proton rejects gaps between delivery ids).
    var nextDeliveryId: UInt32 = 0
    /// The next transfer id expected from the peer.
    var nextIncomingId: UInt32 = 0
    /// Transfers the peer may still send before the server reopens its window.
    var incomingWindow: UInt32
    /// Transfers the server may still send before the peer reopens its window.
    var remoteIncomingWindow: UInt32 = 0
    /// Server-as-receiver: delivery ids of unsettled incoming deliveries, to the link they came on.
    var incomingUnsettled: [UInt32: UInt32] = [:]
}
