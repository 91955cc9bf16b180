import Foundation
import GRDB
import PKI

extension ProvisioDatabase: CAGenerationStore {
    /// CA rotation: one row per CA generation (which root and issuing CA it pairs, when it activates, when it
    /// was retired). The CLI writes it; a running server watches it.
    static func registerCARotationMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v7-ca-rotation") { db in
            try db.create(table: "ca_generation") { table in
                table.primaryKey("number", .integer)
                table.column("rootName", .text).notNull()
                table.column("issuingName", .text).notNull().unique()
                table.column("createdAt", .datetime).notNull()
                table.column("activatesAt", .datetime).notNull()
                table.column("retiredAt", .datetime)
            }
        }
    }

    /// Every generation, by number.
    public func caGenerations() async throws -> [CAGenerationRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ca_generation ORDER BY number").map { row in
                CAGenerationRecord(number: row["number"], rootName: row["rootName"], issuingName: row["issuingName"],
                                   createdAt: row["createdAt"], activatesAt: row["activatesAt"], retiredAt: row["retiredAt"])
            }
        }
    }

    /// Adds a generation; a taken number (or issuing CA name) is a `PKIError.inconsistentHierarchy`. Every generation
    /// after the first is a rotation: its `ca.rotated` audit entry commits with it.
    public func addCAGeneration(_ record: CAGenerationRecord) async throws {
        do {
            try await pool.write { db in
                try db.execute(
                    sql: """
                    INSERT INTO ca_generation (number, rootName, issuingName, createdAt, activatesAt, retiredAt)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                    arguments: [record.number, record.rootName, record.issuingName, record.createdAt, record.activatesAt,
                                record.retiredAt])
                guard record.number > 1 else { return }
                try self.appendAudit(AuditEvent(
                    action: .caRotated, target: "ca/generation-\(record.number)",
                    details: ["root": record.rootName, "issuing": record.issuingName,
                              "activatesAt": record.activatesAt.formatted(.iso8601)]), at: record.createdAt, db)
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw PKIError(code: .inconsistentHierarchy, message: "CA generation \(record.number) already exists")
        }
    }

    /// Retires a generation and revokes its issuing CA certificate (cessationOfOperation) in one transaction, with
    /// the next revocation sequence number, so running servers reissue the root's CRL at once.
    public func retireCAGeneration(number: Int, issuingSerialNumber: String, at date: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE ca_generation SET retiredAt = ? WHERE number = ? AND retiredAt IS NULL",
                           arguments: [date, number])
            guard db.changesCount == 1 else {
                throw PKIError(code: .unknownGeneration, message: "there is no unretired CA generation \(number)")
            }
            try self.appendAudit(AuditEvent(
                action: .caRetired, target: "ca/generation-\(number)", details: ["issuingSerialNumber": issuingSerialNumber]),
                at: date, db)
            let revoked = try Bool.fetchOne(
                db, sql: "SELECT revokedAt IS NOT NULL FROM issued_certificate WHERE serialNumber = ?",
                arguments: [issuingSerialNumber])
            guard revoked == false else { return }  // not in the inventory, or already revoked
            let sequence = (try Int64.fetchOne(db, sql: "SELECT MAX(revocationSequence) FROM issued_certificate") ?? 0) + 1
            try db.execute(
                sql: """
                UPDATE issued_certificate SET status = ?, revokedAt = ?, revocationReason = ?, revocationSequence = ?
                WHERE serialNumber = ?
                """,
                arguments: [CertificateStatus.revoked.rawValue, date, RevocationReason.cessationOfOperation.rawValue, sequence,
                            issuingSerialNumber])
        }
    }
}
