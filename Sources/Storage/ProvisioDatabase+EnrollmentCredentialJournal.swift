import GRDB

extension ProvisioDatabase {
    /// The enrollment journal also records enrollments and groups that are deleted or re-keyed (their attestation
    /// changed), so open DPS sessions they attested are closed, not only those of disabled ones. Triggers again, so
    /// every writer (service API, CLI, bulk import, another process) is covered. `change` tells what happened:
    /// only a disablement also ends the hub sessions of the devices registered through it (a hub device keeps its own
    /// credentials when its enrollment goes, as on Azure).
    static func registerEnrollmentCredentialJournalMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v13-enrollment-credential-journal") { db in
            try db.alter(table: "enrollment_disablement") { table in
                table.add(column: "change", .text).notNull().defaults(to: "disabled")
            }
            for (table, kind) in [("individual_enrollment", "individual"), ("enrollment_group", "group")] {
                try db.execute(sql: """
                    CREATE TRIGGER \(table)_deleted AFTER DELETE ON \(table)
                    BEGIN INSERT INTO enrollment_disablement (kind, id_key, change) VALUES ('\(kind)', OLD.id_key, 'deleted'); END;
                    CREATE TRIGGER \(table)_rekeyed AFTER UPDATE OF json ON \(table)
                    WHEN json_extract(NEW.json, '$.attestation') IS NOT json_extract(OLD.json, '$.attestation')
                    BEGIN INSERT INTO enrollment_disablement (kind, id_key, change) VALUES ('\(kind)', NEW.id_key, 'rekeyed'); END;
                    """)
            }
        }
    }
}
