/// The per-filter outcome in a SUBACK packet (spec section 3.9.3).
public enum MQTTSubAckReturnCode: Equatable, Sendable, Hashable {
    /// The subscription was accepted with the given maximum QoS.
    case granted(MQTTQoS)
    /// The subscription was refused (wire value 0x80).
    case failure

    /// The wire value: 0, 1 or 2 for a granted QoS, 0x80 for failure.
    public var rawValue: UInt8 {
        switch self {
        case .granted(let qos): qos.rawValue
        case .failure: 0x80
        }
    }

    /// Creates a return code from its wire value, or nil for the reserved values.
    public init?(rawValue: UInt8) {
        if rawValue == 0x80 {
            self = .failure
        } else if let qos = MQTTQoS(rawValue: rawValue) {
            self = .granted(qos)
        } else {
            return nil
        }
    }
}
