import NIOCore

/// The message a server publishes on the client's behalf when the connection ends without DISCONNECT.
public struct MQTTWill: Equatable, Sendable {
    /// The topic name the will message is published to.
    public var topic: String
    /// The application message published as the will.
    public var payload: ByteBuffer
    /// The QoS the will message is published with.
    public var qos: MQTTQoS
    /// Whether the will message is retained.
    public var retain: Bool

    /// Creates a will message.
    public init(topic: String, payload: ByteBuffer, qos: MQTTQoS = .atMostOnce, retain: Bool = false) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
    }
}
