/// One topic filter and requested QoS inside a SUBSCRIBE packet (spec section 3.8.3).
public struct MQTTSubscription: Equatable, Sendable {
    /// The topic filter, possibly with `+` and `#` wildcards; see ``MQTTTopic/isValidTopicFilter(_:)``.
    public var topicFilter: String
    /// The maximum QoS the client wants to receive on this filter.
    public var qos: MQTTQoS

    /// Creates a subscription request.
    public init(topicFilter: String, qos: MQTTQoS) {
        self.topicFilter = topicFilter
        self.qos = qos
    }
}
