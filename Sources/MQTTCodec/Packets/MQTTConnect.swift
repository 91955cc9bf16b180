/// A CONNECT packet, the first packet a client sends (spec section 3.1).
///
/// The decoder accepts any protocol name and level so the session layer can answer CONNACK 1
/// (`unacceptableProtocolVersion`). For levels other than 3 (MQTT 3.1) and 4 (MQTT 3.1.1) the
/// payload layout is unknown, so only the variable header (name, level, flags, keep-alive) is
/// decoded and the payload fields are left empty.
public struct MQTTConnect: Equatable, Sendable {
    /// The protocol name, `"MQTT"` for MQTT 3.1.1 (`"MQIsdp"` for MQTT 3.1).
    public var protocolName: String
    /// The protocol level, 4 for MQTT 3.1.1.
    public var protocolLevel: UInt8
    /// Whether the server discards any previous session state and starts a new session.
    public var cleanSession: Bool
    /// The keep-alive interval in seconds; 0 disables the keep-alive mechanism.
    public var keepAliveSeconds: UInt16
    /// The client identifier; may be empty when `cleanSession` is set.
    public var clientIdentifier: String
    /// The will message, if the client registered one.
    public var will: MQTTWill?
    /// The user name, if present.
    public var username: String?
    /// The password bytes, if present; only allowed together with a user name.
    public var password: [UInt8]?

    /// Creates a CONNECT packet; defaults describe an MQTT 3.1.1 clean session.
    public init(
        protocolName: String = "MQTT",
        protocolLevel: UInt8 = 4,
        cleanSession: Bool = true,
        keepAliveSeconds: UInt16 = 60,
        clientIdentifier: String = "",
        will: MQTTWill? = nil,
        username: String? = nil,
        password: [UInt8]? = nil
    ) {
        self.protocolName = protocolName
        self.protocolLevel = protocolLevel
        self.cleanSession = cleanSession
        self.keepAliveSeconds = keepAliveSeconds
        self.clientIdentifier = clientIdentifier
        self.will = will
        self.username = username
        self.password = password
    }
}

extension MQTTConnect: CustomStringConvertible {
    /// A description that never includes the password, so packets can be logged safely.
    public var description: String {
        let passwordDescription = self.password.map { "<\($0.count) bytes redacted>" } ?? "nil"
        let willDescription = self.will.map { "\($0.topic) qos=\($0.qos.rawValue) retain=\($0.retain)" } ?? "nil"
        return "MQTTConnect(protocol: \(self.protocolName) level \(self.protocolLevel), "
            + "clientIdentifier: \(self.clientIdentifier), cleanSession: \(self.cleanSession), "
            + "keepAlive: \(self.keepAliveSeconds)s, will: \(willDescription), "
            + "username: \(self.username ?? "nil"), password: \(passwordDescription))"
    }
}
