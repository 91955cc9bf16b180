import Provisioning
import Storage
import Testing

@Suite("Durability and schema")
struct DurabilityTests {
    @Test("a second database opened on the same file reads what the first wrote, and the other way round")
    func secondConnection() async throws {
        try await withTemporaryDatabase { first, path in
            let enrollment = StorageFixtures.individualEnrollment("Durable-1")
            try await first.saveIndividualEnrollment(enrollment, expectedETag: nil)
            try await first.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("group-1"), expectedETag: nil)
            try await first.saveCACertificate(StorageFixtures.caCertificate("root"), expectedETag: nil)
            try await first.saveRegistration(StorageFixtures.registration("Durable-1", operationId: "op-1", groupId: nil))
            try await first.save(shard: "hub-1", device: StorageFixtures.device("Durable-1"), twin: StorageFixtures.twin())

            let second = try ProvisioDatabase(path: path)
            var expected = enrollment
            expected.registrationState = nil
            #expect(try await second.individualEnrollment(registrationId: "durable-1") == expected)
            #expect(try await second.enrollmentGroup(id: "GROUP-1") == StorageFixtures.enrollmentGroup("group-1"))
            #expect(try await second.caCertificate(name: "root") == StorageFixtures.caCertificate("root"))
            #expect(try await second.registration(operationId: "op-1")?.state.registrationId == "Durable-1")
            #expect(try await second.twin(shard: "hub-1", deviceId: "durable-1") == StorageFixtures.twin())

            try await second.deleteEnrollmentGroup(id: "group-1", expectedETag: "group-etag-1")
            #expect(try await first.enrollmentGroup(id: "group-1") == nil)
        }
    }

    @Test("records survive closing every connection")
    func reopen() async throws {
        try await withTemporaryDatabase { first, path in
            try await first.saveCACertificate(StorageFixtures.caCertificate("root"), expectedETag: nil)
            do {
                let second = try ProvisioDatabase(path: path)
                try await second.save(shard: "hub-1", device: StorageFixtures.device("d"), twin: StorageFixtures.twin())
            }
            let third = try ProvisioDatabase(path: path)
            #expect(try await third.caCertificates() == [StorageFixtures.caCertificate("root")])
            #expect(try await third.deviceCount(shard: "hub-1") == 1)
        }
    }

    @Test("v1 and v2 are applied first, in order, and the journal is WAL")
    func migrations() async throws {
        try await withTemporaryDatabase { database, path in
            let applied = try database.appliedMigrations()
            let journalMode = try database.journalMode()
            // Opening again must not re-run anything.
            let reopened = try ProvisioDatabase(path: path).appliedMigrations()
            // Later migrations may follow; these two must come first, in this order.
            #expect(Array(applied.prefix(2)) == ["v1-foundation", "v2-provisioning"])
            #expect(journalMode == "wal")
            #expect(reopened == applied)
        }
    }
}
