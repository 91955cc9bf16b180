import Foundation
import Routing
import Storage
import Testing

/// The event log's lookup by enqueued time (Event Hubs enqueued-time starting positions).
@Suite("Event log lookup by enqueued time")
struct EventTimeLookupTests {
    @Test("the oldest retained event at or after a time, per partition; nil past the newest; retention respected")
    func lookup() async throws {
        try await withRoutingDatabase { database, _ in
            let start = Date(timeIntervalSince1970: 1_700_000_000)
            for second in 0..<6 {
                try await database.commitRouting(shard: "h", appends: [
                    EventAppend(endpoint: "events", partition: 0, record: EventRecord(deviceId: "a", body: [UInt8(second)], properties: [:], systemProperties: [:])),
                ], cursors: [:], enqueuedTime: start.addingTimeInterval(Double(second)))
            }
            func first(_ offset: Double, partition: Int = 0) async throws -> Int64? {
                try await database.firstSequenceNumber(shard: "h", endpoint: "events", partition: partition,
                                                       enqueuedAtOrAfter: start.addingTimeInterval(offset))
            }
            #expect(try await first(-100) == 0)
            #expect(try await first(0) == 0)
            #expect(try await first(2) == 2)
            #expect(try await first(2.5) == 3)
            #expect(try await first(5) == 5)
            #expect(try await first(5.001) == nil)
            #expect(try await first(0, partition: 1) == nil)
            try await database.applyRetention(shard: "h", endpoint: "events", partition: 0, enqueuedBefore: start.addingTimeInterval(3),
                                              maxBytes: 1 << 30)
            #expect(try await first(0) == 3)
        }
    }
}
