import Foundation
import Hub
@testable import Routing
import Testing

@Suite("Recent telemetry kept for the router")
struct RecentTelemetryTests {
    func batch(_ range: ClosedRange<Int64>, shard: (Int64) -> String = { _ in "hub-1" }) -> [StoredTelemetryMessage] {
        range.map { number in
            StoredTelemetryMessage(sequenceNumber: number, message: TelemetryMessage(
                shard: shard(number), deviceId: "d", moduleId: nil, enqueuedTime: Date(timeIntervalSince1970: 0), body: [1, 2],
                properties: [:], systemProperties: [:]))
        }
    }

    @Test("nothing is answered from memory before the first batch, nor behind where it started")
    func startsUnknown() {
        let recent = RecentTelemetry()
        #expect(recent.messages(shard: "hub-1", after: 0, limit: 10) == nil)
        recent.committed(batch(11...20))
        #expect(recent.messages(shard: "hub-1", after: 5, limit: 10) == nil)
        #expect(recent.messages(shard: "hub-1", after: 10, limit: 100)?.map(\.sequenceNumber) == Array(11...20))
        #expect(recent.messages(shard: "hub-1", after: 20, limit: 100)?.isEmpty == true)
    }

    @Test("each shard gets its own messages, in order, at most `limit` at a time")
    func perShard() {
        let recent = RecentTelemetry()
        recent.committed(batch(1...10) { $0 % 2 == 0 ? "hub-1" : "hub-2" })
        #expect(recent.messages(shard: "hub-1", after: 0, limit: 3)?.map(\.sequenceNumber) == [2, 4, 6])
        #expect(recent.messages(shard: "hub-1", after: 6, limit: 10)?.map(\.sequenceNumber) == [8, 10])
        #expect(recent.messages(shard: "hub-2", after: 0, limit: 10)?.map(\.sequenceNumber) == [1, 3, 5, 7, 9])
        // A shard first seen now has had nothing since memory started.
        #expect(recent.messages(shard: "hub-3", after: 10, limit: 10)?.isEmpty == true)
    }

    @Test("a batch reported before its predecessor waits for it, so no message is skipped")
    func outOfOrder() {
        let recent = RecentTelemetry()
        recent.committed(batch(1...5))
        recent.committed(batch(11...15))
        #expect(recent.messages(shard: "hub-1", after: 0, limit: 100)?.map(\.sequenceNumber) == Array(1...5))
        recent.committed(batch(6...10))
        #expect(recent.messages(shard: "hub-1", after: 5, limit: 100)?.map(\.sequenceNumber) == Array(6...15))
    }

    @Test("once the oldest are dropped, a reader behind them is sent to the database")
    func eviction() {
        let recent = RecentTelemetry()
        let total = Int64(RecentTelemetry.maximumMessagesPerShard + 100)
        recent.committed(batch(1...total))
        #expect(recent.messages(shard: "hub-1", after: 0, limit: 10) == nil)
        #expect(recent.messages(shard: "hub-1", after: 100, limit: 10)?.first?.sequenceNumber == 101)
    }

    @Test("a hole that never fills starts the record over after the newest batch")
    func persistentHole() {
        let recent = RecentTelemetry()
        recent.committed(batch(1...1))
        for start in stride(from: Int64(10), to: Int64(10 + 10 * (RecentTelemetry.maximumParkedBatches + 1)), by: 10) {
            recent.committed(batch(start...(start + 4)))
        }
        #expect(recent.messages(shard: "hub-1", after: 1, limit: 10) == nil)
        let newest = Int64(10 + 10 * RecentTelemetry.maximumParkedBatches + 4)
        recent.committed(batch((newest + 1)...(newest + 3)))
        #expect(recent.messages(shard: "hub-1", after: newest, limit: 10)?.map(\.sequenceNumber) == Array((newest + 1)...(newest + 3)))
    }
}
