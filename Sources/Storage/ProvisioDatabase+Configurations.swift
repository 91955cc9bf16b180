import Foundation
import GRDB
import Hub

extension ProvisioDatabase: ConfigurationStore {
    /// v15: automatic device configurations, one JSON row per shard and id, and import and export jobs.
    static func registerConfigurationMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v15-configurations") { db in
            try db.create(table: "hub_configuration") { table in
                table.column("shard", .text).notNull()
                table.column("configuration_id", .text).notNull()
                table.column("json", .text).notNull()
                table.primaryKey(["shard", "configuration_id"])
            }
            try createImportExportJobTable(db)
        }
    }

    /// Every configuration of a shard.
    public func configurations(shard: String) async throws -> [DeviceConfiguration] {
        try await pool.read { db in
            let coder = StoredJSON()
            return try Row.fetchAll(db, sql: "SELECT configuration_id, json FROM hub_configuration WHERE shard = ? ORDER BY configuration_id",
                                    arguments: [shard]).map { row in
                try coder.decode(DeviceConfiguration.self, from: row["json"], record: Self.describeConfiguration(row["configuration_id"], shard: shard))
            }
        }
    }

    /// One configuration.
    public func configuration(shard: String, id: String) async throws -> DeviceConfiguration? {
        try await pool.read { db in
            guard let json = try String.fetchOne(db, sql: "SELECT json FROM hub_configuration WHERE shard = ? AND configuration_id = ?",
                                                 arguments: [shard, id])
            else { return nil }
            return try StoredJSON().decode(DeviceConfiguration.self, from: json, record: Self.describeConfiguration(id, shard: shard))
        }
    }

    /// Creates or replaces a configuration.
    public func saveConfiguration(_ configuration: DeviceConfiguration, shard: String) async throws {
        let json = try StoredJSON().encode(configuration, record: Self.describeConfiguration(configuration.id, shard: shard))
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO hub_configuration (shard, configuration_id, json) VALUES (?, ?, ?)
                ON CONFLICT(shard, configuration_id) DO UPDATE SET json = excluded.json
                """, arguments: [shard, configuration.id, json])
        }
    }

    /// Deletes a configuration; false when it did not exist.
    @discardableResult
    public func deleteConfiguration(shard: String, id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM hub_configuration WHERE shard = ? AND configuration_id = ?", arguments: [shard, id])
            return db.changesCount > 0
        }
    }

    private static func describeConfiguration(_ id: String, shard: String) -> String {
        "configuration '\(id)' on shard '\(shard)'"
    }
}
