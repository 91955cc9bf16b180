import Provisioning

/// An `EnrollmentRepository` that keeps individual-enrollment writes in memory over a real repository's reads.
///
/// The import runs every row through `EnrollmentService` against this overlay, so validation, key generation and
/// versioning are exactly the service's; the accepted enrollments are then taken out with ``drain()`` and written
/// in one transaction per batch. Nothing but individual enrollments is ever written through it.
actor StagedEnrollmentRepository: EnrollmentRepository {
    private let base: any EnrollmentRepository
    /// Accepted enrollments by lowercased registration id, in acceptance order.
    private var staged: [String: IndividualEnrollment] = [:]
    private var stagedOrder: [String] = []
    /// Base lookups of this batch: the service reads an enrollment more than once per row.
    private var looked: [String: IndividualEnrollment?] = [:]
    /// The enrollments that existed when the import began by lowercased id, when they were listed: then no row
    /// needs a database read of its own (a point read per row would dominate an import's time).
    private var existing: [String: IndividualEnrollment]?

    /// Stages writes over `base`.
    init(base: any EnrollmentRepository) {
        self.base = base
    }

    /// Lists the existing enrollments when there are at most `limit` of them (a page read costs what a few point
    /// reads cost); a larger table is cheaper to query row by row. Returns whether they were listed.
    @discardableResult
    func listExisting(limit: Int) async throws -> Bool {
        guard try await base.individualEnrollmentCount() <= limit else { return false }
        var listed: [String: IndividualEnrollment] = [:]
        var cursor: String?
        while true {
            let page = try await base.individualEnrollments(after: cursor, limit: 1_000)
            for enrollment in page { listed[enrollment.registrationId.lowercased()] = enrollment }
            guard page.count == 1_000, let last = page.last else { break }
            cursor = last.registrationId
        }
        existing = listed
        return true
    }

    /// The enrollments accepted since the last call, in order; empties the overlay.
    func drain() -> [IndividualEnrollment] {
        let drained = stagedOrder.compactMap { staged[$0] }
        (staged, stagedOrder, looked) = ([:], [], [:])
        return drained
    }

    func individualEnrollment(registrationId: String) async throws -> IndividualEnrollment? {
        let key = registrationId.lowercased()
        if let enrollment = staged[key] { return enrollment }
        if let known = looked[key] { return known }
        if let existing { return existing[key] }
        let found = try await base.individualEnrollment(registrationId: registrationId)
        looked[key] = .some(found)
        return found
    }

    func saveIndividualEnrollment(_ enrollment: IndividualEnrollment, expectedETag: String?) async throws {
        // Imports never send If-Match (bulk create/update), so there is no precondition to honour here.
        let key = enrollment.registrationId.lowercased()
        if staged.updateValue(enrollment, forKey: key) == nil { stagedOrder.append(key) }
    }

    func registration(registrationId: String) async throws -> RegistrationRecord? {
        // The service reads it only to decorate its answer with the device's state, which an import discards.
        nil
    }

    func individualEnrollments(after cursor: String?, limit: Int) async throws -> [IndividualEnrollment] {
        try await base.individualEnrollments(after: cursor, limit: limit)
    }

    func individualEnrollmentCount() async throws -> Int { try await base.individualEnrollmentCount() }
    func enrollmentGroup(id: String) async throws -> EnrollmentGroup? { try await base.enrollmentGroup(id: id) }
    func enrollmentGroups(after cursor: String?, limit: Int) async throws -> [EnrollmentGroup] {
        try await base.enrollmentGroups(after: cursor, limit: limit)
    }
    func enabledEnrollmentGroups(attestation: AttestationMechanism.Kind) async throws -> [EnrollmentGroup] {
        try await base.enabledEnrollmentGroups(attestation: attestation)
    }
    func caCertificate(name: String) async throws -> CACertificate? { try await base.caCertificate(name: name) }
    func caCertificates() async throws -> [CACertificate] { try await base.caCertificates() }
    func registration(operationId: String) async throws -> RegistrationRecord? { nil }
    func registrations(enrollmentGroupId: String) async throws -> [RegistrationRecord] { [] }

    func deleteIndividualEnrollment(registrationId: String, expectedETag: String?) async throws { throw Self.readOnly }
    func saveEnrollmentGroup(_ group: EnrollmentGroup, expectedETag: String?) async throws { throw Self.readOnly }
    func deleteEnrollmentGroup(id: String, expectedETag: String?) async throws { throw Self.readOnly }
    func saveCACertificate(_ certificate: CACertificate, expectedETag: String?) async throws { throw Self.readOnly }
    func deleteCACertificate(name: String, expectedETag: String?) async throws { throw Self.readOnly }
    func saveRegistration(_ record: RegistrationRecord) async throws { throw Self.readOnly }
    func deleteRegistration(registrationId: String, expectedETag: String?) async throws { throw Self.readOnly }

    /// Not a `ProvisioningError`, so the service's bulk operation does not report it as a row's fault.
    private static let readOnly = CLIError("an import writes individual enrollments only")
}
