import GRDB
import Hub

extension ProvisioDatabase: DeviceRegistry {
    /// One device of `shard`, matched case-insensitively by device id.
    public func device(shard: String, deviceId: String) async throws -> DeviceIdentity? {
        let key = Self.deviceKey(deviceId)
        // A one-row lookup on every C2D send and device request: on a hot-read connection, no thread hand-offs.
        return try readNow { db in
            guard let json = try String.fetchOne(
                db, sql: "SELECT identity_json FROM hub_device WHERE shard = ? AND device_key = ?", arguments: [shard, key])
            else { return nil }
            return try StoredJSON().decode(DeviceIdentity.self, from: json, record: Self.describeDevice(deviceId, shard: shard))
        }
    }

    /// One device's twin.
    public func twin(shard: String, deviceId: String) async throws -> DeviceTwin? {
        let key = Self.deviceKey(deviceId)
        return try await pool.read { db in
            guard let json = try String.fetchOne(
                db, sql: "SELECT twin_json FROM hub_device WHERE shard = ? AND device_key = ?", arguments: [shard, key])
            else { return nil }
            return try StoredJSON().decode(DeviceTwin.self, from: json, record: "twin of \(Self.describeDevice(deviceId, shard: shard))")
        }
    }

    /// A device and its twin from their one row.
    public func deviceAndTwin(shard: String, deviceId: String) async throws -> (DeviceIdentity?, DeviceTwin?) {
        let key = Self.deviceKey(deviceId)
        return try readNow { db in
            guard let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT identity_json, twin_json FROM hub_device WHERE shard = ? AND device_key = ?"),
                arguments: [shard, key])
            else { return (nil, nil) }
            let record = Self.describeDevice(deviceId, shard: shard)
            let coder = StoredJSON()
            let identity = try coder.decode(DeviceIdentity.self, from: row["identity_json"] as String, record: record)
            let twin = try coder.decode(DeviceTwin.self, from: row["twin_json"] as String, record: "twin of \(record)")
            return (identity, twin)
        }
    }

    /// Creates or replaces a device and its twin in one row, so both change in one transaction.
    public func save(shard: String, device: DeviceIdentity, twin: DeviceTwin) async throws {
        let coder = StoredJSON()
        let record = Self.describeDevice(device.deviceId, shard: shard)
        let identityJSON = try coder.encode(device, record: record)
        let twinJSON = try coder.encode(twin, record: "twin of \(record)")
        let key = Self.deviceKey(device.deviceId)
        try await pool.write { db in
            try db.execute(
                sql: """
                INSERT INTO hub_device (shard, device_key, identity_json, twin_json) VALUES (?, ?, ?, ?)
                ON CONFLICT(shard, device_key) DO UPDATE SET identity_json = excluded.identity_json, twin_json = excluded.twin_json
                """,
                arguments: [shard, key, identityJSON, twinJSON])
        }
    }

    /// Deletes a device and its twin; false when it did not exist.
    @discardableResult
    public func delete(shard: String, deviceId: String) async throws -> Bool {
        let key = Self.deviceKey(deviceId)
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM hub_device WHERE shard = ? AND device_key = ?", arguments: [shard, key])
            return db.changesCount > 0
        }
    }

    /// Number of devices on a shard.
    public func deviceCount(shard: String) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM hub_device WHERE shard = ?", arguments: [shard]) ?? 0
        }
    }

    /// The lookup key of a device id (matched case-insensitively, like the registration ids it comes from).
    private static func deviceKey(_ deviceId: String) -> String { deviceId.lowercased() }

    private static func describeDevice(_ deviceId: String, shard: String) -> String {
        "device '\(deviceId)' on shard '\(shard)'"
    }
}
