/// The delivery guarantee of an MQTT 3.1.1 message (spec section 4.3).
public enum MQTTQoS: UInt8, Sendable, Hashable, CaseIterable {
    /// Fire and forget: delivered at most once, no acknowledgement.
    case atMostOnce = 0
    /// Acknowledged with PUBACK: delivered at least once.
    case atLeastOnce = 1
    /// Four-step PUBREC/PUBREL/PUBCOMP handshake: delivered exactly once.
    case exactlyOnce = 2
}
