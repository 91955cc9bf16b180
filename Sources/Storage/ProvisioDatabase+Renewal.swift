import Foundation
import GRDB
import PKI

extension ProvisioDatabase: CertificateSuccessionStore {
    /// Certificate renewal links (`supersededBy`), and a journal of enrollments and groups becoming disabled that
    /// the hubs watch; triggers fill the journal, so every writer (service API, CLI, bulk import) is covered.
    static func registerRenewalMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-renewal-and-enrollment-status") { db in
            try db.alter(table: "issued_certificate") { table in
                table.add(column: "supersededBy", .text)
            }
            try db.create(table: "enrollment_disablement") { table in
                table.autoIncrementedPrimaryKey("sequence")
                table.column("kind", .text).notNull()
                table.column("id_key", .text).notNull()
            }
            for (table, kind) in [("individual_enrollment", "individual"), ("enrollment_group", "group")] {
                try db.execute(sql: """
                    CREATE TRIGGER \(table)_disabled_on_insert AFTER INSERT ON \(table)
                    WHEN NEW.provisioning_status = 'disabled'
                    BEGIN INSERT INTO enrollment_disablement (kind, id_key) VALUES ('\(kind)', NEW.id_key); END;
                    CREATE TRIGGER \(table)_disabled_on_update AFTER UPDATE OF provisioning_status ON \(table)
                    WHEN NEW.provisioning_status = 'disabled' AND OLD.provisioning_status IS NOT 'disabled'
                    BEGIN INSERT INTO enrollment_disablement (kind, id_key) VALUES ('\(kind)', NEW.id_key); END;
                    """)
            }
            // Hubs find a device's registration (and so its enrollment) by device id at CONNECT.
            try db.execute(sql: """
                CREATE INDEX registration_on_device_id ON registration (lower(json_extract(json, '$.state.deviceId')))
                """)
        }
    }

    /// The device's current certificates other than `excluding`.
    public func currentCertificates(deviceId: String, excluding serialNumber: String, now: Date) async throws -> [IssuedCertificateRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                SELECT * FROM issued_certificate
                WHERE lower(deviceId) = lower(?) AND serialNumber != ? AND status = ? AND notAfter > ?
                ORDER BY rowid
                """,
                arguments: [deviceId, serialNumber, CertificateStatus.active.rawValue, now]
            ).map(Self.issuedCertificateRecord)
        }
    }

    /// Links the certificates to their successor; revoked ones keep their status.
    public func markSuperseded(_ serialNumbers: [String], by successor: String) async throws {
        guard !serialNumbers.isEmpty else { return }
        try await pool.write { db in
            for serial in serialNumbers {
                try db.execute(
                    sql: """
                    UPDATE issued_certificate SET supersededBy = ?,
                        status = CASE WHEN status = ? THEN status ELSE ? END
                    WHERE serialNumber = ?
                    """,
                    arguments: [successor, CertificateStatus.revoked.rawValue, CertificateStatus.superseded.rawValue, serial])
            }
        }
    }

    /// The successor's serial number.
    public func successor(of serialNumber: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT supersededBy FROM issued_certificate WHERE serialNumber = ?", arguments: [serialNumber])
        }
    }

    private static func issuedCertificateRecord(_ row: Row) throws -> IssuedCertificateRecord {
        let statusText: String = row["status"]
        guard let status = CertificateStatus(rawValue: statusText) else {
            throw StorageError(.corruptRecord, "certificate has unknown status \(statusText)")
        }
        let der: Data = row["der"]
        return IssuedCertificateRecord(
            serialNumber: row["serialNumber"], subject: row["subject"], issuer: row["issuer"], profile: row["profile"],
            notBefore: row["notBefore"], notAfter: row["notAfter"], status: status, deviceId: row["deviceId"],
            enrollmentId: row["enrollmentId"], derBytes: Array(der))
    }
}
