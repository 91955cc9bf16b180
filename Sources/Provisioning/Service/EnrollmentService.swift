import Foundation

/// The DPS service API's domain: individual enrollments, enrollment groups, registration states and uploaded CA
/// certificates, validated and versioned (etag, timestamps) before they reach the repository.
public struct EnrollmentService: Sendable {
    /// The store behind the service.
    public let repository: any EnrollmentRepository
    /// Largest number of enrollments one bulk operation may carry (Azure allows 10).
    public let maximumBulkOperationSize: Int
    let validator: EnrollmentValidator
    let attestation: AttestationValidator
    let now: @Sendable () -> Date
    let randomBytes: @Sendable (Int) -> [UInt8]

    /// Creates the service; `linkedHubHostNames` are the host names `iotHubs` may name, `now` and `randomBytes` are injected for tests.
    public init(repository: any EnrollmentRepository, linkedHubHostNames: [String], maximumBulkOperationSize: Int = 10,
                now: @escaping @Sendable () -> Date = { Date() },
                randomBytes: @escaping @Sendable (Int) -> [UInt8] = EnrollmentService.systemRandomBytes,
                tpmPolicy: TPMAttestationPolicy = .none) {
        self.repository = repository
        self.maximumBulkOperationSize = maximumBulkOperationSize
        self.validator = EnrollmentValidator(linkedHubs: Set(linkedHubHostNames.map { $0.lowercased() }))
        self.attestation = AttestationValidator(repository: repository, randomBytes: randomBytes,
                                                endorsementKeyCertificates: TPMEndorsementKeyCertificateCheck(policy: tpmPolicy), now: now)
        self.now = now
        self.randomBytes = randomBytes
    }

    /// Secure random bytes from the system generator.
    @Sendable public static func systemRandomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    // MARK: Individual enrollments

    /// Creates or replaces the enrollment `registrationId` (PUT semantics: an existing record is updated unless If-Match fails).
    public func createOrUpdateIndividualEnrollment(
        registrationId: String, _ enrollment: IndividualEnrollment, ifMatch: String?
    ) async throws -> IndividualEnrollment {
        try RegistrationIdentifier.validate(registrationId)
        guard enrollment.registrationId.lowercased() == registrationId.lowercased() else {
            throw ProvisioningError.badRequest("the body's registrationId does not match the one in the path")
        }
        var stored = try await validated(enrollment)
        let existing = try await repository.individualEnrollment(registrationId: registrationId)
        let expected = try expectedETag(ifMatch, current: existing?.etag, what: "enrollment", id: registrationId)
        let version = newVersion(created: existing?.createdDateTimeUtc)
        (stored.etag, stored.createdDateTimeUtc, stored.lastUpdatedDateTimeUtc) = (version.etag, version.created, version.updated)
        try await repository.saveIndividualEnrollment(stored, expectedETag: expected)
        stored.registrationState = try await repository.registration(registrationId: registrationId)?.state
        return stored
    }

    /// The enrollment with its latest registration state; 404 when absent.
    public func individualEnrollment(registrationId: String) async throws -> IndividualEnrollment {
        guard var enrollment = try await repository.individualEnrollment(registrationId: registrationId) else {
            throw Self.enrollmentNotFound(registrationId)
        }
        enrollment.registrationState = try await repository.registration(registrationId: registrationId)?.state
        return enrollment
    }

    /// Deletes the enrollment; its registration state stays until `DELETE /registrations/{id}`.
    public func deleteIndividualEnrollment(registrationId: String, ifMatch: String?) async throws {
        let current = try await repository.individualEnrollment(registrationId: registrationId)
        guard current != nil else { throw Self.enrollmentNotFound(registrationId) }
        let expected = try expectedETag(ifMatch, current: current?.etag, what: "enrollment", id: registrationId)
        try await repository.deleteIndividualEnrollment(registrationId: registrationId, expectedETag: expected)
    }

    /// The enrollment's attestation including its keys (how Azure hands out symmetric keys).
    public func individualEnrollmentAttestation(registrationId: String) async throws -> AttestationMechanism {
        guard let enrollment = try await repository.individualEnrollment(registrationId: registrationId) else {
            throw Self.enrollmentNotFound(registrationId)
        }
        return enrollment.attestation
    }

    /// Checks and completes an enrollment before it is stored; read-only members are dropped, defaults filled in.
    func validated(_ enrollment: IndividualEnrollment) async throws -> IndividualEnrollment {
        var stored = enrollment
        try RegistrationIdentifier.validate(stored.registrationId)
        if let deviceId = stored.deviceId { try EnrollmentValidator.validateDeviceId(deviceId) }
        stored.registrationState = nil
        stored.initialTwin = try EnrollmentValidator.validatedTwin(stored.initialTwin)
        try validator.validateAllocation(policy: stored.allocationPolicy, iotHubs: stored.iotHubs,
                                         iotHubHostName: stored.iotHubHostName, custom: stored.customAllocationDefinition)
        stored.attestation = try await attestation.prepared(stored.attestation, for: .individualEnrollment, registrationId: stored.registrationId)
        stored.provisioningStatus = stored.provisioningStatus ?? .enabled
        stored.reprovisionPolicy = stored.reprovisionPolicy ?? ReprovisionPolicy()
        return stored
    }

    // MARK: Versioning

    /// A new etag and update time for a write, keeping `created` of the record being replaced.
    func newVersion(created existing: String?) -> (etag: String, created: String, updated: String) {
        let time = RegistrationTimestamp.string(now())
        return (newETag(), existing ?? time, time)
    }

    /// A fresh quoted etag.
    func newETag() -> String { EntityTag.make(randomBytes: randomBytes(16)) }

    /// The etag to pass to the repository for `ifMatch`; `*` requires the record to exist.
    func expectedETag(_ ifMatch: String?, current: String?, what: String, id: String) throws(ProvisioningError) -> String? {
        switch EntityTag.precondition(ifMatch: ifMatch) {
        case nil: return nil
        case .etag(let etag): return etag
        case .exists:
            guard let current else { throw .notFound("no \(what) '\(id.prefix(140))' exists") }
            return current
        }
    }

    static func enrollmentNotFound(_ id: String) -> ProvisioningError {
        .notFound("no enrollment with registration id '\(id.prefix(140))'", detail: 201)
    }

    static func groupNotFound(_ id: String) -> ProvisioningError {
        .notFound("no enrollment group '\(id.prefix(140))'", detail: 202)
    }
}
