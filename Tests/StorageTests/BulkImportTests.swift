import Foundation
import Provisioning
import Storage
import Testing

@Suite("Bulk import")
struct BulkImportTests {
    @Test("saves 10,000 enrollments in one call")
    func tenThousand() async throws {
        try await withTemporaryDatabase { database, _ in
            let enrollments = (0..<10_000).map { StorageFixtures.symmetricKeyEnrollment(String(format: "Bulk-%05d", $0)) }
            try await database.saveIndividualEnrollments(enrollments)

            #expect(try await database.individualEnrollmentCount() == 10_000)
            #expect(try await database.individualEnrollment(registrationId: "bulk-04321") == enrollments[4321])
            #expect(try await database.individualEnrollments(after: "bulk-09997", limit: 10).map(\.registrationId) == ["Bulk-09998", "Bulk-09999"])
        }
    }

    @Test("replaces existing enrollments and strips the registration state")
    func replaces() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveIndividualEnrollments([StorageFixtures.symmetricKeyEnrollment("a"), StorageFixtures.symmetricKeyEnrollment("b")])
            let replacement = StorageFixtures.individualEnrollment("A")
            try await database.saveIndividualEnrollments([replacement, StorageFixtures.symmetricKeyEnrollment("c")])
            try await database.saveIndividualEnrollments([])

            var expected = replacement
            expected.registrationState = nil
            #expect(try await database.individualEnrollmentCount() == 3)
            #expect(try await database.individualEnrollment(registrationId: "a") == expected)
        }
    }
}
