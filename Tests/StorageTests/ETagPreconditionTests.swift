import Provisioning
@testable import Storage
import Testing

@Suite("If-Match check-and-set")
struct ETagPreconditionTests {
    private func status(_ operation: () async throws -> Void) async -> Int? {
        do {
            try await operation()
            return nil
        } catch let error as ProvisioningError {
            return error.status
        } catch {
            return -1
        }
    }

    @Test("a matching etag replaces the record")
    func match() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: "v1"), expectedETag: nil)
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: "v2"), expectedETag: "v1")
            #expect(try await database.individualEnrollment(registrationId: "dev")?.etag == "v2")
        }
    }

    @Test("a different etag is 412 and leaves the record unchanged")
    func mismatch() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: "v1"), expectedETag: nil)
            #expect(await status { try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: "v2"), expectedETag: "v0") } == 412)
            #expect(await status { try await database.deleteIndividualEnrollment(registrationId: "dev", expectedETag: "v0") } == 412)
            #expect(try await database.individualEnrollment(registrationId: "dev")?.etag == "v1")
        }
    }

    @Test("an expected etag on a missing record is 404")
    func missing() async throws {
        try await withTemporaryDatabase { database, _ in
            #expect(await status { try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev"), expectedETag: "v1") } == 404)
            #expect(await status { try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev"), expectedETag: "*") } == 404)
            #expect(await status { try await database.deleteIndividualEnrollment(registrationId: "dev", expectedETag: "v1") } == 404)
            let count = try await database.individualEnrollmentCount()
            #expect(count == 0)
        }
    }

    @Test("* and \"*\" match any existing record")
    func wildcard() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: "v1"), expectedETag: nil)
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: "v2"), expectedETag: "*")
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: "v3"), expectedETag: "\"*\"")
            #expect(try await database.individualEnrollment(registrationId: "dev")?.etag == "v3")
            try await database.deleteIndividualEnrollment(registrationId: "dev", expectedETag: "*")
            #expect(try await database.individualEnrollmentCount() == 0)
        }
    }

    @Test("quoted and unquoted etags match either way round")
    func quoting() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: "v1"), expectedETag: nil)
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: "\"v2\""), expectedETag: "\"v1\"")
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: "v3"), expectedETag: "v2")
            // Only one pair of quotes is ignored.
            #expect(await status { try await database.deleteIndividualEnrollment(registrationId: "dev", expectedETag: "\"\"v3\"\"") } == 412)
            try await database.deleteIndividualEnrollment(registrationId: "dev", expectedETag: "\"v3\"")
        }
    }

    @Test("a record stored without an etag fails every etag but *")
    func storedWithoutETag() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: nil), expectedETag: nil)
            #expect(await status { try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev"), expectedETag: "v1") } == 412)
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev", etag: "v1"), expectedETag: "*")
        }
    }

    @Test("unquoting strips exactly one surrounding pair")
    func unquoting() {
        #expect(ETagPrecondition.unquoted("\"abc\"") == "abc")
        #expect(ETagPrecondition.unquoted("abc") == "abc")
        #expect(ETagPrecondition.unquoted("\"\"abc\"\"") == "\"abc\"")
        #expect(ETagPrecondition.unquoted("\"") == "\"")
        #expect(ETagPrecondition.unquoted("\"\"") == "")
        #expect(ETagPrecondition.unquoted("\"abc") == "\"abc")
    }

    @Test("groups, CA certificates and registrations follow the same rules")
    func otherRecords() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("g"), expectedETag: nil)
            #expect(await status { try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("g"), expectedETag: "nope") } == 412)
            #expect(await status { try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("h"), expectedETag: "*") } == 404)
            try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("G"), expectedETag: "\"group-etag-1\"")
            #expect(await status { try await database.deleteEnrollmentGroup(id: "g", expectedETag: "nope") } == 412)
            try await database.deleteEnrollmentGroup(id: "g", expectedETag: "group-etag-1")

            try await database.saveCACertificate(StorageFixtures.caCertificate("root"), expectedETag: nil)
            #expect(await status { try await database.saveCACertificate(StorageFixtures.caCertificate("root"), expectedETag: "nope") } == 412)
            #expect(await status { try await database.saveCACertificate(StorageFixtures.caCertificate("other"), expectedETag: "ca-etag-1") } == 404)
            try await database.saveCACertificate(StorageFixtures.caCertificate("ROOT"), expectedETag: "ca-etag-1")
            #expect(await status { try await database.deleteCACertificate(name: "root", expectedETag: "nope") } == 412)
            try await database.deleteCACertificate(name: "root", expectedETag: "\"ca-etag-1\"")

            try await database.saveRegistration(StorageFixtures.registration("dev", operationId: "op-1", groupId: nil))
            #expect(await status { try await database.deleteRegistration(registrationId: "dev", expectedETag: "nope") } == 412)
            try await database.deleteRegistration(registrationId: "DEV", expectedETag: "reg-etag-1")
        }
    }
}
