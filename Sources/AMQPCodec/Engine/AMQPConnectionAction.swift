import NIOCore

/// What the server side of a connection must do next; the engine performs no I/O itself.
public enum AMQPConnectionAction: Sendable, Equatable {
    /// Write these headers and frames, in order.
    case send([AMQPOutbound])
    /// Decide on a SASL step, then call `authenticated(_:)` — or `challenge(_:)` to ask the peer for more, whose
    /// `sasl-response` arrives as another `authenticate` (response bytes as `initialResponse`, hostname nil). Other
    /// input meanwhile is queued.
    case authenticate(mechanism: AMQPSymbol, initialResponse: [UInt8]?, hostname: String?)
    /// The peer opened the connection.
    case opened(AMQPOpen)
    /// Accept (`acceptAttach`) or refuse (`refuseAttach`) a link.
    case attachRequested(AMQPLinkRequest)
    /// A link the server sends on may send `credit` more deliveries; with `drain`, the peer wants the rest of the
    /// credit used now or given back (`drained(_:)`).
    case credit(AMQPLinkID, available: UInt32, drain: Bool)
    /// A complete message on a link the server receives on.
    case delivery(AMQPIncomingDelivery)
    /// The peer settled (or reported on) a delivery the server sent.
    case outcome(AMQPLinkID, deliveryId: UInt32, deliveryTag: [UInt8], state: AMQPDeliveryState?, settled: Bool)
    /// A link ended (by the peer, by its session or by an error the engine raised).
    case linkClosed(AMQPLinkID, error: AMQPError?)
    /// Close the socket once the frames before this action are written.
    case closeConnection(AMQPError?)
}
