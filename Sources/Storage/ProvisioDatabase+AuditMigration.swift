import GRDB

extension ProvisioDatabase {
    /// The audit log: append-only entries chained by hash, and the authenticated anchor naming the newest one.
    static func registerAuditMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v6-audit-log") { db in
            try db.create(table: "audit_entry") { table in
                table.primaryKey("sequence", .integer)
                table.column("timestamp_ms", .integer).notNull()
                table.column("actor", .text).notNull()
                table.column("action", .text).notNull()
                table.column("target", .text).notNull()
                table.column("details", .text).notNull()
                table.column("previous_hash", .text).notNull()
                table.column("entry_hash", .text).notNull()
                table.column("mac", .text).notNull()
            }
            try db.create(index: "audit_entry_on_timestamp", on: "audit_entry", columns: ["timestamp_ms"])
            try db.create(index: "audit_entry_on_action", on: "audit_entry", columns: ["action"])
            try db.create(table: "audit_anchor") { table in
                table.primaryKey("id", .integer).check { $0 == 1 }
                table.column("sequence", .integer).notNull()
                table.column("entry_hash", .text).notNull()
                table.column("mac", .text).notNull()
            }
            // Guards against mistakes, not attackers (who can drop triggers): entries are never changed or removed.
            try db.execute(sql: """
                CREATE TRIGGER audit_entry_append_only_update BEFORE UPDATE ON audit_entry
                BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
                CREATE TRIGGER audit_entry_append_only_delete BEFORE DELETE ON audit_entry
                BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
                """)
        }
    }
}
