/// A named shared access policy with two keys and a set of permissions (IoT Hub / DPS style).
public struct SharedAccessPolicy: Sendable, Equatable {
    /// Policy name, e.g. `iothubowner` or `provisioningserviceowner`.
    public var name: String
    /// Primary key.
    public var primaryKey: SharedAccessKey
    /// Secondary key.
    public var secondaryKey: SharedAccessKey
    /// What a token signed by this policy may do.
    public var permissions: Set<SharedAccessPermission>

    /// Creates a policy.
    public init(name: String, primaryKey: SharedAccessKey, secondaryKey: SharedAccessKey, permissions: Set<SharedAccessPermission>) {
        self.name = name
        self.primaryKey = primaryKey
        self.secondaryKey = secondaryKey
        self.permissions = permissions
    }

    /// Both keys, for signature checks.
    public var keys: [SharedAccessKey] { [primaryKey, secondaryKey] }

    /// A connection string for `hostName` using the primary key.
    public func connectionString(hostName: String) -> String {
        "HostName=\(hostName);SharedAccessKeyName=\(name);SharedAccessKey=\(primaryKey.base64)"
    }

    /// An Event Hubs connection string (`azure-eventhub`) for the entity `entityPath` at `hostName`, primary key.
    public func eventHubsConnectionString(hostName: String, entityPath: String) -> String {
        "Endpoint=sb://\(hostName)/;SharedAccessKeyName=\(name);SharedAccessKey=\(primaryKey.base64);EntityPath=\(entityPath)"
    }

    /// The policies a DPS instance starts with.
    public static func defaultProvisioningPolicies() -> [SharedAccessPolicy] {
        [generated("provisioningserviceowner", [.serviceConfig, .enrollmentRead, .enrollmentWrite, .registrationStatusRead, .registrationStatusWrite])]
    }

    /// The policies an IoT hub shard starts with (IoT Hub's built-in set).
    public static func defaultHubPolicies() -> [SharedAccessPolicy] {
        [
            generated("iothubowner", [.registryRead, .registryWrite, .serviceConnect, .deviceConnect]),
            generated("service", [.serviceConnect]),
            generated("device", [.deviceConnect]),
            generated("registryRead", [.registryRead]),
            generated("registryReadWrite", [.registryRead, .registryWrite]),
        ]
    }

    private static func generated(_ name: String, _ permissions: Set<SharedAccessPermission>) -> SharedAccessPolicy {
        SharedAccessPolicy(name: name, primaryKey: .generate(byteCount: 32), secondaryKey: .generate(byteCount: 32), permissions: permissions)
    }
}

/// A permission a shared access policy can grant.
public enum SharedAccessPermission: String, Sendable, Hashable, CaseIterable, Codable {
    case registryRead, registryWrite, serviceConnect, deviceConnect
    case serviceConfig, enrollmentRead, enrollmentWrite, registrationStatusRead, registrationStatusWrite
}
