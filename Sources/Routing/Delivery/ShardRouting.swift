import Foundation
import Logging
import Synchronization

/// One shard's routing at run time: the current table, the signals that wake the router, readers and deliverers,
/// and the events API over the endpoint logs (partitions, reads with long polling, consumer-group checkpoints).
public final class ShardRouting: Sendable {
    /// Shard name; also the `$iothubname` of enrichments and the `{iothub}` of storage file names.
    public let shard: String
    let store: any EventLogStore
    private let table: Mutex<RoutingTable>
    private let metrics = Mutex<(router: RouterMetrics, endpoints: [String: EndpointMetrics])>((RouterMetrics(), [:]))
    /// New telemetry or hub events were stored: wakes the router.
    public let intake = WakeSignal()
    /// Routing appended events: wakes long polls, streams and deliverers.
    public let appended = WakeSignal()
    /// The table changed: wakes the service that starts endpoint workers.
    public let reconfigured = WakeSignal()

    /// Creates the shard's routing with `table` in force.
    public init(shard: String, store: any EventLogStore, table: RoutingTable) {
        self.shard = shard
        self.store = store
        self.table = Mutex(table)
    }

    /// Loads the shard's stored routing; without one, `initial` (from `Policies/`) is stored and used. A stored routing
    /// that no longer validates is kept as it is but not used: the shard routes with the built-in default meanwhile.
    public static func open(shard: String, store: any EventLogStore, initial: RoutingConfiguration,
                            logger: Logger? = nil) async throws -> ShardRouting {
        if let stored = try await store.routingConfiguration(shard: shard) {
            do {
                return ShardRouting(shard: shard, store: store, table: try RoutingTable(stored))
            } catch {
                // A routing an older version stored may break a limit added since (query limits, value ranges). Using it
                // risks what the limit prevents; refusing to start would take every shard and the DPS down with it. So
                // the shard routes with the default (device messages to `events`, nothing lost) and the stored routing
                // stays untouched for the operator to fix with PUT /routing.
                logger?.error("the stored routing no longer validates; routing with the built-in default until PUT /routing replaces it",
                              metadata: ["hub.shard": "\(shard)", "routing.error": "\(error.message)"])
                return ShardRouting(shard: shard, store: store, table: .standard)
            }
        }
        let table: RoutingTable
        do {
            table = try RoutingTable(initial)
        } catch {
            throw RoutingError(.invalidConfiguration(error), "routing for \(shard): \(error.message)")
        }
        try await store.saveRoutingConfiguration(table.configuration, shard: shard)
        return ShardRouting(shard: shard, store: store, table: table)
    }

    /// The table in force.
    public var currentTable: RoutingTable { table.withLock { $0 } }

    // MARK: Routing configuration

    /// The configuration in force (`GET /routing`), the built-in endpoint listed.
    public var configuration: RoutingConfiguration { currentTable.configuration }

    /// Validates, stores and applies a configuration (`PUT /routing`); nothing changes when it is invalid.
    @discardableResult
    public func replace(_ configuration: RoutingConfiguration) async throws -> RoutingConfiguration {
        let compiled: RoutingTable
        do {
            compiled = try RoutingTable(configuration)
        } catch {
            throw RoutingError(.invalidConfiguration(error), error.message)
        }
        try await store.saveRoutingConfiguration(compiled.configuration, shard: shard)
        table.withLock { $0 = compiled }
        reconfigured.notify()
        intake.notify()
        return compiled.configuration
    }

    // MARK: Events API

    /// The named event-log endpoint; `notFound` for other names and kinds.
    public func eventLog(_ endpoint: String) throws(RoutingError) -> RoutingEndpointConfiguration {
        guard let configuration = currentTable.endpoints[endpoint], configuration.type == .eventLog else {
            throw RoutingError(.notFound, "no event log endpoint '\(endpoint)' on \(shard)")
        }
        return configuration
    }

    /// The retained range of each partition of an event log.
    public func partitions(endpoint: String) async throws -> [EventPartitionRange] {
        let configuration = try eventLog(endpoint)
        return try await store.partitionRanges(shard: shard, endpoint: endpoint, partitionCount: configuration.effectivePartitionCount)
    }

    /// Up to `maxCount` events of a partition from `fromSequenceNumber` on — by default right after the consumer group's
    /// checkpoint, else from the oldest retained. With nothing there yet, waits up to `wait` for routing to append some.
    public func read(endpoint: String, partition: Int, consumerGroup: String, fromSequenceNumber: Int64?, maxCount: Int,
                     wait: Duration) async throws -> [StoredEvent] {
        try Self.validate(consumerGroup: consumerGroup)
        let configuration = try eventLog(endpoint)
        try Self.validate(partition: partition, count: configuration.effectivePartitionCount)
        var start = fromSequenceNumber ?? 0
        if fromSequenceNumber == nil, let checkpoint = try await store.checkpoint(
            shard: shard, endpoint: endpoint, consumerGroup: consumerGroup, partition: partition) {
            // A checkpoint an older version stored may be Int64.max; the position after it stays there.
            start = checkpoint < .max ? checkpoint + 1 : .max
        }
        let deadline = ContinuousClock.now.advanced(by: wait)
        while true {
            let version = appended.version
            let events = try await store.events(shard: shard, endpoint: endpoint, partition: partition, from: max(0, start),
                                                limit: min(max(1, maxCount), 1000))
            let remaining = ContinuousClock.now.duration(to: deadline)
            if !events.isEmpty || remaining <= .zero || Task.isCancelled { return events }
            await appended.wait(since: version, timeout: remaining)
        }
    }

    /// A consumer group's checkpoint of a partition; `notFound` when it has none.
    public func checkpoint(endpoint: String, consumerGroup: String, partition: Int) async throws -> Int64 {
        try Self.validate(consumerGroup: consumerGroup)
        let configuration = try eventLog(endpoint)
        try Self.validate(partition: partition, count: configuration.effectivePartitionCount)
        guard let sequenceNumber = try await store.checkpoint(shard: shard, endpoint: endpoint, consumerGroup: consumerGroup,
                                                              partition: partition) else {
            throw RoutingError(.notFound, "consumer group \(consumerGroup) has no checkpoint for partition \(partition)")
        }
        return sequenceNumber
    }

    /// Stores a consumer group's checkpoint (the last sequence number it processed).
    public func setCheckpoint(endpoint: String, consumerGroup: String, partition: Int, sequenceNumber: Int64) async throws {
        try Self.validate(consumerGroup: consumerGroup)
        let configuration = try eventLog(endpoint)
        try Self.validate(partition: partition, count: configuration.effectivePartitionCount)
        // Readers resume after the checkpoint (`+ 1`), so the largest Int64 is not a checkpoint.
        guard sequenceNumber >= -1, sequenceNumber < .max else {
            throw RoutingError(.invalidArgument, "sequenceNumber must be -1 to \(Int64.max - 1)")
        }
        try await store.setCheckpoint(shard: shard, endpoint: endpoint, consumerGroup: consumerGroup, partition: partition,
                                      sequenceNumber: sequenceNumber)
    }

    /// Events of a partition from `sequenceNumber` on, without waiting (streams keep their own positions).
    public func events(endpoint: String, partition: Int, from sequenceNumber: Int64, limit: Int) async throws -> [StoredEvent] {
        try await store.events(shard: shard, endpoint: endpoint, partition: partition, from: sequenceNumber, limit: limit)
    }

    /// The sequence number of a partition's oldest retained event enqueued at or after `time` (Event Hubs positions by
    /// enqueued time); nil when every retained event is older.
    public func firstSequenceNumber(endpoint: String, partition: Int, enqueuedAtOrAfter time: Date) async throws -> Int64? {
        let configuration = try eventLog(endpoint)
        try Self.validate(partition: partition, count: configuration.effectivePartitionCount)
        return try await store.firstSequenceNumber(shard: shard, endpoint: endpoint, partition: partition, enqueuedAtOrAfter: time)
    }

    /// Dead letters stored for an endpoint (all time) and the most recent ones.
    public func deadLetters(endpoint: String, limit: Int) async throws -> (count: Int, recent: [DeadLetter]) {
        (try await store.deadLetterCount(shard: shard, endpoint: endpoint),
         limit > 0 ? try await store.deadLetters(shard: shard, endpoint: endpoint, limit: limit) : [])
    }

    /// Consumer group names: `$Default` or 1–50 letters, digits, `.`, `_`, `-`.
    static func validate(consumerGroup: String) throws(RoutingError) {
        guard consumerGroup == "$Default"
                || consumerGroup.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$"#, options: .regularExpression) != nil
        else { throw RoutingError(.invalidArgument, "consumer group names are $Default or 1–50 letters, digits, '.', '_' or '-'") }
    }

    static func validate(partition: Int, count: Int) throws(RoutingError) {
        guard (0..<count).contains(partition) else { throw RoutingError(.notFound, "no partition \(partition) (the log has \(count))") }
    }

    // MARK: Metrics

    /// Counters of the router and every endpoint.
    public var metricsSnapshot: (router: RouterMetrics, endpoints: [String: EndpointMetrics]) { metrics.withLock { $0 } }

    func recordRouter(_ update: (inout RouterMetrics) -> Void) {
        metrics.withLock { update(&$0.router) }
    }

    func recordEndpoint(_ endpoint: String, _ update: (inout EndpointMetrics) -> Void) {
        metrics.withLock { update(&$0.endpoints[endpoint, default: EndpointMetrics()]) }
    }
}
