import Foundation
import GRDB
import PKI

extension ProvisioDatabase: CertificateInventory {
    /// Records an issued certificate (durable when this returns).
    public func record(_ certificate: IssuedCertificateRecord) async throws {
        let event = certificate.issuanceAuditEvent()
        try await pool.write { db in
            let isNew = try Int.fetchOne(
                db, sql: "SELECT 1 FROM issued_certificate WHERE serialNumber = ?", arguments: [certificate.serialNumber]) == nil
            try db.execute(
                sql: """
                INSERT INTO issued_certificate (serialNumber, subject, issuer, profile, notBefore, notAfter, status, deviceId, enrollmentId, der)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(serialNumber) DO UPDATE SET status = excluded.status
                """,
                arguments: [certificate.serialNumber, certificate.subject, certificate.issuer, certificate.profile,
                            certificate.notBefore, certificate.notAfter, certificate.status.rawValue,
                            certificate.deviceId, certificate.enrollmentId, Data(certificate.derBytes)])
            if isNew { try self.appendAudit(event, at: Date(), db) }
        }
    }

    /// Every recorded certificate, oldest first.
    public func certificates() async throws -> [IssuedCertificateRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM issued_certificate ORDER BY rowid").map { row in
                let statusText: String = row["status"]
                guard let status = CertificateStatus(rawValue: statusText) else {
                    throw StorageError(.corruptRecord, "certificate has unknown status \(statusText)")
                }
                let der: Data = row["der"]
                return IssuedCertificateRecord(
                    serialNumber: row["serialNumber"], subject: row["subject"], issuer: row["issuer"],
                    profile: row["profile"], notBefore: row["notBefore"], notAfter: row["notAfter"],
                    status: status, deviceId: row["deviceId"], enrollmentId: row["enrollmentId"],
                    derBytes: Array(der))
            }
        }
    }
}
