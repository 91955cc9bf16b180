import Foundation
import Routing

/// Reads one partition of the built-in `events` log for a receiver link, in batches no larger than the link's credit
/// (so a slow consumer holds at most one credit's worth of events in memory, and ingest never waits for it), waking on
/// routing's `appended` signal instead of polling.
struct EventHubsPartitionFeed: Sendable {
    let routing: ShardRouting
    let partition: Int

    /// The largest batch read at once, whatever the credit.
    static let maximumBatch = 100

    /// Up to `limit` events from `sequenceNumber` on; with none there yet, waits up to `wait` for routing to append.
    func next(from sequenceNumber: Int64, limit: Int, wait: Duration) async throws -> [StoredEvent] {
        let count = min(max(limit, 1), Self.maximumBatch)
        let version = routing.appended.version
        let events = try await routing.events(endpoint: EventHubsManagementNode.endpoint, partition: partition,
                                              from: sequenceNumber, limit: count)
        guard events.isEmpty, !Task.isCancelled else { return events }
        await routing.appended.wait(since: version, timeout: wait)
        guard !Task.isCancelled else { return [] }
        return try await routing.events(endpoint: EventHubsManagementNode.endpoint, partition: partition,
                                        from: sequenceNumber, limit: count)
    }
}
