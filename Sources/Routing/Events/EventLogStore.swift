import Foundation
import Hub

/// The durable side of routing: endpoint event logs, source cursors, delivery cursors, consumer-group checkpoints,
/// dead letters and the stored routing configuration. Every method commits before it returns.
public protocol EventLogStore: Sendable {
    /// What the store works out for routing commits ahead of their transaction (encoding): the store's own type, so
    /// the commit gets it back typed, never as a value to cast.
    associatedtype PreparedCommits: Sendable = [RoutingCommit]

    /// Appends events to their endpoints' partitions and moves source cursors (`name → position`), in one transaction,
    /// so a crash either keeps both or neither. Returns the stored events in `appends` order.
    @discardableResult
    func commitRouting(shard: String, appends: [EventAppend], cursors: [String: Int64], enqueuedTime: Date) async throws -> [StoredEvent]
    /// Several shards' appends and cursor moves in one transaction (one commit for a batch of telemetry routed at
    /// intake); each commit may also drop the telemetry it consumed from the intake log.
    func commitRouting(_ commits: [RoutingCommit], enqueuedTime: Date) async throws
    /// The part of `commitRouting` that needs no database (encoding), to run ahead of the transaction.
    func prepareRouting(_ commits: [RoutingCommit]) -> PreparedCommits
    /// Commits prepared routing; the same result as `commitRouting` of its commits.
    func commitPreparedRouting(_ prepared: PreparedCommits, enqueuedTime: Date) async throws
    /// The same, blocking the calling thread until the transaction committed (threads of their own only).
    func commitPreparedRoutingBlocking(_ prepared: PreparedCommits, enqueuedTime: Date) throws
    /// Up to `limit` events of a partition with sequence numbers from `sequenceNumber` on, oldest first.
    func events(shard: String, endpoint: String, partition: Int, from sequenceNumber: Int64, limit: Int) async throws -> [StoredEvent]
    /// The sequence number of a partition's oldest retained event enqueued at or after `time`; nil when none is.
    func firstSequenceNumber(shard: String, endpoint: String, partition: Int, enqueuedAtOrAfter time: Date) async throws -> Int64?
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

extension EventLogStore where PreparedCommits == [RoutingCommit] {
    /// Nothing to prepare by default: the commits are their own preparation.
    public func prepareRouting(_ commits: [RoutingCommit]) -> [RoutingCommit] {
        commits
    }

    /// Commits the commits by default.
    public func commitPreparedRouting(_ commits: [RoutingCommit], enqueuedTime: Date) async throws {
        try await commitRouting(commits, enqueuedTime: enqueuedTime)
    }

    /// Runs the asynchronous commit and waits for it by default.
    public func commitPreparedRoutingBlocking(_ commits: [RoutingCommit], enqueuedTime: Date) throws {
        try waitBlocking { try await commitRouting(commits, enqueuedTime: enqueuedTime) }
    }
}
