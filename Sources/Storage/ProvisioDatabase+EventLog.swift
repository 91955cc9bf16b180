import Foundation
import GRDB
import PKI
import Routing

/// An event's application and system properties as the JSON bytes its row stores.
struct EncodedProperties: Sendable {
    var application: [UInt8]
    var system: [UInt8]

    init(_ record: EventRecord) {
        application = PropertyMapJSON.bytes(record.properties)
        system = PropertyMapJSON.bytes(record.systemProperties)
    }
}

/// Event properties encoded ahead of a routing transaction: per commit, one per append, in append order.
public struct EncodedRouting: Sendable {
    /// The commits.
    var commits: [RoutingCommit]
    /// Each commit's events' properties, encoded, in `commits` order.
    var properties: [[EncodedProperties]]
}

extension ProvisioDatabase: EventLogStore {
    /// Appends to endpoint partitions and moves the source cursors in one transaction.
    @discardableResult
    public func commitRouting(shard: String, appends: [EventAppend], cursors: [String: Int64], enqueuedTime: Date) async throws -> [StoredEvent] {
        let encoded = appends.map { EncodedProperties($0.record) }
        return try await pool.write { db in
            let stored = try Self.append(appends, encoded, shard: shard, enqueuedTime: enqueuedTime, db)
            for (name, position) in cursors { try Self.storeCursor(shard: shard, name: name, position: position, db) }
            return stored
        }
    }

    /// Every shard's appends, cursors and consumed telemetry in one transaction.
    public func commitRouting(_ commits: [RoutingCommit], enqueuedTime: Date) async throws {
        try await commitPreparedRouting(prepareRouting(commits), enqueuedTime: enqueuedTime)
    }

    /// Encodes every event's properties ahead of the transaction.
    public func prepareRouting(_ commits: [RoutingCommit]) -> EncodedRouting {
        EncodedRouting(commits: commits, properties: commits.map { commit in commit.appends.map { EncodedProperties($0.record) } })
    }

    /// Commits prepared routing in one transaction.
    public func commitPreparedRouting(_ prepared: EncodedRouting, enqueuedTime: Date) async throws {
        let work = Self.routingWork(prepared, enqueuedTime: enqueuedTime)
        try await pool.write { db in try work(db) }
    }

    /// Commits prepared routing in one transaction on the calling thread (GRDB runs a synchronous write on the caller
    /// when the writer is free), with no hand-off to the writer's queue.
    public func commitPreparedRoutingBlocking(_ prepared: EncodedRouting, enqueuedTime: Date) throws {
        let work = Self.routingWork(prepared, enqueuedTime: enqueuedTime)
        try pool.write { db in try work(db) }
    }

    private static func routingWork(_ prepared: EncodedRouting, enqueuedTime: Date) -> @Sendable (Database) throws -> Void {
        let encoded = prepared.properties
        let commits = prepared.commits
        return { db in
            for (commit, properties) in zip(commits, encoded) {
                try append(commit.appends, properties, shard: commit.shard, enqueuedTime: enqueuedTime, returningEvents: false, db)
                for (name, position) in commit.cursors { try storeCursor(shard: commit.shard, name: name, position: position, db) }
                if let through = commit.consumedTelemetryThrough {
                    try db.cachedStatement(sql: "DELETE FROM telemetry WHERE shard = ? AND sequence_number <= ?")
                        .execute(arguments: [commit.shard, through])
                }
            }
        }
    }

    /// Appends events after their partitions' heads and moves the heads.
    @discardableResult
    private static func append(_ appends: [EventAppend], _ encoded: [EncodedProperties], shard: String, enqueuedTime: Date,
                               returningEvents: Bool = true, _ db: Database) throws -> [StoredEvent] {
        let time = enqueuedTime.timeIntervalSince1970
        var heads: [String: (last: Int64, bytes: Int64)] = [:]
        let insert = try db.cachedStatement(sql: """
            INSERT INTO event_log (shard, endpoint, partition, sequence_number, enqueued_time, device_id, module_id, size, body,
                                   properties_json, system_properties_json)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var stored: [StoredEvent] = []
        if returningEvents { stored.reserveCapacity(appends.count) }
        for (append, encodedProperties) in zip(appends, encoded) {
            let key = "\(append.endpoint)\u{0}\(append.partition)"
            var head = try heads[key] ?? Self.partitionHead(shard: shard, endpoint: append.endpoint, partition: append.partition, db)
            head.last += 1
            let size = Int64(append.record.body.count + encodedProperties.application.count + encodedProperties.system.count)
            head.bytes += size
            heads[key] = head
            try EventInsert.execute(insert, db, shard: shard, append: append, sequenceNumber: head.last, time: time, size: size,
                                    properties: encodedProperties)
            if returningEvents {
                stored.append(StoredEvent(partition: append.partition, sequenceNumber: head.last, enqueuedTime: enqueuedTime,
                                          record: append.record))
            }
        }
        let update = try db.cachedStatement(sql: """
            INSERT INTO event_partition (shard, endpoint, partition, last_sequence_number, total_bytes) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(shard, endpoint, partition) DO UPDATE
            SET last_sequence_number = excluded.last_sequence_number, total_bytes = excluded.total_bytes
            """)
        for (key, head) in heads {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            try update.execute(arguments: [shard, String(parts[0]), Int(parts[1]) ?? 0, head.last, head.bytes])
        }
        return stored
    }

    /// Events of a partition from a sequence number on.
    public func events(shard: String, endpoint: String, partition: Int, from sequenceNumber: Int64, limit: Int) async throws -> [StoredEvent] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM event_log WHERE shard = ? AND endpoint = ? AND partition = ? AND sequence_number >= ?
                ORDER BY sequence_number LIMIT ?
                """, arguments: [shard, endpoint, partition, sequenceNumber, limit]).map(Self.storedEvent)
        }
    }

    /// The first event at or after `time`, walking the partition in sequence order (the clustered key) so the scan stops
    /// at the first match: enqueue times rise with sequence numbers, and a clock step back cannot skip an event.
    public func firstSequenceNumber(shard: String, endpoint: String, partition: Int, enqueuedAtOrAfter time: Date) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT sequence_number FROM event_log WHERE shard = ? AND endpoint = ? AND partition = ? AND enqueued_time >= ?
                ORDER BY sequence_number LIMIT 1
                """, arguments: [shard, endpoint, partition, time.timeIntervalSince1970])
        }
    }

    /// First and last sequence numbers of each partition.
    public func partitionRanges(shard: String, endpoint: String, partitionCount: Int) async throws -> [EventPartitionRange] {
        try await pool.read { db in
            try (0..<partitionCount).map { partition in
                let last = try Int64.fetchOne(db, sql: """
                    SELECT last_sequence_number FROM event_partition WHERE shard = ? AND endpoint = ? AND partition = ?
                    """, arguments: [shard, endpoint, partition]) ?? -1
                let first = try Int64.fetchOne(db, sql: """
                    SELECT MIN(sequence_number) FROM event_log WHERE shard = ? AND endpoint = ? AND partition = ?
                    """, arguments: [shard, endpoint, partition]) ?? (last + 1)
                return EventPartitionRange(partition: partition, firstSequenceNumber: first, lastSequenceNumber: last)
            }
        }
    }

    /// A stored cursor.
    public func cursor(shard: String, name: String) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT position FROM routing_cursor WHERE shard = ? AND name = ?", arguments: [shard, name])
        }
    }

    /// Stores a cursor.
    public func setCursor(shard: String, name: String, position: Int64) async throws {
        try await pool.write { db in try Self.storeCursor(shard: shard, name: name, position: position, db) }
    }

    /// A consumer group's checkpoint.
    public func checkpoint(shard: String, endpoint: String, consumerGroup: String, partition: Int) async throws -> Int64? {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: """
                SELECT sequence_number FROM event_checkpoint WHERE shard = ? AND endpoint = ? AND consumer_group = ? AND partition = ?
                """, arguments: [shard, endpoint, consumerGroup, partition])
        }
    }

    /// Stores a checkpoint.
    public func setCheckpoint(shard: String, endpoint: String, consumerGroup: String, partition: Int, sequenceNumber: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO event_checkpoint (shard, endpoint, consumer_group, partition, sequence_number) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(shard, endpoint, consumer_group, partition) DO UPDATE SET sequence_number = excluded.sequence_number
                """, arguments: [shard, endpoint, consumerGroup, partition, sequenceNumber])
        }
    }

    /// Removes delivered events.
    public func removeEvents(shard: String, endpoint: String, partition: Int, through sequenceNumber: Int64) async throws {
        try await pool.write { db in
            let removed = try Int64.fetchOne(db, sql: """
                SELECT COALESCE(SUM(size), 0) FROM event_log WHERE shard = ? AND endpoint = ? AND partition = ? AND sequence_number <= ?
                """, arguments: [shard, endpoint, partition, sequenceNumber]) ?? 0
            try db.execute(sql: """
                DELETE FROM event_log WHERE shard = ? AND endpoint = ? AND partition = ? AND sequence_number <= ?
                """, arguments: [shard, endpoint, partition, sequenceNumber])
            try Self.subtractBytes(removed, shard: shard, endpoint: endpoint, partition: partition, db)
        }
    }

    /// Age, then size retention of one partition.
    @discardableResult
    public func applyRetention(shard: String, endpoint: String, partition: Int, enqueuedBefore cutoff: Date, maxBytes: Int) async throws -> Int {
        try await pool.write { db in
            let arguments: StatementArguments = [shard, endpoint, partition]
            // Enqueued times grow with sequence numbers within a partition: the first young event bounds the old ones.
            let firstYoung = try Int64.fetchOne(db, sql: """
                SELECT sequence_number FROM event_log WHERE shard = ? AND endpoint = ? AND partition = ? AND enqueued_time >= ?
                ORDER BY sequence_number LIMIT 1
                """, arguments: arguments + [cutoff.timeIntervalSince1970])
            // No young event at all: every retained one is old.
            var through = firstYoung.map { $0 - 1 } ?? Int64.max
            let total = try Int64.fetchOne(db, sql: """
                SELECT total_bytes FROM event_partition WHERE shard = ? AND endpoint = ? AND partition = ?
                """, arguments: arguments) ?? 0
            if total > maxBytes {
                var excess = total - Int64(maxBytes)
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT sequence_number, size FROM event_log WHERE shard = ? AND endpoint = ? AND partition = ? ORDER BY sequence_number
                    """, arguments: arguments)
                var bySize: Int64 = -1
                while excess > 0, let row = try rows.next() {
                    bySize = row["sequence_number"]
                    excess -= row["size"] as Int64
                }
                through = max(through, bySize)
            }
            guard through >= 0 else { return 0 }
            let removedBytes = try Int64.fetchOne(db, sql: """
                SELECT COALESCE(SUM(size), 0) FROM event_log WHERE shard = ? AND endpoint = ? AND partition = ? AND sequence_number <= ?
                """, arguments: arguments + [through]) ?? 0
            try db.execute(sql: """
                DELETE FROM event_log WHERE shard = ? AND endpoint = ? AND partition = ? AND sequence_number <= ?
                """, arguments: arguments + [through])
            let removed = db.changesCount
            try Self.subtractBytes(removedBytes, shard: shard, endpoint: endpoint, partition: partition, db)
            return removed
        }
    }

    /// Dead-letters events and moves the delivery cursor past them.
    public func deadLetter(shard: String, endpoint: String, events: [StoredEvent], attempts: Int, reason: String, cursor: String,
                           failedTime: Date) async throws {
        let encoded = events.map { event in (event, Self.encodedProperties(event.record)) }
        try await pool.write { db in
            for (event, (properties, system)) in encoded {
                try db.execute(sql: """
                    INSERT INTO event_dead_letter (shard, endpoint, partition, sequence_number, enqueued_time, attempts, reason, failed_time,
                                                   device_id, module_id, body, properties_json, system_properties_json)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [shard, endpoint, event.partition, event.sequenceNumber, event.enqueuedTime.timeIntervalSince1970,
                                     attempts, reason, failedTime.timeIntervalSince1970, event.record.deviceId, event.record.moduleId,
                                     Data(event.record.body), properties, system])
            }
            if let last = events.map(\.sequenceNumber).max() {
                try Self.storeCursor(shard: shard, name: cursor, position: last, db)
            }
        }
    }

    /// Dead letters of an endpoint.
    public func deadLetterCount(shard: String, endpoint: String) async throws -> Int {
        try await pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM event_dead_letter WHERE shard = ? AND endpoint = ?", arguments: [shard, endpoint]) ?? 0
        }
    }

    /// The newest dead letters of an endpoint.
    public func deadLetters(shard: String, endpoint: String, limit: Int) async throws -> [DeadLetter] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM event_dead_letter WHERE shard = ? AND endpoint = ? ORDER BY id DESC LIMIT ?
                """, arguments: [shard, endpoint, limit]).map { row in
                DeadLetter(event: try Self.storedEvent(row), attempts: row["attempts"], reason: row["reason"],
                           failedTime: Date(timeIntervalSince1970: row["failed_time"]))
            }
        }
    }

    /// The routing stored for a shard.
    public func routingConfiguration(shard: String) async throws -> RoutingConfiguration? {
        try await pool.read { db in
            guard let json = try String.fetchOne(db, sql: "SELECT json FROM routing_configuration WHERE shard = ?", arguments: [shard]) else {
                return nil
            }
            return try StoredJSON().decode(RoutingConfiguration.self, from: json, record: "routing of shard '\(shard)'")
        }
    }

    /// Stores a shard's routing.
    public func saveRoutingConfiguration(_ configuration: RoutingConfiguration, shard: String) async throws {
        let json = try StoredJSON().encode(configuration, record: "routing of shard '\(shard)'")
        let event = AuditEvent.routingSaved(configuration, json: json, shard: shard, actor: AuditActor.current)
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO routing_configuration (shard, json) VALUES (?, ?) ON CONFLICT(shard) DO UPDATE SET json = excluded.json
                """, arguments: [shard, json])
            try self.appendAudit(event, at: Date(), db)
        }
    }

    // MARK: Rows

    private static func partitionHead(shard: String, endpoint: String, partition: Int, _ db: Database) throws -> (last: Int64, bytes: Int64) {
        guard let row = try Row.fetchOne(db, sql: """
            SELECT last_sequence_number, total_bytes FROM event_partition WHERE shard = ? AND endpoint = ? AND partition = ?
            """, arguments: [shard, endpoint, partition])
        else { return (-1, 0) }
        return (row["last_sequence_number"], row["total_bytes"])
    }

    private static func storeCursor(shard: String, name: String, position: Int64, _ db: Database) throws {
        try db.execute(sql: """
            INSERT INTO routing_cursor (shard, name, position) VALUES (?, ?, ?)
            ON CONFLICT(shard, name) DO UPDATE SET position = excluded.position
            """, arguments: [shard, name, position])
    }

    private static func subtractBytes(_ bytes: Int64, shard: String, endpoint: String, partition: Int, _ db: Database) throws {
        guard bytes > 0 else { return }
        try db.execute(sql: """
            UPDATE event_partition SET total_bytes = MAX(0, total_bytes - ?) WHERE shard = ? AND endpoint = ? AND partition = ?
            """, arguments: [bytes, shard, endpoint, partition])
    }

    private static func encodedProperties(_ record: EventRecord) -> (String, String) {
        (PropertyMapJSON.encode(record.properties), PropertyMapJSON.encode(record.systemProperties))
    }

    private static func storedEvent(_ row: Row) throws -> StoredEvent {
        let body: Data = row["body"]
        let propertiesText: String = row["properties_json"]
        let systemText: String = row["system_properties_json"]
        guard let properties = PropertyMapJSON.decode(propertiesText), let system = PropertyMapJSON.decode(systemText)
        else { throw StorageError(.corruptRecord, "event \(row["sequence_number"] as Int64) has unreadable properties") }
        return StoredEvent(
            partition: row["partition"], sequenceNumber: row["sequence_number"],
            enqueuedTime: Date(timeIntervalSince1970: row["enqueued_time"]),
            record: EventRecord(deviceId: row["device_id"], moduleId: row["module_id"], body: Array(body), properties: properties,
                                systemProperties: system))
    }
}
