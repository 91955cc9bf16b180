/// Whether an enrollment admits devices.
public enum ProvisioningStatus: String, Codable, Sendable {
    case enabled, disabled
}

/// Which allocation policy picks the hub.
public enum AllocationPolicyKind: String, Codable, Sendable, CaseIterable {
    case hashed, geoLatency, `static`, custom
}

/// What happens when a device registers again.
public struct ReprovisionPolicy: Codable, Sendable, Equatable {
    /// Re-run allocation (may move the device).
    public var updateHubAssignment: Bool
    /// Move twin and identity when the hub changes (else reset to the initial twin).
    public var migrateDeviceData: Bool

    /// Creates a policy; Azure's default is re-provision and migrate.
    public init(updateHubAssignment: Bool = true, migrateDeviceData: Bool = true) {
        self.updateHubAssignment = updateHubAssignment
        self.migrateDeviceData = migrateDeviceData
    }
}

/// The webhook of a custom allocation policy.
public struct CustomAllocationDefinition: Codable, Sendable, Equatable {
    /// HTTP or HTTPS URL that receives the AllocationRequest.
    public var webhookUrl: String
    /// The API version the webhook speaks.
    public var apiVersion: String?

    /// Creates a definition.
    public init(webhookUrl: String, apiVersion: String? = nil) {
        self.webhookUrl = webhookUrl
        self.apiVersion = apiVersion
    }
}

/// Device capabilities.
public struct DeviceCapabilities: Codable, Sendable, Equatable {
    /// Whether the device is an IoT Edge device.
    public var iotEdge: Bool

    /// Creates capabilities.
    public init(iotEdge: Bool = false) { self.iotEdge = iotEdge }
}
