/// Durable storage of enrollments, groups, uploaded CA certificates and registration records.
///
/// Identifiers are matched case-insensitively (DPS registration ids are), but stored as given.
/// `expectedETag` implements If-Match: when non-nil the write succeeds only if the stored record has that etag
/// (throw `ProvisioningError.preconditionFailed`; a missing record with an expected etag is `notFound`).
/// Every write is durable when the call returns.
public protocol EnrollmentRepository: Sendable {
    /// One individual enrollment.
    func individualEnrollment(registrationId: String) async throws -> IndividualEnrollment?
    /// Creates or replaces an individual enrollment (its etag and timestamps already set by the caller).
    func saveIndividualEnrollment(_ enrollment: IndividualEnrollment, expectedETag: String?) async throws
    /// Deletes an individual enrollment; `notFound` when absent.
    func deleteIndividualEnrollment(registrationId: String, expectedETag: String?) async throws
    /// A page of individual enrollments ordered by registration id (case-insensitive), after `cursor`.
    func individualEnrollments(after cursor: String?, limit: Int) async throws -> [IndividualEnrollment]
    /// Number of individual enrollments.
    func individualEnrollmentCount() async throws -> Int

    /// One enrollment group.
    func enrollmentGroup(id: String) async throws -> EnrollmentGroup?
    /// Creates or replaces a group.
    func saveEnrollmentGroup(_ group: EnrollmentGroup, expectedETag: String?) async throws
    /// Deletes a group; `notFound` when absent.
    func deleteEnrollmentGroup(id: String, expectedETag: String?) async throws
    /// A page of groups ordered by id, after `cursor`.
    func enrollmentGroups(after cursor: String?, limit: Int) async throws -> [EnrollmentGroup]
    /// Every enabled group with the given attestation kind (attestation tries them).
    func enabledEnrollmentGroups(attestation: AttestationMechanism.Kind) async throws -> [EnrollmentGroup]
    /// Every disabled group attesting with `kind` (to tell a matching credential of a disabled group apart).
    func disabledEnrollmentGroups(attestation kind: AttestationMechanism.Kind) async throws -> [EnrollmentGroup]
    /// The individual enrollment of `registrationId`, or else every enabled group of `kind`: what attestation
    /// reads on every request (a store may answer it in one read).
    func enrollmentLookup(registrationId: String, groups kind: AttestationMechanism.Kind) async throws -> EnrollmentLookup
    /// The current basis of `device`'s attestation (see `AttestationBasis`).
    func attestationBasis(of device: AttestedDevice) async throws -> AttestationBasis

    /// One uploaded CA certificate.
    func caCertificate(name: String) async throws -> CACertificate?
    /// Creates or replaces an uploaded CA certificate.
    func saveCACertificate(_ certificate: CACertificate, expectedETag: String?) async throws
    /// Deletes an uploaded CA certificate; `notFound` when absent.
    func deleteCACertificate(name: String, expectedETag: String?) async throws
    /// Every uploaded CA certificate.
    func caCertificates() async throws -> [CACertificate]

    /// A device's registration record.
    func registration(registrationId: String) async throws -> RegistrationRecord?
    /// The registration record whose latest operation is `operationId`.
    func registration(operationId: String) async throws -> RegistrationRecord?
    /// Creates or replaces a registration record.
    func saveRegistration(_ record: RegistrationRecord) async throws
    /// Deletes a registration record; `notFound` when absent.
    func deleteRegistration(registrationId: String, expectedETag: String?) async throws
    /// Registration records that came through a group.
    func registrations(enrollmentGroupId: String) async throws -> [RegistrationRecord]
}

/// What attestation needs for one registration id: its individual enrollment or, when it has none, the enabled
/// groups that may admit it.
public struct EnrollmentLookup: Sendable {
    /// The device's individual enrollment, which takes precedence over any group.
    public var individual: IndividualEnrollment?
    /// Enabled groups of the requested attestation kind; empty when `individual` is set.
    public var groups: [EnrollmentGroup]

    /// Creates a lookup result.
    public init(individual: IndividualEnrollment?, groups: [EnrollmentGroup]) {
        self.individual = individual
        self.groups = groups
    }
}

extension EnrollmentRepository {
    /// Pages through every group; a store with an index answers with one query.
    public func disabledEnrollmentGroups(attestation kind: AttestationMechanism.Kind) async throws -> [EnrollmentGroup] {
        var groups: [EnrollmentGroup] = []
        var cursor: String?
        while true {
            let page = try await enrollmentGroups(after: cursor, limit: 500)
            groups += page.filter { $0.attestation.type == kind && $0.provisioningStatus == .disabled }
            guard page.count == 500, let last = page.last else { return groups }
            cursor = last.enrollmentGroupId
        }
    }

    /// Two reads: the individual enrollment, then the groups if there is none.
    public func enrollmentLookup(registrationId: String, groups kind: AttestationMechanism.Kind) async throws -> EnrollmentLookup {
        if let individual = try await individualEnrollment(registrationId: registrationId) {
            return EnrollmentLookup(individual: individual, groups: [])
        }
        return EnrollmentLookup(individual: nil, groups: try await enabledEnrollmentGroups(attestation: kind))
    }
}

/// A device's registration: its public state plus where it lives and which enrollment admitted it.
public struct RegistrationRecord: Sendable, Equatable, Codable {
    /// The state DPS reports.
    public var state: DeviceRegistrationState
    /// The latest operation id (polls find the record by it, also after a restart).
    public var operationId: String
    /// Shard name the device is assigned to (nil unless assigned).
    public var hubName: String?
    /// The group that admitted it, or nil for an individual enrollment.
    public var enrollmentGroupId: String?
    /// Hubs the device was assigned to before, oldest first (for `reprovisionedToInitialAssignment`).
    public var previousHubNames: [String]

    /// Creates a record.
    public init(state: DeviceRegistrationState, operationId: String, hubName: String?, enrollmentGroupId: String?, previousHubNames: [String] = []) {
        self.state = state
        self.operationId = operationId
        self.hubName = hubName
        self.enrollmentGroupId = enrollmentGroupId
        self.previousHubNames = previousHubNames
    }
}

/// An uploaded CA certificate and its proof-of-possession state.
public struct CACertificate: Sendable, Equatable, Codable {
    /// Name used in `caReferences`.
    public var name: String
    /// PEM text.
    public var certificatePEM: String
    /// Whether proof of possession succeeded.
    public var isVerified: Bool
    /// The outstanding verification code, if one was generated.
    public var verificationCode: String?
    /// Version tag.
    public var etag: String
    /// Created, ISO 8601.
    public var createdDateTimeUtc: String
    /// Last change, ISO 8601.
    public var lastUpdatedDateTimeUtc: String

    /// Creates a record.
    public init(name: String, certificatePEM: String, isVerified: Bool, verificationCode: String?, etag: String,
                createdDateTimeUtc: String, lastUpdatedDateTimeUtc: String) {
        self.name = name
        self.certificatePEM = certificatePEM
        self.isVerified = isVerified
        self.verificationCode = verificationCode
        self.etag = etag
        self.createdDateTimeUtc = createdDateTimeUtc
        self.lastUpdatedDateTimeUtc = lastUpdatedDateTimeUtc
    }
}
