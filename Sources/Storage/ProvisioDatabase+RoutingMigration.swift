import GRDB

extension ProvisioDatabase {
    /// v4: routing — hub-raised events, endpoint event logs by partition, cursors, checkpoints, dead letters and
    /// the stored routing of each shard.
    static func registerRoutingMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-routing") { db in
            // Twin-change, lifecycle and connection events: a durable source beside `telemetry`, read the same way.
            try db.create(table: "hub_event") { table in
                table.autoIncrementedPrimaryKey("sequence_number")
                table.column("shard", .text).notNull()
                table.column("device_id", .text).notNull()
                table.column("module_id", .text)
                table.column("enqueued_time", .datetime).notNull()
                table.column("body", .blob).notNull()
                table.column("properties_json", .text).notNull()
                table.column("system_properties_json", .text).notNull()
            }
            try db.create(index: "hub_event_on_shard", on: "hub_event", columns: ["shard", "sequence_number"])
            try db.create(table: "routing_configuration") { table in
                table.primaryKey("shard", .text)
                table.column("json", .text).notNull()
            }
            // Source positions (`telemetry`, `hub_event`) and delivery positions (`deliver:{endpoint}:{partition}`).
            try db.create(table: "routing_cursor") { table in
                table.column("shard", .text).notNull()
                table.column("name", .text).notNull()
                table.column("position", .integer).notNull()
                table.primaryKey(["shard", "name"])
            }
            // The head of each partition: sequence numbers are never reused, even after retention emptied it.
            try db.create(table: "event_partition") { table in
                table.column("shard", .text).notNull()
                table.column("endpoint", .text).notNull()
                table.column("partition", .integer).notNull()
                table.column("last_sequence_number", .integer).notNull()
                table.column("total_bytes", .integer).notNull().defaults(to: 0)
                table.primaryKey(["shard", "endpoint", "partition"])
            }
            try db.create(table: "event_log") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("shard", .text).notNull()
                table.column("endpoint", .text).notNull()
                table.column("partition", .integer).notNull()
                table.column("sequence_number", .integer).notNull()
                table.column("enqueued_time", .double).notNull()
                table.column("device_id", .text).notNull()
                table.column("module_id", .text)
                table.column("size", .integer).notNull()
                table.column("body", .blob).notNull()
                table.column("properties_json", .text).notNull()
                table.column("system_properties_json", .text).notNull()
            }
            try db.create(index: "event_log_position", on: "event_log", columns: ["shard", "endpoint", "partition", "sequence_number"],
                          unique: true)
            try db.create(table: "event_checkpoint") { table in
                table.column("shard", .text).notNull()
                table.column("endpoint", .text).notNull()
                table.column("consumer_group", .text).notNull()
                table.column("partition", .integer).notNull()
                table.column("sequence_number", .integer).notNull()
                table.primaryKey(["shard", "endpoint", "consumer_group", "partition"])
            }
            try db.create(table: "event_dead_letter") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("shard", .text).notNull()
                table.column("endpoint", .text).notNull()
                table.column("partition", .integer).notNull()
                table.column("sequence_number", .integer).notNull()
                table.column("enqueued_time", .double).notNull()
                table.column("attempts", .integer).notNull()
                table.column("reason", .text).notNull()
                table.column("failed_time", .double).notNull()
                table.column("device_id", .text).notNull()
                table.column("module_id", .text)
                table.column("body", .blob).notNull()
                table.column("properties_json", .text).notNull()
                table.column("system_properties_json", .text).notNull()
            }
            try db.create(index: "event_dead_letter_on_endpoint", on: "event_dead_letter", columns: ["shard", "endpoint", "id"])
        }
    }
}

extension ProvisioDatabase {
    /// v10: the event log clustered by its position. Every routed message is one row here; as a rowid table with an
    /// AUTOINCREMENT id and a unique index on the position, each insert wrote three B-trees (table, index and the
    /// AUTOINCREMENT counter). Keyed by (shard, endpoint, partition, sequence number) WITHOUT ROWID it writes one, and
    /// reads of a partition range scan it in order.
    static func registerClusteredEventLogMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-event-log-clustered") { db in
            try db.execute(sql: """
                CREATE TABLE event_log_clustered (
                    shard TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    sequence_number INTEGER NOT NULL,
                    enqueued_time DOUBLE NOT NULL,
                    device_id TEXT NOT NULL,
                    module_id TEXT,
                    size INTEGER NOT NULL,
                    body BLOB NOT NULL,
                    properties_json TEXT NOT NULL,
                    system_properties_json TEXT NOT NULL,
                    PRIMARY KEY (shard, endpoint, partition, sequence_number)
                ) WITHOUT ROWID;
                INSERT INTO event_log_clustered
                    SELECT shard, endpoint, partition, sequence_number, enqueued_time, device_id, module_id, size, body,
                           properties_json, system_properties_json
                    FROM event_log;
                DROP TABLE event_log;
                ALTER TABLE event_log_clustered RENAME TO event_log;
                """)
        }
    }
}
