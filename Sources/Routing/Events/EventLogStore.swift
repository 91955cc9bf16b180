import Foundation

/// The durable side of routing: endpoint event logs, source cursors, delivery cursors, consumer-group checkpoints,
/// dead letters and the stored routing configuration. Every method commits before it returns.
public protocol EventLogStore: Sendable {
    /// Appends events to their endpoints' partitions and moves source cursors (`name → position`), in one transaction,
    /// so a crash either keeps both or neither. Returns the stored events in `appends` order.
    @discardableResult
    func commitRouting(shard: String, appends: [EventAppend], cursors: [String: Int64], enqueuedTime: Date) async throws -> [StoredEvent]
    /// Up to `limit` events of a partition with sequence numbers from `sequenceNumber` on, oldest first.
    func events(shard: String, endpoint: String, partition: Int, from sequenceNumber: Int64, limit: Int) async throws -> [StoredEvent]
    /// The retained range of every partition `0..<partitionCount`.
    func partitionRanges(shard: String, endpoint: String, partitionCount: Int) async throws -> [EventPartitionRange]
    /// A stored cursor (a source position, or an endpoint partition's delivered sequence number).
    func cursor(shard: String, name: String) async throws -> Int64?
    /// Stores a cursor.
    func setCursor(shard: String, name: String, position: Int64) async throws
    /// A consumer group's checkpoint of one partition.
    func checkpoint(shard: String, endpoint: String, consumerGroup: String, partition: Int) async throws -> Int64?
    /// Stores a checkpoint.
    func setCheckpoint(shard: String, endpoint: String, consumerGroup: String, partition: Int, sequenceNumber: Int64) async throws
    /// Removes a partition's events through `sequenceNumber` (delivered events of webhook and storage endpoints).
    func removeEvents(shard: String, endpoint: String, partition: Int, through sequenceNumber: Int64) async throws
    /// Removes a partition's events enqueued before `cutoff`, then the oldest while it holds more than `maxBytes`;
    /// returns how many went.
    @discardableResult
    func applyRetention(shard: String, endpoint: String, partition: Int, enqueuedBefore cutoff: Date, maxBytes: Int) async throws -> Int
    /// Records events that could not be delivered and moves the delivery cursor past them, in one transaction.
    func deadLetter(shard: String, endpoint: String, events: [StoredEvent], attempts: Int, reason: String, cursor: String,
                    failedTime: Date) async throws
    /// How many events of an endpoint were dead-lettered.
    func deadLetterCount(shard: String, endpoint: String) async throws -> Int
    /// The most recent dead letters of an endpoint, newest first.
    func deadLetters(shard: String, endpoint: String, limit: Int) async throws -> [DeadLetter]
    /// The routing stored by `PUT /routing`, if any.
    func routingConfiguration(shard: String) async throws -> RoutingConfiguration?
    /// Stores a shard's routing.
    func saveRoutingConfiguration(_ configuration: RoutingConfiguration, shard: String) async throws
}
