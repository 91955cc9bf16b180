import GRDB
import Hub

extension ProvisioDatabase: ModuleRegistry {
    /// v4: module identities and their twins.
    static func registerModuleMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v4-hub-modules") { db in
            try db.create(table: "hub_module") { table in
                table.column("shard", .text).notNull()
                table.column("device_key", .text).notNull()
                table.column("module_key", .text).notNull()
                table.column("identity_json", .text).notNull()
                table.column("twin_json", .text).notNull()
                table.primaryKey(["shard", "device_key", "module_key"])
            }
        }
    }

    /// One module of a device.
    public func module(shard: String, deviceId: String, moduleId: String) async throws -> DeviceIdentity? {
        try await moduleColumn("identity_json", shard: shard, deviceId: deviceId, moduleId: moduleId, as: DeviceIdentity.self)
    }

    /// One module's twin.
    public func moduleTwin(shard: String, deviceId: String, moduleId: String) async throws -> DeviceTwin? {
        try await moduleColumn("twin_json", shard: shard, deviceId: deviceId, moduleId: moduleId, as: DeviceTwin.self)
    }

    /// Creates or replaces a module and its twin in one row.
    public func saveModule(shard: String, module: DeviceIdentity, twin: DeviceTwin) async throws {
        guard let moduleId = module.moduleId else { throw StorageError(.corruptRecord, "a module identity needs a module id") }
        let coder = StoredJSON()
        let record = "module \(module.deviceId)/\(moduleId) on \(shard)"
        let identityJSON = try coder.encode(module, record: record)
        let twinJSON = try coder.encode(twin, record: "twin of \(record)")
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO hub_module (shard, device_key, module_key, identity_json, twin_json) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(shard, device_key, module_key) DO UPDATE SET identity_json = excluded.identity_json, twin_json = excluded.twin_json
                """, arguments: [shard, module.deviceId.lowercased(), moduleId.lowercased(), identityJSON, twinJSON])
        }
    }

    /// Deletes a module.
    public func deleteModule(shard: String, deviceId: String, moduleId: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM hub_module WHERE shard = ? AND device_key = ? AND module_key = ?",
                           arguments: [shard, deviceId.lowercased(), moduleId.lowercased()])
            return db.changesCount > 0
        }
    }

    /// A device's modules.
    public func modules(shard: String, deviceId: String) async throws -> [DeviceIdentity] {
        try await pool.read { db in
            try String.fetchAll(db, sql: "SELECT identity_json FROM hub_module WHERE shard = ? AND device_key = ? ORDER BY module_key",
                                arguments: [shard, deviceId.lowercased()]).map {
                try StoredJSON().decode(DeviceIdentity.self, from: $0, record: "a module of \(deviceId) on \(shard)")
            }
        }
    }

    /// Deletes a device's modules.
    public func deleteModules(shard: String, deviceId: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM hub_module WHERE shard = ? AND device_key = ?", arguments: [shard, deviceId.lowercased()])
        }
    }

    private func moduleColumn<T: Decodable & Sendable>(_ column: String, shard: String, deviceId: String, moduleId: String, as type: T.Type) async throws -> T? {
        try await pool.read { db in
            guard let json = try String.fetchOne(
                db, sql: "SELECT \(column) FROM hub_module WHERE shard = ? AND device_key = ? AND module_key = ?",
                arguments: [shard, deviceId.lowercased(), moduleId.lowercased()])
            else { return nil }
            return try StoredJSON().decode(T.self, from: json, record: "module \(deviceId)/\(moduleId) on \(shard)")
        }
    }
}
