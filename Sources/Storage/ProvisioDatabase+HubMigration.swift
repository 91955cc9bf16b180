import GRDB

extension ProvisioDatabase {
    /// v3: the hub shards' telemetry log, C2D queue and feedback records.
    static func registerHubMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v3-hub-messaging") { db in
            try db.create(table: "telemetry") { table in
                table.autoIncrementedPrimaryKey("sequence_number")
                table.column("shard", .text).notNull()
                table.column("device_id", .text).notNull()
                table.column("module_id", .text)
                table.column("enqueued_time", .datetime).notNull()
                table.column("body", .blob).notNull()
                table.column("properties_json", .text).notNull()
                table.column("system_properties_json", .text).notNull()
            }
            try db.create(index: "telemetry_on_shard", on: "telemetry", columns: ["shard", "sequence_number"])
            try db.create(table: "c2d_message") { table in
                table.primaryKey("id", .text)
                table.column("shard", .text).notNull()
                table.column("device_key", .text).notNull()
                table.column("expiry_time", .datetime).notNull()
                table.column("delivery_count", .integer).notNull().defaults(to: 0)
                table.column("json", .text).notNull()
            }
            try db.create(index: "c2d_message_on_device", on: "c2d_message", columns: ["shard", "device_key"])
            try db.create(index: "c2d_message_on_expiry", on: "c2d_message", columns: ["shard", "expiry_time"])
            try db.create(table: "c2d_feedback") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("shard", .text).notNull()
                table.column("json", .text).notNull()
            }
        }
    }

    /// v11: feedback records can be locked to one AMQP receiver (peek-lock) until completed or released.
    static func registerFeedbackLockMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11-feedback-locks") { db in
            try db.alter(table: "c2d_feedback") { table in
                table.add(column: "lock_token", .text)
                table.add(column: "locked_until", .double)
            }
            try PeekLockTable.feedback.createLockIndex(db)
        }
    }

    /// v12: file-upload notifications wait for the AMQP file-notification receiver in a table of the same shape.
    static func registerFileNotificationMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v12-file-notifications") { db in
            try PeekLockTable.fileNotifications.create(db)
        }
    }
}
