import Provisioning

/// A device identity in one shard's registry, in IoT Hub's `Device` wire shape.
public struct DeviceIdentity: Codable, Sendable, Equatable {
    /// Device id.
    public var deviceId: String
    /// Module id, for a module identity (IoT Hub's `Module` has the same shape plus this field).
    public var moduleId: String?
    /// Changes when a device with the same id is deleted and created again.
    public var generationId: String
    /// Version tag (quoted on the wire in If-Match).
    public var etag: String
    /// `Connected` or `Disconnected`.
    public var connectionState: String
    /// `enabled` or `disabled`.
    public var status: String
    /// Why it is disabled.
    public var statusReason: String?
    /// ISO 8601.
    public var connectionStateUpdatedTime: String
    /// ISO 8601.
    public var statusUpdatedTime: String
    /// ISO 8601.
    public var lastActivityTime: String
    /// Pending C2D messages.
    public var cloudToDeviceMessageCount: Int
    /// How it authenticates.
    public var authentication: AuthenticationMechanism
    /// Capabilities.
    public var capabilities: DeviceCapabilities

    /// Creates an identity.
    public init(deviceId: String, generationId: String, etag: String, status: String = "enabled",
                authentication: AuthenticationMechanism, capabilities: DeviceCapabilities = .init(), now: String) {
        self.deviceId = deviceId
        self.generationId = generationId
        self.etag = etag
        self.connectionState = "Disconnected"
        self.status = status
        self.statusReason = nil
        self.connectionStateUpdatedTime = now
        self.statusUpdatedTime = now
        self.lastActivityTime = "0001-01-01T00:00:00Z"
        self.cloudToDeviceMessageCount = 0
        self.authentication = authentication
        self.capabilities = capabilities
    }
}

/// IoT Hub's `AuthenticationMechanism`.
public struct AuthenticationMechanism: Codable, Sendable, Equatable {
    /// `sas`, `selfSigned`, `certificateAuthority` or `none`.
    public var type: String
    /// SAS keys.
    public var symmetricKey: SymmetricKeyAttestation?
    /// Certificate thumbprints.
    public var x509Thumbprint: X509Thumbprint?

    /// Creates a mechanism.
    public init(type: String, symmetricKey: SymmetricKeyAttestation? = nil, x509Thumbprint: X509Thumbprint? = nil) {
        self.type = type
        self.symmetricKey = symmetricKey
        self.x509Thumbprint = x509Thumbprint
    }

    /// The hub form of what DPS decided.
    public init(_ authentication: DeviceAuthentication) {
        switch authentication {
        case .symmetricKey(let primary, let secondary):
            self.init(type: "sas", symmetricKey: SymmetricKeyAttestation(primaryKey: primary, secondaryKey: secondary))
        case .selfSigned(let primary, let secondary):
            self.init(type: "selfSigned", x509Thumbprint: X509Thumbprint(primaryThumbprint: primary, secondaryThumbprint: secondary))
        case .certificateAuthority:
            self.init(type: "certificateAuthority")
        }
    }
}

/// SHA-1 thumbprints of a self-signed device's certificates.
public struct X509Thumbprint: Codable, Sendable, Equatable {
    /// Primary thumbprint.
    public var primaryThumbprint: String?
    /// Secondary thumbprint.
    public var secondaryThumbprint: String?

    /// Creates thumbprints.
    public init(primaryThumbprint: String?, secondaryThumbprint: String?) {
        self.primaryThumbprint = primaryThumbprint
        self.secondaryThumbprint = secondaryThumbprint
    }
}
