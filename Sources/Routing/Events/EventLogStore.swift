import Foundation
import Hub

/// The durable side of routing: endpoint event logs, source cursors, delivery cursors, consumer-group checkpoints,
/// dead letters and the stored routing configuration. Every method commits before it returns.
public protocol EventLogStore: Sendable {
    /// Appends events to their endpoints' partitions and moves source cursors (`name → position`), in one transaction,
    /// so a crash either keeps both or neither. Returns the stored events in `appends` order.
    @discardableResult
    func commitRouting(shard: String, appends: [EventAppend], cursors: [String: Int64], enqueuedTime: Date) async throws -> [StoredEvent]
    /// Several shards' appends and cursor moves in one transaction (one commit for a batch of telemetry routed at
    /// intake); each commit may also drop the telemetry it consumed from the intake log.
    func commitRouting(_ commits: [RoutingCommit], enqueuedTime: Date) async throws
    /// The part of `commitRouting` that needs no database (encoding), to run ahead of the transaction.
    func prepareRouting(_ commits: [RoutingCommit]) -> PreparedRouting
    /// Commits prepared routing; the same result as `commitRouting(prepared.commits, enqueuedTime:)`.
    func commitRouting(_ prepared: PreparedRouting, enqueuedTime: Date) async throws
    /// The same, blocking the calling thread until the transaction committed (threads of their own only).
    func commitRoutingBlocking(_ prepared: PreparedRouting, enqueuedTime: Date) throws
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

/// One shard's part of a routing transaction.
public struct RoutingCommit: Sendable {
    /// The shard.
    public var shard: String
    /// Events to append.
    public var appends: [EventAppend]
    /// Source cursors to store (`name → position`).
    public var cursors: [String: Int64]
    /// Telemetry of the shard routed by this commit, up to this sequence number, to remove from the intake log.
    public var consumedTelemetryThrough: Int64?

    /// Creates a commit.
    public init(shard: String, appends: [EventAppend], cursors: [String: Int64] = [:], consumedTelemetryThrough: Int64? = nil) {
        self.shard = shard
        self.appends = appends
        self.cursors = cursors
        self.consumedTelemetryThrough = consumedTelemetryThrough
    }
}

/// Routing commits with whatever the store worked out ahead of the transaction.
public struct PreparedRouting: Sendable {
    /// The commits.
    public var commits: [RoutingCommit]
    /// The store's own preparation, if any.
    public var work: (any Sendable)?

    /// Creates prepared routing.
    public init(commits: [RoutingCommit], work: (any Sendable)? = nil) {
        self.commits = commits
        self.work = work
    }
}

extension EventLogStore {
    /// Nothing to prepare by default.
    public func prepareRouting(_ commits: [RoutingCommit]) -> PreparedRouting {
        PreparedRouting(commits: commits)
    }

    /// Commits the commits by default.
    public func commitRouting(_ prepared: PreparedRouting, enqueuedTime: Date) async throws {
        try await commitRouting(prepared.commits, enqueuedTime: enqueuedTime)
    }

    /// Runs the asynchronous commit and waits for it by default.
    public func commitRoutingBlocking(_ prepared: PreparedRouting, enqueuedTime: Date) throws {
        try waitBlocking { try await commitRouting(prepared, enqueuedTime: enqueuedTime) }
    }
}
