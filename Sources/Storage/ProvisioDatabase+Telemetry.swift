import Foundation
import GRDB
import Hub

extension ProvisioDatabase: TelemetryStore {
    /// Appends messages in one transaction (committed with `synchronous=FULL` before this returns).
    public func appendTelemetry(_ messages: [TelemetryMessage]) async throws -> [Int64] {
        let rows = messages.map { message in
            (message, PropertyMapJSON.encode(message.properties), PropertyMapJSON.encode(message.systemProperties),
             StoredDateText.string(message.enqueuedTime))
        }
        return try await pool.write { db in
            let statement = try db.cachedStatement(sql: """
                INSERT INTO telemetry (shard, device_id, module_id, enqueued_time, body, properties_json, system_properties_json)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            var sequenceNumbers: [Int64] = []
            sequenceNumbers.reserveCapacity(rows.count)
            for (message, properties, system, enqueued) in rows {
                try statement.execute(arguments: [message.shard, message.deviceId, message.moduleId, enqueued,
                                                  Data(message.body), properties, system])
                sequenceNumbers.append(db.lastInsertedRowID)
            }
            return sequenceNumbers
        }
    }

    /// Messages of a shard after a sequence number, oldest first.
    public func telemetry(shard: String, after sequenceNumber: Int64, limit: Int) async throws -> [StoredTelemetryMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM telemetry WHERE shard = ? AND sequence_number > ? ORDER BY sequence_number LIMIT ?
                """, arguments: [shard, sequenceNumber, limit]).map { row in
                let body: Data = row["body"]
                let propertiesText: String = row["properties_json"]
                let systemText: String = row["system_properties_json"]
                guard let properties = PropertyMapJSON.decode(propertiesText), let system = PropertyMapJSON.decode(systemText)
                else { throw StorageError(.corruptRecord, "telemetry message \(row["sequence_number"] as Int64) has unreadable properties") }
                return StoredTelemetryMessage(sequenceNumber: row["sequence_number"], message: TelemetryMessage(
                    shard: row["shard"], deviceId: row["device_id"], moduleId: row["module_id"], enqueuedTime: row["enqueued_time"],
                    body: Array(body), properties: properties, systemProperties: system))
            }
        }
    }
}
