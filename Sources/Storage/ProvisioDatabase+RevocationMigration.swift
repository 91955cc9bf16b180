import GRDB

extension ProvisioDatabase {
    /// Certificate revocation: when and why each certificate was revoked, a growing sequence other processes can
    /// watch for new revocations, and the last CRL number issued per CA.
    static func registerRevocationMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5-certificate-revocation") { db in
            try db.alter(table: "issued_certificate") { table in
                table.add(column: "revokedAt", .datetime)
                table.add(column: "revocationReason", .integer)
                table.add(column: "revocationSequence", .integer)
            }
            // CRLs read one issuer's revoked rows; the monitor reads rows past a sequence number.
            try db.create(index: "issued_certificate_on_revocation", on: "issued_certificate",
                          columns: ["revocationSequence"], unique: true)
            try db.create(index: "issued_certificate_on_issuer_revocation", on: "issued_certificate",
                          columns: ["issuer", "revocationSequence"])
            try db.create(index: "issued_certificate_on_not_after", on: "issued_certificate", columns: ["notAfter"])
            try db.create(table: "crl_number") { table in
                table.primaryKey("issuer", .text)
                table.column("lastNumber", .integer).notNull()
            }
        }
    }
}
