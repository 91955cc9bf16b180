/// The return code a server sends in CONNACK (spec section 3.2.2.3).
public enum MQTTConnectReturnCode: UInt8, Sendable, Hashable, CaseIterable {
    /// Connection accepted.
    case accepted = 0
    /// The server does not support the protocol level the client asked for.
    case unacceptableProtocolVersion = 1
    /// The client identifier is well-formed UTF-8 but not allowed by the server.
    case identifierRejected = 2
    /// The network connection was made but the MQTT service is unavailable.
    case serverUnavailable = 3
    /// The user name or password is malformed or wrong.
    case badUsernameOrPassword = 4
    /// The client is not authorized to connect.
    case notAuthorized = 5
}
