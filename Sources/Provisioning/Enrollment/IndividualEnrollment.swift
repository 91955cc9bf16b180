/// One device's enrollment (DPS `IndividualEnrollment`), in its wire shape.
public struct IndividualEnrollment: Codable, Sendable, Equatable {
    /// Registration id (what the device presents).
    public var registrationId: String
    /// Device id on the hub; defaults to the registration id.
    public var deviceId: String?
    /// Read-only: the last registration of this device.
    public var registrationState: DeviceRegistrationState?
    /// How the device attests.
    public var attestation: AttestationMechanism
    /// Capabilities given to the hub device.
    public var capabilities: DeviceCapabilities?
    /// Legacy single hub.
    public var iotHubHostName: String?
    /// Initial twin (`{"tags":…, "properties":{"desired":…}}`).
    public var initialTwin: JSONValue?
    /// Version tag, changed on every write.
    public var etag: String?
    /// Enabled or disabled.
    public var provisioningStatus: ProvisioningStatus?
    /// Re-registration behaviour.
    public var reprovisionPolicy: ReprovisionPolicy?
    /// Created, ISO 8601.
    public var createdDateTimeUtc: String?
    /// Last changed, ISO 8601.
    public var lastUpdatedDateTimeUtc: String?
    /// Allocation policy (default: the service's).
    public var allocationPolicy: AllocationPolicyKind?
    /// Candidate hubs (host names); empty means all.
    public var iotHubs: [String]?
    /// Webhook for `custom`.
    public var customAllocationDefinition: CustomAllocationDefinition?

    /// Creates an enrollment.
    public init(registrationId: String, attestation: AttestationMechanism) {
        self.registrationId = registrationId
        self.attestation = attestation
    }
}
