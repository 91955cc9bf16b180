/// A CONNACK packet, the server's answer to CONNECT (spec section 3.2).
public struct MQTTConnAck: Equatable, Sendable {
    /// Whether the server resumed a stored session; must be false unless the code is `accepted`.
    public var sessionPresent: Bool
    /// The outcome of the connection attempt.
    public var returnCode: MQTTConnectReturnCode

    /// Creates a CONNACK packet.
    public init(sessionPresent: Bool = false, returnCode: MQTTConnectReturnCode) {
        self.sessionPresent = sessionPresent
        self.returnCode = returnCode
    }
}
