import Foundation
import PKI
@testable import Storage
import Testing
import X509

@Suite("CA generations in SQLite")
struct CAGenerationStorageTests {
    @Test("rotation and retirement persist, audit in the same transaction, and put the retired issuing CA on the root's CRL")
    func rotateAndRetire() async throws {
        try await withTemporaryDatabase { database, path in
            let base = URL(fileURLWithPath: path).deletingLastPathComponent()
            let rotation = CARotation(
                directory: base.appendingPathComponent("ca", isDirectory: true),
                keyStore: FileCAKeyStore(directory: base.appendingPathComponent("keys", isDirectory: true)),
                configuration: .builtIn, profiles: .builtIn, inventory: database, store: database)
            let now = Date(timeIntervalSince1970: (Date().timeIntervalSince1970).rounded(.down))
            let first = try await rotation.load(now: now)
            let activation = now.addingTimeInterval(60)
            _ = try await rotation.rotate(newRoot: false, activatesAt: activation, now: now)
            await #expect(throws: PKIError.self) {
                try await database.addCAGeneration(CAGenerationRecord(number: 2, rootName: "root", issuingName: "issuing-x",
                                                                      createdAt: now, activatesAt: now))
            }

            let reopened = try ProvisioDatabase(path: path)
            let records = try await reopened.caGenerations()
            #expect(records.map(\.number) == [1, 2])
            #expect(records[1].rootName == "root" && records[1].issuingName == "issuing-2")
            #expect(records[1].activatesAt == activation)
            #expect(records[1].retiredAt == nil)

            let sequenceBefore = try await database.revocationSequence()
            _ = try await rotation.retire(generation: 1, now: activation.addingTimeInterval(1))
            #expect(try await reopened.caGenerations()[0].retiredAt == activation.addingTimeInterval(1))
            let issuing = first.generations[0].issuing.certificate
            let serial = SerialNumberText.canonical(bytes: issuing.serialNumber.bytes)
            let entry = try #require(try await database.certificateEntry(serialNumber: serial))
            #expect(entry.revocation?.reason == .cessationOfOperation)
            #expect(try await database.revocationSequence() == sequenceBefore + 1)
            let onRootCRL = try await database.revokedCertificates(issuer: String(describing: issuing.issuer))
            #expect(onRootCRL.map(\.serialNumber) == [serial])
            await #expect(throws: PKIError.self) {
                try await database.retireCAGeneration(number: 1, issuingSerialNumber: serial, at: now)
            }

            let audit = try await database.auditEntries(matching: AuditFilter(action: "ca."))
            #expect(audit.filter { $0.action == "ca.rotated" }.map(\.target) == ["ca/generation-2"])
            #expect(audit.filter { $0.action == "ca.retired" }.map(\.target) == ["ca/generation-1"])
            #expect(try await database.verifyAuditLog(expecting: nil).isIntact)
        }
    }
}
