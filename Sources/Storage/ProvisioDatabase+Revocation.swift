import Foundation
import GRDB
import PKI

extension ProvisioDatabase: RevocationStore {
    /// Revokes every certificate `target` covers in one write transaction; device and enrollment ids match
    /// case-insensitively, as DPS ids do.
    public func revoke(_ target: RevocationTarget, reason: RevocationReason, at date: Date) async throws -> RevocationOutcome {
        let actor = AuditActor.current
        return try await pool.write { db in
            let rows: [Row]
            switch target {
            case .serialNumber(let serial):
                rows = try Row.fetchAll(db, sql: "SELECT * FROM issued_certificate WHERE serialNumber = ?", arguments: [serial])
            case .deviceId(let id):
                rows = try Row.fetchAll(db, sql: "SELECT * FROM issued_certificate WHERE lower(deviceId) = lower(?) ORDER BY rowid",
                                        arguments: [id])
            case .enrollmentId(let id):
                rows = try Row.fetchAll(db, sql: "SELECT * FROM issued_certificate WHERE lower(enrollmentId) = lower(?) ORDER BY rowid",
                                        arguments: [id])
            }
            guard !rows.isEmpty else {
                throw PKIError(code: .certificateNotFound, message: "no issued certificate matches \(target)")
            }
            var sequence = try Int64.fetchOne(db, sql: "SELECT MAX(revocationSequence) FROM issued_certificate") ?? 0
            var outcome = RevocationOutcome(revoked: [], alreadyRevoked: [])
            for row in rows {
                var entry = try Self.inventoryEntry(row)
                guard entry.revocation == nil else {
                    outcome.alreadyRevoked.append(entry)
                    continue
                }
                sequence += 1
                try db.execute(
                    sql: """
                    UPDATE issued_certificate SET status = ?, revokedAt = ?, revocationReason = ?, revocationSequence = ?
                    WHERE serialNumber = ?
                    """,
                    arguments: [CertificateStatus.revoked.rawValue, date, reason.rawValue, sequence, entry.record.serialNumber])
                entry.record.status = .revoked
                try self.appendAudit(entry.record.revocationAuditEvent(reason: reason, requested: target, actor: actor), at: Date(), db)
                entry.revocation = CertificateRevocation(serialNumber: entry.record.serialNumber, revocationDate: date, reason: reason)
                outcome.revoked.append(entry)
            }
            return outcome
        }
    }

    /// The inventory entry for a canonical serial number.
    public func certificateEntry(serialNumber: String) async throws -> CertificateInventoryEntry? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM issued_certificate WHERE serialNumber = ?", arguments: [serialNumber])
                .map(Self.inventoryEntry)
        }
    }

    /// Revoked certificates of one issuer, in revocation order.
    public func revokedCertificates(issuer: String) async throws -> [CertificateRevocation] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                SELECT serialNumber, revokedAt, revocationReason FROM issued_certificate
                WHERE issuer = ? AND revocationSequence IS NOT NULL ORDER BY revocationSequence
                """,
                arguments: [issuer]
            ).map { row in
                CertificateRevocation(serialNumber: row["serialNumber"], revocationDate: row["revokedAt"],
                                      reason: try Self.reason(row["revocationReason"]))
            }
        }
    }

    /// The highest revocation sequence number (0 before the first revocation).
    public func revocationSequence() async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(revocationSequence) FROM issued_certificate") ?? 0
        }
    }

    /// Entries revoked after `sequence`, oldest first.
    public func revocations(after sequence: Int64) async throws -> [(sequence: Int64, entry: CertificateInventoryEntry)] {
        try await pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM issued_certificate WHERE revocationSequence > ? ORDER BY revocationSequence",
                arguments: [sequence]
            ).map { row in (row["revocationSequence"], try Self.inventoryEntry(row)) }
        }
    }

    /// Increments and returns the CRL number of `issuer`.
    public func nextCRLNumber(issuer: String) async throws -> Int64 {
        try await pool.write { db in
            try db.execute(
                sql: """
                INSERT INTO crl_number (issuer, lastNumber) VALUES (?, 1)
                ON CONFLICT(issuer) DO UPDATE SET lastNumber = lastNumber + 1
                """,
                arguments: [issuer])
            return try Int64.fetchOne(db, sql: "SELECT lastNumber FROM crl_number WHERE issuer = ?", arguments: [issuer]) ?? 1
        }
    }

    /// Inventory entries matching `filter`, oldest first.
    public func issuedCertificates(matching filter: IssuedCertificateFilter, now: Date) async throws -> [CertificateInventoryEntry] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let deviceId = filter.deviceId {
            conditions.append("lower(deviceId) = lower(?)")
            _ = arguments.append(contentsOf: [deviceId])
        }
        if filter.revokedOnly {
            conditions.append("revocationSequence IS NOT NULL")
        }
        if let expiringBefore = filter.expiringBefore {
            conditions.append("revocationSequence IS NULL AND notAfter >= ? AND notAfter < ?")
            _ = arguments.append(contentsOf: [now, expiringBefore])
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM issued_certificate" + whereClause + " ORDER BY rowid"
        return try await pool.read { [arguments] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.inventoryEntry)
        }
    }

    private static func inventoryEntry(_ row: Row) throws -> CertificateInventoryEntry {
        let statusText: String = row["status"]
        guard let status = CertificateStatus(rawValue: statusText) else {
            throw StorageError(.corruptRecord, "certificate has unknown status \(statusText)")
        }
        let der: Data = row["der"]
        let serial: String = row["serialNumber"]
        let record = IssuedCertificateRecord(
            serialNumber: serial, subject: row["subject"], issuer: row["issuer"], profile: row["profile"],
            notBefore: row["notBefore"], notAfter: row["notAfter"], status: status, deviceId: row["deviceId"],
            enrollmentId: row["enrollmentId"], derBytes: Array(der))
        let revokedAt: Date? = row["revokedAt"]
        let revocation = try revokedAt.map { date in
            CertificateRevocation(serialNumber: serial, revocationDate: date, reason: try reason(row["revocationReason"]))
        }
        return CertificateInventoryEntry(record: record, revocation: revocation)
    }

    private static func reason(_ value: Int?) throws -> RevocationReason {
        guard let reason = RevocationReason(rawValue: value ?? 0) else {
            throw StorageError(.corruptRecord, "certificate has unknown revocation reason \(value ?? -1)")
        }
        return reason
    }
}
