import Foundation
import GRDB
import Hub

extension ProvisioDatabase: HubEventStore {
    /// Appends hub-raised events in one transaction.
    public func appendHubEvents(_ events: [TelemetryMessage]) async throws {
        let rows = try events.map(Self.hubEventRow)
        try await pool.write { db in try Self.insertHubEvents(rows, db) }
    }

    /// Hub events of a shard after a sequence number, oldest first.
    public func hubEvents(shard: String, after sequenceNumber: Int64, limit: Int) async throws -> [StoredTelemetryMessage] {
        try await pool.read { db in
            let decoder = JSONDecoder()
            return try Row.fetchAll(db, sql: """
                SELECT * FROM hub_event WHERE shard = ? AND sequence_number > ? ORDER BY sequence_number LIMIT ?
                """, arguments: [shard, sequenceNumber, limit]).map { row in
                let body: Data = row["body"]
                let propertiesText: String = row["properties_json"]
                let systemText: String = row["system_properties_json"]
                guard let properties = try? decoder.decode([String: String].self, from: Data(propertiesText.utf8)),
                      let system = try? decoder.decode([String: String].self, from: Data(systemText.utf8))
                else { throw StorageError(.corruptRecord, "hub event \(row["sequence_number"] as Int64) has unreadable properties") }
                return StoredTelemetryMessage(sequenceNumber: row["sequence_number"], message: TelemetryMessage(
                    shard: row["shard"], deviceId: row["device_id"], moduleId: row["module_id"], enqueuedTime: row["enqueued_time"],
                    body: Array(body), properties: properties, systemProperties: system))
            }
        }
    }

    /// Saves a device and its twin (the same row `save(shard:device:twin:)` writes) and appends the events, atomically.
    public func save(shard: String, device: DeviceIdentity, twin: DeviceTwin, recording events: [TelemetryMessage]) async throws {
        let coder = StoredJSON()
        let record = "device '\(device.deviceId)' on shard '\(shard)'"
        let identityJSON = try coder.encode(device, record: record)
        let twinJSON = try coder.encode(twin, record: "twin of \(record)")
        let rows = try events.map(Self.hubEventRow)
        try await pool.write { db in
            try db.execute(
                sql: """
                INSERT INTO hub_device (shard, device_key, identity_json, twin_json) VALUES (?, ?, ?, ?)
                ON CONFLICT(shard, device_key) DO UPDATE SET identity_json = excluded.identity_json, twin_json = excluded.twin_json
                """,
                arguments: [shard, device.deviceId.lowercased(), identityJSON, twinJSON])
            try Self.insertHubEvents(rows, db)
        }
    }

    /// Deletes a device and appends the events when it existed, atomically.
    public func delete(shard: String, deviceId: String, recording events: [TelemetryMessage]) async throws -> Bool {
        let rows = try events.map(Self.hubEventRow)
        return try await pool.write { db in
            try db.execute(sql: "DELETE FROM hub_device WHERE shard = ? AND device_key = ?", arguments: [shard, deviceId.lowercased()])
            guard db.changesCount > 0 else { return false }
            try Self.insertHubEvents(rows, db)
            return true
        }
    }

    typealias HubEventRow = (message: TelemetryMessage, properties: String, system: String)

    static func hubEventRow(_ message: TelemetryMessage) throws -> HubEventRow {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (message, String(decoding: try encoder.encode(message.properties), as: UTF8.self),
                String(decoding: try encoder.encode(message.systemProperties), as: UTF8.self))
    }

    static func insertHubEvents(_ rows: [HubEventRow], _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO hub_event (shard, device_id, module_id, enqueued_time, body, properties_json, system_properties_json)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for (message, properties, system) in rows {
            try statement.execute(arguments: [message.shard, message.deviceId, message.moduleId, message.enqueuedTime,
                                              Data(message.body), properties, system])
        }
    }
}
