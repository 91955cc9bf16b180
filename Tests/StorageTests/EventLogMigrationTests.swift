import Foundation
import GRDB
import Routing
@testable import Storage
import Testing

@Suite("Event log migration")
struct EventLogMigrationTests {
    @Test("v10 keeps every event of the rowid event log, and appends continue after them")
    func clusteredKeepsEvents() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("provisio-v10-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("provisio.sqlite").path
        do {
            let queue = try DatabaseQueue(path: path)
            try ProvisioDatabase.migrator.migrate(queue, upTo: "v6-audit-log")
            try await queue.write { db in
                for number in 0..<3 {
                    try db.execute(sql: """
                        INSERT INTO event_log (shard, endpoint, partition, sequence_number, enqueued_time, device_id, module_id, size, body,
                                               properties_json, system_properties_json)
                        VALUES ('hub-1', 'events', 1, ?, 1700000000, 'dev', NULL, 10, ?, '{"n":"\(number)"}', '{}')
                        """, arguments: [number, Data("body-\(number)".utf8)])
                }
                try db.execute(sql: """
                    INSERT INTO event_partition (shard, endpoint, partition, last_sequence_number, total_bytes) VALUES ('hub-1', 'events', 1, 2, 30)
                    """)
            }
        }
        let database = try ProvisioDatabase(path: path)
        let before = try await database.events(shard: "hub-1", endpoint: "events", partition: 1, from: 0, limit: 10)
        #expect(before.map(\.sequenceNumber) == [0, 1, 2])
        #expect(before.map { String(decoding: $0.record.body, as: UTF8.self) } == ["body-0", "body-1", "body-2"])
        #expect(before.last?.record.properties == ["n": "2"])
        let stored = try await database.commitRouting(shard: "hub-1", appends: [
            EventAppend(endpoint: "events", partition: 1, record: EventRecord(deviceId: "dev", body: [], properties: [:], systemProperties: [:])),
        ], cursors: [:], enqueuedTime: Date())
        #expect(stored.map(\.sequenceNumber) == [3])
        let after = try await database.events(shard: "hub-1", endpoint: "events", partition: 1, from: 3, limit: 10)
        #expect(after.first?.record.body == [], "an empty body is stored as an empty blob, not NULL")
    }
}
