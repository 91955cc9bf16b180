/// A device whose credential has been checked, and the enrollment that admitted it.
public struct AttestedDevice: Sendable, Equatable {
    /// Which enrollment admitted the device.
    public enum Source: Sendable, Equatable {
        /// Its own enrollment.
        case individual(IndividualEnrollment)
        /// A group it belongs to.
        case group(EnrollmentGroup)
    }

    /// The registration id.
    public var registrationId: String
    /// The admitting enrollment.
    public var source: Source
    /// How the device will authenticate to its hub.
    public var hubAuthentication: DeviceAuthentication
    /// Symmetric-key details for the registration result.
    public var symmetricKeyResult: SymmetricKeyRegistrationResult?
    /// X.509 details for the registration result.
    public var x509Result: X509RegistrationResult?
    /// TPM details (the wrapped hub key) for the registration result.
    public var tpmResult: TPMRegistrationResult?

    /// Creates an attested device.
    public init(registrationId: String, source: Source, hubAuthentication: DeviceAuthentication,
                symmetricKeyResult: SymmetricKeyRegistrationResult? = nil, x509Result: X509RegistrationResult? = nil,
                tpmResult: TPMRegistrationResult? = nil) {
        self.registrationId = registrationId
        self.source = source
        self.hubAuthentication = hubAuthentication
        self.symmetricKeyResult = symmetricKeyResult
        self.x509Result = x509Result
        self.tpmResult = tpmResult
    }

    /// The device id on the hub: the enrollment's `deviceId`, else the registration id.
    public var deviceId: String {
        if case .individual(let enrollment) = source, let deviceId = enrollment.deviceId, !deviceId.isEmpty { return deviceId }
        return registrationId
    }

    /// The enrollment settings that drive allocation and assignment.
    public var settings: EnrollmentSettings {
        switch source {
        case .individual(let enrollment):
            EnrollmentSettings(enrollmentGroupId: nil, allocationPolicy: enrollment.allocationPolicy, iotHubs: enrollment.iotHubs,
                               iotHubHostName: enrollment.iotHubHostName, initialTwin: enrollment.initialTwin,
                               reprovisionPolicy: enrollment.reprovisionPolicy ?? ReprovisionPolicy(),
                               capabilities: enrollment.capabilities, customAllocationDefinition: enrollment.customAllocationDefinition)
        case .group(let group):
            EnrollmentSettings(enrollmentGroupId: group.enrollmentGroupId, allocationPolicy: group.allocationPolicy, iotHubs: group.iotHubs,
                               iotHubHostName: group.iotHubHostName, initialTwin: group.initialTwin,
                               reprovisionPolicy: group.reprovisionPolicy ?? ReprovisionPolicy(),
                               capabilities: group.capabilities, customAllocationDefinition: group.customAllocationDefinition)
        }
    }
}

/// The parts of an individual enrollment or group that allocation and assignment use.
public struct EnrollmentSettings: Sendable, Equatable {
    /// The group id, for group members.
    public var enrollmentGroupId: String?
    /// Allocation policy, nil for the service default.
    public var allocationPolicy: AllocationPolicyKind?
    /// Candidate hub host names.
    public var iotHubs: [String]?
    /// Legacy single hub.
    public var iotHubHostName: String?
    /// Initial twin.
    public var initialTwin: JSONValue?
    /// Re-registration behaviour.
    public var reprovisionPolicy: ReprovisionPolicy
    /// Capabilities.
    public var capabilities: DeviceCapabilities?
    /// Webhook for custom allocation.
    public var customAllocationDefinition: CustomAllocationDefinition?
}
