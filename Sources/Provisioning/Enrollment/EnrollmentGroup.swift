/// A group of devices sharing one attestation (symmetric group key or X.509 CA), in DPS's wire shape.
public struct EnrollmentGroup: Codable, Sendable, Equatable {
    /// Group id.
    public var enrollmentGroupId: String
    /// Group attestation: symmetric key, signing certificates or CA references.
    public var attestation: AttestationMechanism
    /// Capabilities given to member devices.
    public var capabilities: DeviceCapabilities?
    /// Legacy single hub.
    public var iotHubHostName: String?
    /// Initial twin of member devices.
    public var initialTwin: JSONValue?
    /// Version tag.
    public var etag: String?
    /// Enabled or disabled.
    public var provisioningStatus: ProvisioningStatus?
    /// Re-registration behaviour.
    public var reprovisionPolicy: ReprovisionPolicy?
    /// Created, ISO 8601.
    public var createdDateTimeUtc: String?
    /// Last changed, ISO 8601.
    public var lastUpdatedDateTimeUtc: String?
    /// Allocation policy.
    public var allocationPolicy: AllocationPolicyKind?
    /// Candidate hubs.
    public var iotHubs: [String]?
    /// Webhook for `custom`.
    public var customAllocationDefinition: CustomAllocationDefinition?

    /// Creates a group.
    public init(enrollmentGroupId: String, attestation: AttestationMechanism) {
        self.enrollmentGroupId = enrollmentGroupId
        self.attestation = attestation
    }
}
