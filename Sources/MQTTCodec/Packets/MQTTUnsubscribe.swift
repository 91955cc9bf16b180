/// An UNSUBSCRIBE packet (spec section 3.10).
public struct MQTTUnsubscribe: Equatable, Sendable {
    /// The non-zero packet identifier the UNSUBACK echoes.
    public var packetIdentifier: UInt16
    /// The topic filters to remove; the wire format requires at least one.
    public var topicFilters: [String]

    /// Creates an UNSUBSCRIBE packet.
    public init(packetIdentifier: UInt16, topicFilters: [String]) {
        self.packetIdentifier = packetIdentifier
        self.topicFilters = topicFilters
    }
}
