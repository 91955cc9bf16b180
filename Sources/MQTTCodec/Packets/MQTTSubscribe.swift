/// A SUBSCRIBE packet (spec section 3.8).
public struct MQTTSubscribe: Equatable, Sendable {
    /// The non-zero packet identifier the SUBACK echoes.
    public var packetIdentifier: UInt16
    /// The requested subscriptions; the wire format requires at least one.
    public var subscriptions: [MQTTSubscription]

    /// Creates a SUBSCRIBE packet.
    public init(packetIdentifier: UInt16, subscriptions: [MQTTSubscription]) {
        self.packetIdentifier = packetIdentifier
        self.subscriptions = subscriptions
    }
}
