import Provisioning

/// An `EnrollmentRepository` in memory with the protocol's semantics: case-insensitive ids stored as given,
/// If-Match (`expectedETag`) checks, and paging ordered by lower-cased id.
/// (ProvisioningTests holds an identical copy; test targets cannot share sources without a support module.)
actor InMemoryEnrollmentRepository: EnrollmentRepository {
    private var enrollments = Table<IndividualEnrollment>(etag: { $0.etag })
    private var groups = Table<EnrollmentGroup>(etag: { $0.etag })
    private var certificates = Table<CACertificate>(etag: { $0.etag })
    private var registrationRecords = Table<RegistrationRecord>(etag: { $0.state.etag })

    init() {}

    func individualEnrollment(registrationId: String) -> IndividualEnrollment? { enrollments[registrationId] }
    func saveIndividualEnrollment(_ enrollment: IndividualEnrollment, expectedETag: String?) throws {
        try enrollments.save(enrollment, id: enrollment.registrationId, expectedETag: expectedETag)
    }
    func deleteIndividualEnrollment(registrationId: String, expectedETag: String?) throws {
        try enrollments.delete(registrationId, expectedETag: expectedETag)
    }
    func individualEnrollments(after cursor: String?, limit: Int) -> [IndividualEnrollment] {
        enrollments.page(after: cursor, limit: limit)
    }
    func individualEnrollmentCount() -> Int { enrollments.rows.count }

    func enrollmentGroup(id: String) -> EnrollmentGroup? { groups[id] }
    func saveEnrollmentGroup(_ group: EnrollmentGroup, expectedETag: String?) throws {
        try groups.save(group, id: group.enrollmentGroupId, expectedETag: expectedETag)
    }
    func deleteEnrollmentGroup(id: String, expectedETag: String?) throws { try groups.delete(id, expectedETag: expectedETag) }
    func enrollmentGroups(after cursor: String?, limit: Int) -> [EnrollmentGroup] { groups.page(after: cursor, limit: limit) }
    func enabledEnrollmentGroups(attestation: AttestationMechanism.Kind) -> [EnrollmentGroup] {
        groups.page(after: nil, limit: .max).filter { $0.attestation.type == attestation && $0.provisioningStatus != .disabled }
    }

    func caCertificate(name: String) -> CACertificate? { certificates[name] }
    func saveCACertificate(_ certificate: CACertificate, expectedETag: String?) throws {
        try certificates.save(certificate, id: certificate.name, expectedETag: expectedETag)
    }
    func deleteCACertificate(name: String, expectedETag: String?) throws { try certificates.delete(name, expectedETag: expectedETag) }
    func caCertificates() -> [CACertificate] { certificates.page(after: nil, limit: .max) }

    func registration(registrationId: String) -> RegistrationRecord? { registrationRecords[registrationId] }
    func registration(operationId: String) -> RegistrationRecord? {
        registrationRecords.rows.values.first { $0.value.operationId == operationId }?.value
    }
    func saveRegistration(_ record: RegistrationRecord) throws {
        try registrationRecords.save(record, id: record.state.registrationId, expectedETag: nil)
    }
    func deleteRegistration(registrationId: String, expectedETag: String?) throws {
        try registrationRecords.delete(registrationId, expectedETag: expectedETag)
    }
    func registrations(enrollmentGroupId: String) -> [RegistrationRecord] {
        registrationRecords.page(after: nil, limit: .max).filter { $0.enrollmentGroupId?.lowercased() == enrollmentGroupId.lowercased() }
    }
}

/// Rows keyed by lower-cased id, each remembering the id as given.
private struct Table<Value: Sendable>: Sendable {
    var rows: [String: (id: String, value: Value)] = [:]
    let etag: @Sendable (Value) -> String?

    init(etag: @escaping @Sendable (Value) -> String?) { self.etag = etag }

    subscript(id: String) -> Value? { rows[id.lowercased()]?.value }

    mutating func save(_ value: Value, id: String, expectedETag: String?) throws {
        try check(id, expectedETag: expectedETag)
        rows[id.lowercased()] = (id, value)
    }

    mutating func delete(_ id: String, expectedETag: String?) throws {
        guard rows[id.lowercased()] != nil else { throw ProvisioningError.notFound("no '\(id)'") }
        try check(id, expectedETag: expectedETag)
        rows[id.lowercased()] = nil
    }

    func page(after cursor: String?, limit: Int) -> [Value] {
        rows.keys.sorted()
            .filter { cursor == nil || $0 > cursor!.lowercased() }
            .prefix(limit)
            .compactMap { rows[$0]?.value }
    }

    private func check(_ id: String, expectedETag: String?) throws {
        guard let expectedETag else { return }
        guard let current = rows[id.lowercased()] else { throw ProvisioningError.notFound("no '\(id)'") }
        guard etag(current.value) == expectedETag else { throw ProvisioningError.preconditionFailed("etag mismatch for '\(id)'") }
    }
}
