import Provisioning
import Storage
import Testing

/// The hubs' view of enrollment status: a device's registration leads to its enrollment's status, and triggers
/// journal every enrollment or group that becomes disabled, whoever writes it.
@Suite("Enrollment status for hubs")
struct EnrollmentStatusStorageTests {
    @Test("a device is refused on its shard only while its individual enrollment or group is disabled")
    func disabledLookup() async throws {
        try await withTemporaryDatabase { database, _ in
            var enrollment = StorageFixtures.symmetricKeyEnrollment("Solo-1")
            try await database.saveIndividualEnrollment(enrollment, expectedETag: nil)
            try await database.saveRegistration(StorageFixtures.registration("solo-1", operationId: "op-1", groupId: nil))
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("Group-A", kind: .symmetricKey), expectedETag: nil)
            try await database.saveRegistration(StorageFixtures.registration("member-1", operationId: "op-2", groupId: "Group-A"))

            #expect(try await database.disabledEnrollment(deviceId: "SOLO-1", shard: "hub-1") == nil)
            #expect(try await database.disabledEnrollment(deviceId: "member-1", shard: "hub-1") == nil)
            let start = try await database.enrollmentDisablementSequence()

            enrollment.provisioningStatus = .disabled
            try await database.saveIndividualEnrollment(enrollment, expectedETag: nil)
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("Group-A", kind: .symmetricKey, status: .disabled),
                                                   expectedETag: nil)
            #expect(try await database.disabledEnrollment(deviceId: "solo-1", shard: "hub-1") == "enrollment solo-1 is disabled")
            #expect(try await database.disabledEnrollment(deviceId: "member-1", shard: "hub-1") == "enrollment group group-a is disabled")
            #expect(try await database.disabledEnrollment(deviceId: "member-1", shard: "hub-2") == nil, "registered on hub-1 only")
            #expect(try await database.disabledEnrollment(deviceId: "stranger", shard: "hub-1") == nil)

            let (latest, devices) = try await database.devicesOfDisabledEnrollments(after: start)
            #expect(latest == start + 2)
            #expect(devices.sorted() == ["member-1", "solo-1"])
            // Saving an already disabled group again journals nothing new.
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("Group-A", kind: .symmetricKey, status: .disabled),
                                                   expectedETag: nil)
            #expect(try await database.enrollmentDisablementSequence() == latest)
        }
    }
}
