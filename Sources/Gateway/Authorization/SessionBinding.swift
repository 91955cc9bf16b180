import Hub

/// What an open device session's right to exist rests on: the canonical identity it was admitted as and the
/// credentials that admitted it. Any protocol's session (MQTT today, AMQP and WebSocket later) is registered with
/// its binding in an `AuthorizedSessionRegistry`, which closes it when a `CredentialLapse` ends one of these.
public struct SessionBinding: Sendable, Hashable {
    /// Where the session is open.
    public enum Endpoint: Sendable, Hashable {
        /// The provisioning service (the identity is a registration id).
        case dps
        /// One hub shard (the identity is a device id).
        case hub(shard: String)
    }

    /// Where the session is open.
    public var endpoint: Endpoint
    /// The canonical registration id (DPS) or device id (hub) the registry returned.
    public var identity: String
    /// The module, for a module's hub session.
    public var moduleId: String?
    /// The DPS enrollment or group that attested the device (DPS sessions).
    public var enrollment: EnrollmentReference?
    /// The canonical serial number of the TLS client certificate the session presented.
    public var certificateSerial: String?

    /// Creates a binding.
    public init(endpoint: Endpoint, identity: String, moduleId: String? = nil, enrollment: EnrollmentReference? = nil,
                certificateSerial: String? = nil) {
        self.endpoint = endpoint
        self.identity = identity
        self.moduleId = moduleId
        self.enrollment = enrollment
        self.certificateSerial = certificateSerial
    }
}
