/// The outcome of a device's registration (DPS `DeviceRegistrationResult` / `DeviceRegistrationState`).
public struct DeviceRegistrationState: Codable, Sendable, Equatable {
    /// Registration id.
    public var registrationId: String
    /// First registration, ISO 8601.
    public var createdDateTimeUtc: String?
    /// Host name of the assigned hub.
    public var assignedHub: String?
    /// Device id on that hub.
    public var deviceId: String?
    /// `unassigned`, `assigning`, `assigned`, `failed`, `disabled`.
    public var status: RegistrationStatus
    /// How the assignment came about.
    public var substatus: RegistrationSubstatus?
    /// DPS error code on failure.
    public var errorCode: Int?
    /// Error text on failure.
    public var errorMessage: String?
    /// Last change, ISO 8601.
    public var lastUpdatedDateTimeUtc: String?
    /// Version tag.
    public var etag: String?
    /// Data returned to the device (custom allocation).
    public var payload: JSONValue?
    /// Symmetric-key details (the group that matched).
    public var symmetricKey: SymmetricKeyRegistrationResult?
    /// X.509 details.
    public var x509: X509RegistrationResult?
    /// TPM details: the hub key, wrapped for the device's TPM.
    public var tpm: TPMRegistrationResult?
    /// The operational certificate issued from the device's CSR: Base64 DER, leaf first, up to the root.
    public var issuedCertificateChain: [String]?

    /// Creates a state.
    public init(registrationId: String, status: RegistrationStatus) {
        self.registrationId = registrationId
        self.status = status
    }
}

/// Registration status values.
public enum RegistrationStatus: String, Codable, Sendable {
    case unassigned, assigning, assigned, failed, disabled
}

/// Registration substatus values.
public enum RegistrationSubstatus: String, Codable, Sendable {
    case initialAssignment, deviceDataMigrated, deviceDataReset, reprovisionedToInitialAssignment
}

/// `registrationState.symmetricKey`.
public struct SymmetricKeyRegistrationResult: Codable, Sendable, Equatable {
    /// The group whose derived key matched, if any.
    public var enrollmentGroupId: String?
    /// Creates the value.
    public init(enrollmentGroupId: String?) { self.enrollmentGroupId = enrollmentGroupId }
}

/// `registrationState.x509`.
public struct X509RegistrationResult: Codable, Sendable, Equatable {
    /// The device certificate.
    public var certificateInfo: X509CertificateInfo?
    /// The group that matched, if any.
    public var enrollmentGroupId: String?
    /// The group's signing certificate that matched.
    public var signingCertificateInfo: X509CertificateInfo?
    /// Creates the value.
    public init(certificateInfo: X509CertificateInfo?, enrollmentGroupId: String?, signingCertificateInfo: X509CertificateInfo?) {
        self.certificateInfo = certificateInfo
        self.enrollmentGroupId = enrollmentGroupId
        self.signingCertificateInfo = signingCertificateInfo
    }
}

/// `registrationState.tpm`.
public struct TPMRegistrationResult: Codable, Sendable, Equatable {
    /// Base64 blob the TPM imports to get its hub key (same layout as the challenge's).
    public var authenticationKey: String
    /// Creates the value.
    public init(authenticationKey: String) { self.authenticationKey = authenticationKey }
}

/// `RegistrationOperationStatus`: what register and poll answer.
public struct RegistrationOperationStatus: Codable, Sendable, Equatable {
    /// Opaque operation id used for polling.
    public var operationId: String
    /// Operation status.
    public var status: RegistrationStatus
    /// The result, once known.
    public var registrationState: DeviceRegistrationState?

    /// Creates a status.
    public init(operationId: String, status: RegistrationStatus, registrationState: DeviceRegistrationState? = nil) {
        self.operationId = operationId
        self.status = status
        self.registrationState = registrationState
    }
}
