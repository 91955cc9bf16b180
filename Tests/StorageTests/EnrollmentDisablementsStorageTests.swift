import Hub
import Provisioning
import Storage
import Testing

/// The disablement journal as the session monitor reads it: which enrollments and groups became disabled (to close
/// the DPS sessions they attested) and the devices registered through them (to close their hub sessions).
@Suite("Enrollment disablements for open sessions")
struct EnrollmentDisablementsStorageTests {
    @Test("the journal names each disabled enrollment and group with its lookup key, and their devices")
    func disablementsNameEnrollmentsAndDevices() async throws {
        try await withTemporaryDatabase { database, _ in
            var enrollment = StorageFixtures.symmetricKeyEnrollment("Solo-1")
            try await database.saveIndividualEnrollment(enrollment, expectedETag: nil)
            try await database.saveRegistration(StorageFixtures.registration("solo-1", operationId: "op-1", groupId: nil))
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("Group-A", kind: .symmetricKey), expectedETag: nil)
            try await database.saveRegistration(StorageFixtures.registration("member-1", operationId: "op-2", groupId: "Group-A"))
            let start = try await database.enrollmentDisablementSequence()
            #expect(try await database.disablements(after: start) == EnrollmentDisablements(sequence: start, enrollments: [], deviceIds: []))

            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("Group-A", kind: .symmetricKey, status: .disabled),
                                                   expectedETag: nil)
            enrollment.provisioningStatus = .disabled
            try await database.saveIndividualEnrollment(enrollment, expectedETag: nil)

            let disablements = try await database.disablements(after: start)
            #expect(disablements.sequence == start + 2)
            #expect(disablements.enrollments == [EnrollmentReference(kind: .group, id: "group-a"),
                                                 EnrollmentReference(kind: .individual, id: "solo-1")])
            #expect(disablements.deviceIds == ["member-1", "solo-1"])
            #expect(try await database.disablements(after: disablements.sequence).enrollments.isEmpty)
        }
    }
}
