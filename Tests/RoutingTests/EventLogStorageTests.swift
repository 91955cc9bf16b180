import Foundation
import Routing
import Storage
import Testing

/// The SQLite event log: sequence numbers per partition, cursors moved with appends, checkpoints, retention, dead letters.
@Suite("Event log storage")
struct EventLogStorageTests {
    private func record(_ deviceId: String, _ text: String = "x") -> EventRecord {
        EventRecord(deviceId: deviceId, body: Array(text.utf8), properties: ["k": "v"], systemProperties: ["content-type": "text/plain"])
    }

    @Test("appends number each partition from 0 and move cursors in the same transaction")
    func append() async throws {
        try await withRoutingDatabase { database, path in
            let time = Date(timeIntervalSince1970: 1_700_000_000)
            let stored = try await database.commitRouting(shard: "hub-1", appends: [
                EventAppend(endpoint: "events", partition: 0, record: record("a", "1")),
                EventAppend(endpoint: "events", partition: 0, record: record("a", "2")),
                EventAppend(endpoint: "events", partition: 2, record: record("b", "3")),
                EventAppend(endpoint: "other", partition: 0, record: record("a", "4")),
            ], cursors: ["source:telemetry": 42], enqueuedTime: time)
            #expect(stored.map(\.sequenceNumber) == [0, 1, 0, 0])
            let reopened = try ProvisioDatabase(path: path)
            #expect(try await reopened.cursor(shard: "hub-1", name: "source:telemetry") == 42)
            let events = try await reopened.events(shard: "hub-1", endpoint: "events", partition: 0, from: 0, limit: 10)
            #expect(events.map { String(decoding: $0.record.body, as: UTF8.self) } == ["1", "2"])
            #expect(events[0].record.properties == ["k": "v"])
            #expect(events[0].enqueuedTime == time)
            #expect(try await reopened.events(shard: "hub-1", endpoint: "events", partition: 0, from: 1, limit: 10).count == 1)
            let ranges = try await reopened.partitionRanges(shard: "hub-1", endpoint: "events", partitionCount: 4)
            #expect(ranges == [
                EventPartitionRange(partition: 0, firstSequenceNumber: 0, lastSequenceNumber: 1),
                EventPartitionRange(partition: 1, firstSequenceNumber: 0, lastSequenceNumber: -1),
                EventPartitionRange(partition: 2, firstSequenceNumber: 0, lastSequenceNumber: 0),
                EventPartitionRange(partition: 3, firstSequenceNumber: 0, lastSequenceNumber: -1),
            ])
            #expect(try await reopened.partitionRanges(shard: "hub-2", endpoint: "events", partitionCount: 1)[0].lastSequenceNumber == -1)
        }
    }

    @Test("retention by age and by size; sequence numbers are never reused")
    func retention() async throws {
        try await withRoutingDatabase { database, _ in
            let start = Date(timeIntervalSince1970: 1_700_000_000)
            for offset in 0..<10 {
                try await database.commitRouting(shard: "h", appends: [EventAppend(endpoint: "events", partition: 0, record: record("a", String(repeating: "x", count: 100)))],
                                                 cursors: [:], enqueuedTime: start.addingTimeInterval(Double(offset)))
            }
            let byAge = try await database.applyRetention(shard: "h", endpoint: "events", partition: 0, enqueuedBefore: start.addingTimeInterval(3),
                                                          maxBytes: 1 << 30)
            #expect(byAge == 3)
            var range = try await database.partitionRanges(shard: "h", endpoint: "events", partitionCount: 1)[0]
            #expect(range.firstSequenceNumber == 3 && range.lastSequenceNumber == 9)
            // Each event is ~100 body bytes + properties; keeping ~3 events' worth removes the 4 oldest of 7.
            let size = 100 + #"{"k":"v"}"#.utf8.count + #"{"content-type":"text\/plain"}"#.utf8.count
            let bySize = try await database.applyRetention(shard: "h", endpoint: "events", partition: 0, enqueuedBefore: start, maxBytes: 3 * size)
            #expect(bySize == 4)
            range = try await database.partitionRanges(shard: "h", endpoint: "events", partitionCount: 1)[0]
            #expect(range.firstSequenceNumber == 7 && range.lastSequenceNumber == 9)
            _ = try await database.applyRetention(shard: "h", endpoint: "events", partition: 0, enqueuedBefore: start.addingTimeInterval(100),
                                                  maxBytes: 1 << 30)
            range = try await database.partitionRanges(shard: "h", endpoint: "events", partitionCount: 1)[0]
            #expect(range.firstSequenceNumber == 10 && range.lastSequenceNumber == 9, "empty: first is the next number")
            let next = try await database.commitRouting(shard: "h", appends: [EventAppend(endpoint: "events", partition: 0, record: record("a"))],
                                                        cursors: [:], enqueuedTime: start)
            #expect(next[0].sequenceNumber == 10)
        }
    }

    @Test("checkpoints, dead letters and stored routing")
    func state() async throws {
        try await withRoutingDatabase { database, _ in
            #expect(try await database.checkpoint(shard: "h", endpoint: "events", consumerGroup: "$Default", partition: 1) == nil)
            try await database.setCheckpoint(shard: "h", endpoint: "events", consumerGroup: "$Default", partition: 1, sequenceNumber: 5)
            try await database.setCheckpoint(shard: "h", endpoint: "events", consumerGroup: "$Default", partition: 1, sequenceNumber: 7)
            #expect(try await database.checkpoint(shard: "h", endpoint: "events", consumerGroup: "$Default", partition: 1) == 7)
            #expect(try await database.checkpoint(shard: "h", endpoint: "events", consumerGroup: "other", partition: 1) == nil)

            let stored = try await database.commitRouting(shard: "h", appends: [EventAppend(endpoint: "hook", partition: 0, record: record("a"))],
                                                          cursors: [:], enqueuedTime: Date())
            try await database.deadLetter(shard: "h", endpoint: "hook", events: stored, attempts: 3, reason: "HTTP 500",
                                          cursor: "deliver:hook:0", failedTime: Date())
            #expect(try await database.deadLetterCount(shard: "h", endpoint: "hook") == 1)
            #expect(try await database.cursor(shard: "h", name: "deliver:hook:0") == 0)
            let letters = try await database.deadLetters(shard: "h", endpoint: "hook", limit: 10)
            #expect(letters.first?.reason == "HTTP 500" && letters.first?.attempts == 3 && letters.first?.event.record == stored[0].record)

            #expect(try await database.routingConfiguration(shard: "h") == nil)
            let configuration = RoutingConfiguration(routes: [RouteConfiguration(name: "r", condition: "$body.t > 1", endpointNames: ["events"])])
            try await database.saveRoutingConfiguration(configuration, shard: "h")
            #expect(try await database.routingConfiguration(shard: "h") == configuration)
        }
    }
}
