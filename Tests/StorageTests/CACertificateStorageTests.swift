import Provisioning
import Storage
import Testing

@Suite("CA certificates")
struct CACertificateStorageTests {
    @Test("round-trips, looks up case-insensitively and lists by name")
    func roundTripAndList() async throws {
        try await withTemporaryDatabase { database, _ in
            var verified = StorageFixtures.caCertificate("Root-CA")
            verified.isVerified = true
            verified.verificationCode = nil
            let pending = StorageFixtures.caCertificate("backup-ca")
            try await database.saveCACertificate(verified, expectedETag: nil)
            try await database.saveCACertificate(pending, expectedETag: nil)

            #expect(try await database.caCertificate(name: "root-ca") == verified)
            #expect(try await database.caCertificate(name: "BACKUP-CA") == pending)
            #expect(try await database.caCertificates() == [pending, verified])
        }
    }

    @Test("delete removes the certificate; a missing one is notFound")
    func deleteSemantics() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveCACertificate(StorageFixtures.caCertificate("root"), expectedETag: nil)
            try await database.deleteCACertificate(name: "Root", expectedETag: nil)
            #expect(try await database.caCertificates().isEmpty)
            let error = await #expect(throws: ProvisioningError.self) {
                try await database.deleteCACertificate(name: "root", expectedETag: nil)
            }
            #expect(error?.status == 404)
        }
    }
}
