import ProvisioTestSupport
import Foundation
import Provisioning
import Testing

/// An `EnrollmentService` over an in-memory repository with a manual clock and seeded randomness.
struct ServiceFixture {
    static let hubs = ["hub1.provisio.test", "hub2.provisio.test"]

    let repository = InMemoryEnrollmentRepository()
    let clock = ManualClock()
    let random = SeededBytes()
    let service: EnrollmentService

    init(bulkLimit: Int = 10) {
        let clock = self.clock, random = self.random
        service = EnrollmentService(repository: repository, linkedHubHostNames: Self.hubs, maximumBulkOperationSize: bulkLimit,
                                    now: { clock.now() }, randomBytes: { random.bytes($0) })
    }

    /// A symmetric-key enrollment with generated keys.
    static func enrollment(_ id: String, keys: SymmetricKeyAttestation? = nil) -> IndividualEnrollment {
        IndividualEnrollment(registrationId: id, attestation: AttestationMechanism(type: .symmetricKey, symmetricKey: keys))
    }

    /// A symmetric-key group with generated keys.
    static func group(_ id: String) -> EnrollmentGroup {
        EnrollmentGroup(enrollmentGroupId: id, attestation: AttestationMechanism(type: .symmetricKey, symmetricKey: SymmetricKeyAttestation()))
    }

    /// Stores `enrollment` through the service.
    @discardableResult
    func put(_ enrollment: IndividualEnrollment, ifMatch: String? = nil) async throws -> IndividualEnrollment {
        try await service.createOrUpdateIndividualEnrollment(registrationId: enrollment.registrationId, enrollment, ifMatch: ifMatch)
    }
}

/// Expects `body` to fail with a `ProvisioningError` of `status`; returns it.
@discardableResult
func expectProvisioningError(
    status: Int, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> ProvisioningError? {
    let error = await #expect(throws: ProvisioningError.self, sourceLocation: sourceLocation) { try await body() }
    #expect(error?.status == status, "got \(String(describing: error))", sourceLocation: sourceLocation)
    return error
}

/// `"\"<uuid>\""`.
func isQuotedUUID(_ etag: String?) -> Bool {
    guard let etag, etag.count == 38, etag.first == "\"", etag.last == "\"" else { return false }
    return UUID(uuidString: String(etag.dropFirst().dropLast())) != nil
}

/// `2024-01-01T00:00:00.0000000Z`.
func isServiceTimestamp(_ text: String?) -> Bool {
    guard let text else { return false }
    return text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z/) != nil
}
