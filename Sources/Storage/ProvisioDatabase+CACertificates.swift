import Foundation
import GRDB
import PKI
import Provisioning

extension ProvisioDatabase {
    static let caCertificateTable = KeyedRecordTable(name: "ca_certificate", noun: "CA certificate")

    /// One uploaded CA certificate, matched case-insensitively by name.
    public func caCertificate(name: String) async throws -> CACertificate? {
        let table = Self.caCertificateTable
        return try await pool.read { db in try table.record(CACertificate.self, db, id: name) }
    }

    /// Creates or replaces an uploaded CA certificate; `expectedETag` is checked in the same transaction.
    public func saveCACertificate(_ certificate: CACertificate, expectedETag: String?) async throws {
        let table = Self.caCertificateTable
        let json = try StoredJSON().encode(certificate, record: table.describe(certificate.name))
        let key = KeyedRecordTable.key(certificate.name)
        let precondition = ETagPrecondition(expected: expectedETag)
        let actor = AuditActor.current
        try await pool.write { db in
            try table.check(precondition, db, id: certificate.name)
            let previous = try table.record(CACertificate.self, db, id: certificate.name)
            try db.execute(
                sql: """
                INSERT INTO ca_certificate (id_key, json, etag) VALUES (?, ?, ?)
                ON CONFLICT(id_key) DO UPDATE SET json = excluded.json, etag = excluded.etag
                """,
                arguments: [key, json, certificate.etag])
            try self.appendAudit(.caCertificateSaved(certificate, previous: previous, actor: actor), at: Date(), db)
        }
    }

    /// Deletes an uploaded CA certificate; `notFound` when absent, `preconditionFailed` on an etag mismatch.
    public func deleteCACertificate(name: String, expectedETag: String?) async throws {
        let table = Self.caCertificateTable
        let precondition = ETagPrecondition(expected: expectedETag)
        let actor = AuditActor.current
        try await pool.write { db in
            try table.delete(db, id: name, precondition: precondition)
            try self.appendAudit(.caCertificateDeleted(name: name, actor: actor), at: Date(), db)
        }
    }

    /// Every uploaded CA certificate, ordered by lowercased name.
    public func caCertificates() async throws -> [CACertificate] {
        let table = Self.caCertificateTable
        return try await pool.read { db in
            try table.records(CACertificate.self, db, sql: "SELECT id_key, json FROM ca_certificate ORDER BY id_key")
        }
    }
}
