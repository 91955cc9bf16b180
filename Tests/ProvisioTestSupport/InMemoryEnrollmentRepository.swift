import Provisioning

/// An `EnrollmentRepository` in memory with the protocol's semantics: case-insensitive ids stored as given,
/// If-Match (`expectedETag`) checks, and paging ordered by lower-cased id.
public actor InMemoryEnrollmentRepository: EnrollmentRepository {
    private var enrollments = Table<IndividualEnrollment>(etag: { $0.etag })
    private var groups = Table<EnrollmentGroup>(etag: { $0.etag })
    private var certificates = Table<CACertificate>(etag: { $0.etag })
    private var registrationRecords = Table<RegistrationRecord>(etag: { $0.state.etag })

    public init() {}

    public func individualEnrollment(registrationId: String) -> IndividualEnrollment? { enrollments[registrationId] }
    public func saveIndividualEnrollment(_ enrollment: IndividualEnrollment, expectedETag: String?) throws {
        try enrollments.save(enrollment, id: enrollment.registrationId, expectedETag: expectedETag)
    }
    public func deleteIndividualEnrollment(registrationId: String, expectedETag: String?) throws {
        try enrollments.delete(registrationId, expectedETag: expectedETag)
    }
    public func individualEnrollments(after cursor: String?, limit: Int) -> [IndividualEnrollment] {
        enrollments.page(after: cursor, limit: limit)
    }
    public func individualEnrollmentCount() -> Int { enrollments.rows.count }

    public func enrollmentGroup(id: String) -> EnrollmentGroup? { groups[id] }
    public func saveEnrollmentGroup(_ group: EnrollmentGroup, expectedETag: String?) throws {
        try groups.save(group, id: group.enrollmentGroupId, expectedETag: expectedETag)
    }
    public func deleteEnrollmentGroup(id: String, expectedETag: String?) throws { try groups.delete(id, expectedETag: expectedETag) }
    public func enrollmentGroups(after cursor: String?, limit: Int) -> [EnrollmentGroup] { groups.page(after: cursor, limit: limit) }
    public func enabledEnrollmentGroups(attestation: AttestationMechanism.Kind) -> [EnrollmentGroup] {
        groups.page(after: nil, limit: .max).filter { $0.attestation.type == attestation && $0.provisioningStatus != .disabled }
    }

    public func caCertificate(name: String) -> CACertificate? { certificates[name] }
    public func saveCACertificate(_ certificate: CACertificate, expectedETag: String?) throws {
        try certificates.save(certificate, id: certificate.name, expectedETag: expectedETag)
    }
    public func deleteCACertificate(name: String, expectedETag: String?) throws { try certificates.delete(name, expectedETag: expectedETag) }
    public func caCertificates() -> [CACertificate] { certificates.page(after: nil, limit: .max) }

    public func registration(registrationId: String) -> RegistrationRecord? { registrationRecords[registrationId] }
    public func registration(operationId: String) -> RegistrationRecord? {
        registrationRecords.rows.values.first { $0.value.operationId == operationId }?.value
    }
    public func saveRegistration(_ record: RegistrationRecord) throws {
        try registrationRecords.save(record, id: record.state.registrationId, expectedETag: nil)
    }
    public func deleteRegistration(registrationId: String, expectedETag: String?) throws {
        try registrationRecords.delete(registrationId, expectedETag: expectedETag)
    }
    public func registrations(enrollmentGroupId: String) -> [RegistrationRecord] {
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
