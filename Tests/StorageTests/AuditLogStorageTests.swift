import Foundation
import PKI
import Provisioning
import Routing
@testable import Storage
import Testing

@Suite("Audit log")
struct AuditLogStorageTests {
    @Test("appended entries chain from the genesis hash, list by filter and verify")
    func appendAndVerify() async throws {
        try await withTemporaryDatabase { database, _ in
            let first = try await AuditActor.$current.withValue("cli:alice") {
                try await database.append(AuditEvent(action: .caRotated, target: "ca/generation-2", details: ["generation": "2"]))
            }
            let second = try await database.append(AuditEvent(action: .caRetired, target: "ca/generation-1"))
            #expect(first.sequence == 1 && second.sequence == 2)
            #expect(first.previousHash == AuditChain.genesisHash)
            #expect(second.previousHash == first.entryHash)
            #expect(first.actor == "cli:alice" && second.actor == AuditActor.system)
            #expect(first.detailValues == ["generation": "2"])

            let verification = try await database.verifyAuditLog(expecting: nil)
            #expect(verification.isIntact)
            #expect(verification.entryCount == 2)
            #expect(verification.head == AuditHead(sequence: 2, entryHash: second.entryHash))
            #expect(try await database.verifyAuditLog(expecting: AuditHead(sequence: 1, entryHash: first.entryHash)).isIntact)

            #expect(try await database.auditEntries(matching: AuditFilter(action: "ca.retired")).map(\.sequence) == [2])
            #expect(try await database.auditEntries(matching: AuditFilter(action: "ca.")).map(\.sequence) == [1, 2])
            #expect(try await database.auditEntries(matching: AuditFilter(action: "ca.*", limit: 1)).map(\.sequence) == [2])
            #expect(try await database.auditEntries(matching: AuditFilter(target: "ca")).count == 2)
            #expect(try await database.auditEntries(matching: AuditFilter(target: "ca/generation-1")).map(\.sequence) == [2])
            #expect(try await database.auditEntries(matching: AuditFilter(since: Date().addingTimeInterval(3600))).isEmpty)
        }
    }

    @Test("an edited entry is reported by its sequence number, also when its hash was recomputed")
    func editedEntry() async throws {
        try await withTemporaryDatabase { database, path in
            try await appendEntries(5, to: database)
            try sqlite(path, #"DROP TRIGGER audit_entry_append_only_update; UPDATE audit_entry SET details = '{"n":"changed"}' WHERE sequence = 3;"#)
            let edited = try await database.verifyAuditLog(expecting: nil)
            #expect(edited.failure?.sequence == 3)
            #expect(edited.failure?.kind == .altered)

            // Recomputing the hash without the key does not help: the MAC no longer matches.
            let row = try #require(try await database.auditEntries(matching: AuditFilter()).first { $0.sequence == 3 })
            try sqlite(path, "UPDATE audit_entry SET entry_hash = '\(AuditChain.entryHash(of: row))' WHERE sequence = 3;")
            let rehashed = try await database.verifyAuditLog(expecting: nil)
            #expect(rehashed.failure?.sequence == 3)
            #expect(rehashed.failure?.kind == .altered)
        }
    }

    @Test("a removed middle entry is reported as missing")
    func removedMiddleEntry() async throws {
        try await withTemporaryDatabase { database, path in
            try await appendEntries(5, to: database)
            try await deleteEntries("sequence = 2", in: path)
            let result = try await database.verifyAuditLog(expecting: nil)
            #expect(result.failure?.sequence == 2)
            #expect(result.failure?.kind == .missing)
        }
    }

    @Test("removing the newest entries is detected through the anchor, and stays detected after new appends")
    func removedNewestEntries() async throws {
        try await withTemporaryDatabase { database, path in
            try await appendEntries(5, to: database)
            try await deleteEntries("sequence >= 4", in: path)
            let truncated = try await database.verifyAuditLog(expecting: nil)
            #expect(truncated.failure?.sequence == 4)
            #expect(truncated.failure?.kind == .missing)

            let next = try await database.append(AuditEvent(action: .policyChanged, target: "routing/hub-1"))
            #expect(next.sequence == 6)
            let afterAppend = try await database.verifyAuditLog(expecting: nil)
            #expect(afterAppend.failure?.sequence == 4)
        }
    }

    @Test("removing the newest entry together with the anchor is detected, and new appends do not hide it")
    func removedAnchor() async throws {
        try await withTemporaryDatabase { database, path in
            try await appendEntries(3, to: database)
            try await deleteEntries("sequence = 3", in: path)
            try sqlite(path, "DELETE FROM audit_anchor;")
            #expect(try await database.verifyAuditLog(expecting: nil).failure?.kind == .anchor)
            try await database.append(AuditEvent(action: .policyChanged, target: "routing/hub-1"))
            #expect(try await database.verifyAuditLog(expecting: nil).failure?.kind == .anchor)
        }
    }

    @Test("a forged anchor is refused; a head recorded elsewhere catches truncation on its own")
    func forgedAnchorAndRecordedHead() async throws {
        try await withTemporaryDatabase { database, path in
            try await appendEntries(4, to: database)
            let head = try #require(try await database.verifyAuditLog(expecting: nil).head)
            try await deleteEntries("sequence = 4", in: path)
            let third = try #require(try await database.auditEntries(matching: AuditFilter()).last)
            try sqlite(path, "UPDATE audit_anchor SET sequence = 3, entry_hash = '\(third.entryHash)';")
            let forged = try await database.verifyAuditLog(expecting: nil)
            #expect(forged.failure?.kind == .anchor)
            let recorded = try await database.verifyAuditLog(expecting: head)
            #expect(recorded.failure?.sequence == 4)
            #expect(recorded.failure?.kind == .missing)
        }
    }

    @Test("entries are append-only for ordinary SQL")
    func appendOnlyTriggers() async throws {
        try await withTemporaryDatabase { database, path in
            try await appendEntries(1, to: database)
            #expect(throws: (any Error).self) { try sqlite(path, "DELETE FROM audit_entry;") }
            #expect(throws: (any Error).self) { try sqlite(path, "UPDATE audit_entry SET actor = 'x';") }
            #expect(try await database.verifyAuditLog(expecting: nil).isIntact)
        }
    }

    @Test("two processes' connections appending at once keep one intact chain")
    func concurrentAppenders() async throws {
        try await withTemporaryDatabase { database, path in
            let other = try ProvisioDatabase(path: path)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in [database, other] {
                    group.addTask {
                        for index in 0..<40 {
                            try await writer.append(AuditEvent(action: .policyChanged, target: "routing/h\(index)"))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let result = try await database.verifyAuditLog(expecting: nil)
            #expect(result.isIntact)
            #expect(result.entryCount == 80)
        }
    }

    @Test("enrollment, group, CA certificate, certificate, revocation and routing writes append their entries")
    func repositoryWritesAreAudited() async throws {
        try await withTemporaryDatabase { database, _ in
            try await AuditActor.$current.withValue("service-api:provisioningserviceowner") {
                var enrollment = StorageFixtures.individualEnrollment("Dev-1")
                try await database.saveIndividualEnrollment(enrollment, expectedETag: nil)
                enrollment.provisioningStatus = .disabled
                try await database.saveIndividualEnrollment(enrollment, expectedETag: nil)
                try await database.deleteIndividualEnrollment(registrationId: "dev-1", expectedETag: nil)
                try await database.saveIndividualEnrollments([StorageFixtures.symmetricKeyEnrollment("bulk-1")])
                try await database.saveEnrollmentGroup(StorageFixtures.enrollmentGroup("g1"), expectedETag: nil)
                try await database.deleteEnrollmentGroup(id: "g1", expectedETag: nil)
                var ca = StorageFixtures.caCertificate("device-ca")
                try await database.saveCACertificate(ca, expectedETag: nil)
                ca.isVerified = true
                ca.verificationCode = nil
                try await database.saveCACertificate(ca, expectedETag: nil)
                try await database.deleteCACertificate(name: "device-ca", expectedETag: nil)
            }
            let certificate = IssuedCertificateRecord(
                serialNumber: "0a1b", subject: "CN=dev-1", issuer: "CN=Issuing", profile: "device-client",
                notBefore: Date(timeIntervalSince1970: 0), notAfter: Date(timeIntervalSince1970: 86_400), status: .active,
                deviceId: "dev-1", enrollmentId: "dev-1", derBytes: [0x30, 0x00])
            try await AuditActor.$current.withValue("device:dev-1") { try await database.record(certificate) }
            try await database.record(certificate)  // recording again is not a new issuance
            _ = try await database.revoke(.deviceId("DEV-1"), reason: .keyCompromise, at: Date())
            try await database.saveRoutingConfiguration(RoutingConfiguration(), shard: "hub-1")

            let entries = try await database.auditEntries(matching: AuditFilter())
            #expect(entries.map(\.action) == [
                "enrollment.created", "enrollment.updated", "enrollment.deleted", "enrollment.created",
                "enrollmentGroup.created", "enrollmentGroup.deleted",
                "caCertificate.created", "ca.verified", "caCertificate.deleted",
                "certificate.issued", "certificate.revoked", "policy.changed",
            ])
            #expect(entries[0].target == "enrollment/Dev-1")
            #expect(entries[0].actor == "service-api:provisioningserviceowner")
            #expect(entries[1].detailValues["provisioningStatus"] == "disabled")
            #expect(entries[1].detailValues["previousProvisioningStatus"] == "enabled")
            #expect(entries[9].actor == "device:dev-1")
            #expect(entries[9].detailValues["serialNumber"] == "0a1b")
            #expect(entries[10].detailValues["reason"] == "keyCompromise")
            #expect(entries[11].target == "routing/hub-1")
            for secret in ["cHJpbWFyeS1rZXktMDEyMzQ1Njc4OWFiY2RlZg==", "a2V5", "MIIBroot", "code=1"] {
                #expect(!entries.contains { $0.details.contains(secret) || $0.target.contains(secret) })
            }
            #expect(try await database.verifyAuditLog(expecting: nil).isIntact)
        }
    }

    @Test("a failed write appends nothing")
    func failedWriteAppendsNothing() async throws {
        try await withTemporaryDatabase { database, _ in
            try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev-1"), expectedETag: nil)
            await #expect(throws: (any Error).self) {
                try await database.saveIndividualEnrollment(StorageFixtures.individualEnrollment("dev-1"), expectedETag: "\"stale\"")
            }
            await #expect(throws: (any Error).self) {
                try await database.deleteEnrollmentGroup(id: "absent", expectedETag: nil)
            }
            #expect(try await database.auditEntries(matching: AuditFilter()).count == 1)
        }
    }

    @Test("the audit key is created once, 0600, and shared by every opening of the database")
    func auditKeyFile() async throws {
        try await withTemporaryDatabase { database, path in
            let keyFile = AuditKeyFile.url(forDatabaseAt: path)
            let attributes = try FileManager.default.attributesOfItem(atPath: keyFile.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            try await appendEntries(2, to: database)
            let reopened = try ProvisioDatabase(path: path)
            #expect(try await reopened.verifyAuditLog(expecting: nil).isIntact)
        }
    }

    private func appendEntries(_ count: Int, to database: ProvisioDatabase) async throws {
        for index in 1...count {
            try await database.append(AuditEvent(action: .policyChanged, target: "routing/hub-\(index)", details: ["n": String(index)]))
        }
    }

    private func deleteEntries(_ condition: String, in path: String) throws {
        try sqlite(path, "DROP TRIGGER IF EXISTS audit_entry_append_only_delete; DELETE FROM audit_entry WHERE \(condition);")
    }

    /// Runs SQL on the file with the `sqlite3` command-line tool, as someone tampering with it would.
    private func sqlite(_ path: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw StorageError(.corruptRecord, "sqlite3 failed: \(message)")
        }
    }
}
