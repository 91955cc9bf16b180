import ProvisioTestSupport
import Provisioning

/// An `InMemoryEnrollmentRepository` whose registration saves are logged in a `RecordingHubDirectory` first,
/// so tests can see whether the hub device existed when the durable record was written.
struct SaveObservingRepository: EnrollmentRepository {
    let inner: InMemoryEnrollmentRepository
    let directory: RecordingHubDirectory

    func individualEnrollment(registrationId: String) async throws -> IndividualEnrollment? {
        await inner.individualEnrollment(registrationId: registrationId)
    }
    func saveIndividualEnrollment(_ enrollment: IndividualEnrollment, expectedETag: String?) async throws {
        try await inner.saveIndividualEnrollment(enrollment, expectedETag: expectedETag)
    }
    func deleteIndividualEnrollment(registrationId: String, expectedETag: String?) async throws {
        try await inner.deleteIndividualEnrollment(registrationId: registrationId, expectedETag: expectedETag)
    }
    func individualEnrollments(after cursor: String?, limit: Int) async throws -> [IndividualEnrollment] {
        await inner.individualEnrollments(after: cursor, limit: limit)
    }
    func individualEnrollmentCount() async throws -> Int { await inner.individualEnrollmentCount() }

    func enrollmentGroup(id: String) async throws -> EnrollmentGroup? { await inner.enrollmentGroup(id: id) }
    func saveEnrollmentGroup(_ group: EnrollmentGroup, expectedETag: String?) async throws {
        try await inner.saveEnrollmentGroup(group, expectedETag: expectedETag)
    }
    func deleteEnrollmentGroup(id: String, expectedETag: String?) async throws {
        try await inner.deleteEnrollmentGroup(id: id, expectedETag: expectedETag)
    }
    func enrollmentGroups(after cursor: String?, limit: Int) async throws -> [EnrollmentGroup] {
        await inner.enrollmentGroups(after: cursor, limit: limit)
    }
    func enabledEnrollmentGroups(attestation: AttestationMechanism.Kind) async throws -> [EnrollmentGroup] {
        await inner.enabledEnrollmentGroups(attestation: attestation)
    }

    func caCertificate(name: String) async throws -> CACertificate? { await inner.caCertificate(name: name) }
    func saveCACertificate(_ certificate: CACertificate, expectedETag: String?) async throws {
        try await inner.saveCACertificate(certificate, expectedETag: expectedETag)
    }
    func deleteCACertificate(name: String, expectedETag: String?) async throws {
        try await inner.deleteCACertificate(name: name, expectedETag: expectedETag)
    }
    func caCertificates() async throws -> [CACertificate] { await inner.caCertificates() }

    func registration(registrationId: String) async throws -> RegistrationRecord? {
        await inner.registration(registrationId: registrationId)
    }
    func registration(operationId: String) async throws -> RegistrationRecord? { await inner.registration(operationId: operationId) }
    func saveRegistration(_ record: RegistrationRecord) async throws {
        directory.recordSave(record)
        try await inner.saveRegistration(record)
    }
    func deleteRegistration(registrationId: String, expectedETag: String?) async throws {
        try await inner.deleteRegistration(registrationId: registrationId, expectedETag: expectedETag)
    }
    func registrations(enrollmentGroupId: String) async throws -> [RegistrationRecord] {
        await inner.registrations(enrollmentGroupId: enrollmentGroupId)
    }
}
