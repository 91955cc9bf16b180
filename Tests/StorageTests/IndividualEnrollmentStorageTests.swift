import Foundation
import Provisioning
import Storage
import Testing

@Suite("Individual enrollments")
struct IndividualEnrollmentStorageTests {
    @Test("round-trips every field except the registration state, which is not stored")
    func roundTrip() async throws {
        try await withTemporaryDatabase { database, _ in
            let enrollment = StorageFixtures.individualEnrollment("Sensor-01")
            try await database.saveIndividualEnrollment(enrollment, expectedETag: nil)

            var expected = enrollment
            expected.registrationState = nil
            let loaded = try #require(try await database.individualEnrollment(registrationId: "Sensor-01"))
            #expect(loaded == expected)
            #expect(loaded.initialTwin == StorageFixtures.initialTwin)
        }
    }

    @Test("looks up case-insensitively and keeps the original case")
    func caseInsensitiveLookup() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("MixedCase-Device"), expectedETag: nil)

            let loaded = try #require(try await database.individualEnrollment(registrationId: "mixedcase-DEVICE"))
            #expect(loaded.registrationId == "MixedCase-Device")
            #expect(try await database.individualEnrollment(registrationId: "other") == nil)

            // Saving under another case replaces the same record.
            var renamed = StorageFixtures.individualEnrollment("MIXEDCASE-device")
            renamed.deviceId = "replaced"
            try await database.saveIndividualEnrollment(renamed, expectedETag: nil)
            #expect(try await database.individualEnrollmentCount() == 1)
            #expect(try await database.individualEnrollment(registrationId: "mixedcase-device")?.deviceId == "replaced")
        }
    }

    @Test("pages 250 records in three ordered pages without duplicates")
    func paging() async throws {
        try await withTemporaryDatabase { database, _ in
            // Mixed case so the order must follow the lowercased key, not the stored spelling.
            let ids = (0..<250).map { index in index.isMultiple(of: 3) ? String(format: "Device-%03d", index) : String(format: "device-%03d", index) }
            for id in ids.shuffled() {
                try await database.saveIndividualEnrollment(StorageFixtures.symmetricKeyEnrollment(id), expectedETag: nil)
            }

            var pages: [[IndividualEnrollment]] = []
            var cursor: String?
            while true {
                let page = try await database.individualEnrollments(after: cursor, limit: 100)
                if page.isEmpty { break }
                pages.append(page)
                cursor = page.last?.registrationId
            }

            #expect(pages.map(\.count) == [100, 100, 50])
            let seen = pages.flatMap { $0 }.map(\.registrationId)
            #expect(seen == ids.sorted { $0.lowercased() < $1.lowercased() })
            #expect(Set(seen.map { $0.lowercased() }).count == 250)
        }
    }

    @Test("the cursor is exclusive and compared lowercased")
    func cursorIsExclusiveAndCaseInsensitive() async throws {
        try await withTemporaryDatabase { database, _ in
            for id in ["alpha", "Bravo", "charlie"] {
                try await database.saveIndividualEnrollment(StorageFixtures.symmetricKeyEnrollment(id), expectedETag: nil)
            }
            #expect(try await database.individualEnrollments(after: "BRAVO", limit: 10).map(\.registrationId) == ["charlie"])
            #expect(try await database.individualEnrollments(after: "b", limit: 10).map(\.registrationId) == ["Bravo", "charlie"])
            #expect(try await database.individualEnrollments(after: nil, limit: 2).map(\.registrationId) == ["alpha", "Bravo"])
            #expect(try await database.individualEnrollments(after: nil, limit: 0).isEmpty)
        }
    }

    @Test("delete removes the record; deleting a missing one is notFound")
    func deleteSemantics() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("gone"), expectedETag: nil)
            try await database.deleteIndividualEnrollment(registrationId: "GONE", expectedETag: nil)
            #expect(try await database.individualEnrollment(registrationId: "gone") == nil)
            #expect(try await database.individualEnrollmentCount() == 0)

            let error = await #expect(throws: ProvisioningError.self) {
                try await database.deleteIndividualEnrollment(registrationId: "gone", expectedETag: nil)
            }
            #expect(error?.status == 404)
        }
    }
}
