import NIOCore

/// A PUBLISH packet carrying an application message in either direction (spec section 3.3).
public struct MQTTPublish: Equatable, Sendable {
    /// The topic name; never contains the wildcards `+` or `#`.
    public var topic: String
    /// The application message; when decoded it is a zero-copy slice of the inbound bytes.
    public var payload: ByteBuffer
    /// The delivery guarantee.
    public var qos: MQTTQoS
    /// Whether the server retains the message for future subscribers.
    public var retain: Bool
    /// Whether this is a redelivery of an earlier attempt; only meaningful for QoS 1 and 2.
    public var duplicate: Bool
    /// The packet identifier; required for QoS 1 and 2, ignored by the encoder for QoS 0.
    public var packetIdentifier: UInt16?

    /// Creates a PUBLISH packet.
    public init(
        topic: String,
        payload: ByteBuffer,
        qos: MQTTQoS = .atMostOnce,
        retain: Bool = false,
        duplicate: Bool = false,
        packetIdentifier: UInt16? = nil
    ) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.duplicate = duplicate
        self.packetIdentifier = packetIdentifier
    }
}
