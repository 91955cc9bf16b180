import Foundation
import Hub

/// The telemetry store the hub writes through.
///
/// With the shards' routing at hand, a message whose routing needs nothing but the message itself (no `$twin` in a
/// condition or enrichment) is routed at intake: its events are appended to the endpoint logs in the transaction that
/// makes it durable, so it is stored once, not written to the intake log, read back and copied. Other messages go to
/// the intake log and wake the shard's router, which keeps them in memory for a while so it need not read them back.
public struct RoutedTelemetryStore<Base: TelemetryStore, Log: EventLogStore>: TelemetryStore {
    /// A batch as prepared for its write: all of it for the intake log, or split by what routing at intake took.
    public enum PreparedBatch: Sendable {
        /// Nothing routed at intake: the messages go to the intake log.
        case intake([TelemetryMessage])
        /// Some or all messages routed at intake, their events encoded for `Log`.
        case routed(IntakeRouting<Log.PreparedCommits>)
    }

    let base: Base
    let eventLog: Log
    let routing: [String: ShardRouting]
    let notify: @Sendable (_ shard: String) -> Void
    let recent: RecentTelemetry

    /// Wraps `base` and routes at intake, into `eventLog`, the messages of the `routing` shards that allow it (none
    /// when `routing` is empty); `notify` runs after every committed intake-log append, once per shard in it.
    public init(base: Base, eventLog: Log, routing: [String: ShardRouting],
                notify: @escaping @Sendable (_ shard: String) -> Void) {
        self.base = base
        self.eventLog = eventLog
        self.routing = routing
        self.notify = notify
        recent = RecentTelemetry()
    }

    /// Stores the messages durably. Returns each message's position in the intake log, or 0 for one routed at intake.
    public func appendTelemetry(_ messages: [TelemetryMessage]) async throws -> [Int64] {
        try await appendPreparedTelemetry(prepareTelemetry(messages))
    }

    /// Routes the messages that can be routed at intake and encodes their events, ahead of the write.
    public func prepareTelemetry(_ messages: [TelemetryMessage]) -> PreparedBatch {
        guard !routing.isEmpty else { return .intake(messages) }
        var tables: [String: RoutingTable?] = [:]
        var commits: [String: (routing: ShardRouting, appends: [EventAppend], count: Int)] = [:]
        var deferred: [(index: Int, message: TelemetryMessage)] = []
        for (index, message) in messages.enumerated() {
            let table = tables[message.shard] ?? routing[message.shard].map(\.currentTable).flatMap { $0.referencesTwin ? nil : $0 }
            tables[message.shard] = .some(table)
            guard let table, let shardRouting = routing[message.shard] else {
                deferred.append((index, message))
                continue
            }
            // Appended in place: a copy of the tuple out of the dictionary would copy the array on every message.
            commits[message.shard, default: (shardRouting, [], 0)].count += 1
            if let endpoints = table.unconditionalDeviceMessageEndpoints,
               RoutingSource(messageSource: message.systemProperties["iothub-message-source"]) == .deviceMessages {
                // The default routing: no condition to evaluate, every message to the same endpoints as it is.
                for endpoint in endpoints {
                    commits[message.shard, default: (shardRouting, [], 0)].appends.append(table.eventAppend(
                        endpoint: endpoint, deviceId: message.deviceId, moduleId: message.moduleId, body: message.body,
                        properties: message.properties, systemProperties: message.systemProperties))
                }
                continue
            }
            let routed = RoutingMessage(message)
            guard table.routes(routed.source) else { continue }
            for delivery in table.deliveries(for: routed, twin: nil, hubName: message.shard) {
                commits[message.shard, default: (shardRouting, [], 0)].appends.append(table.eventAppend(
                    endpoint: delivery.endpoint, deviceId: message.deviceId, moduleId: message.moduleId, body: message.body,
                    properties: delivery.applicationProperties, systemProperties: message.systemProperties))
            }
        }
        let routed = commits.map { (routing: $0.value.routing, count: $0.value.count, appends: $0.value.appends) }
        let prepared = eventLog.prepareRouting(routed.map { RoutingCommit(shard: $0.routing.shard, appends: $0.appends) })
        return .routed(IntakeRouting(routed: routed, prepared: prepared, deferred: deferred, count: messages.count))
    }

    /// Writes a prepared batch: the routed messages' events in one transaction, the others to the intake log.
    public func appendPreparedTelemetry(_ prepared: PreparedBatch) async throws -> [Int64] {
        let work: IntakeRouting<Log.PreparedCommits>
        switch prepared {
        case .intake(let messages): return try await appendToIntakeLog(messages)
        case .routed(let routing): work = routing
        }
        if !work.routed.isEmpty {
            try await eventLog.commitPreparedRouting(work.prepared, enqueuedTime: Date())
            routed(work)
        }
        return try await positions(work, logged: work.deferred.isEmpty ? [] : appendToIntakeLog(work.deferred.map(\.message)))
    }

    /// The same on the calling thread (the batcher's writer threads).
    public func appendPreparedTelemetryBlocking(_ prepared: PreparedBatch) throws -> [Int64] {
        let work: IntakeRouting<Log.PreparedCommits>
        switch prepared {
        case .intake(let messages): return try waitBlocking { try await appendToIntakeLog(messages) }
        case .routed(let routing): work = routing
        }
        if !work.routed.isEmpty {
            try eventLog.commitPreparedRoutingBlocking(work.prepared, enqueuedTime: Date())
            routed(work)
        }
        let deferred = work.deferred.map(\.message)
        return positions(work, logged: deferred.isEmpty ? [] : try waitBlocking { try await appendToIntakeLog(deferred) })
    }

    /// Counts the routed messages and wakes the readers of the logs they went to.
    private func routed(_ work: IntakeRouting<Log.PreparedCommits>) {
        for commit in work.routed {
            commit.routing.recordRouter {
                $0.messagesRead += commit.count
                $0.batches += 1
            }
            var counts: [String: Int] = [:]
            for append in commit.appends { counts[append.endpoint, default: 0] += 1 }
            for (endpoint, count) in counts {
                commit.routing.recordEndpoint(endpoint) { $0.routed += count }
            }
            if !commit.appends.isEmpty { commit.routing.appended.notify() }
        }
    }

    /// Each message's intake-log position: 0 for routed ones, `logged` in order for the deferred ones.
    private func positions(_ work: IntakeRouting<Log.PreparedCommits>, logged: [Int64]) -> [Int64] {
        var sequenceNumbers = [Int64](repeating: 0, count: work.count)
        for (position, entry) in work.deferred.enumerated() { sequenceNumbers[entry.index] = logged[position] }
        return sequenceNumbers
    }

    /// From memory when it holds every message of the shard after `sequenceNumber`, else from the real store.
    public func telemetry(shard: String, after sequenceNumber: Int64, limit: Int) async throws -> [StoredTelemetryMessage] {
        if let kept = recent.messages(shard: shard, after: sequenceNumber, limit: limit) { return kept }
        return try await base.telemetry(shard: shard, after: sequenceNumber, limit: limit)
    }

    /// Appends to the intake log, keeps the committed messages, then wakes the routers of the shards in the batch.
    private func appendToIntakeLog(_ messages: [TelemetryMessage]) async throws -> [Int64] {
        let sequenceNumbers = try await base.appendTelemetry(messages)
        recent.committed(zip(sequenceNumbers, messages).map { StoredTelemetryMessage(sequenceNumber: $0, message: $1) })
        if let first = messages.first?.shard {
            notify(first)
            for shard in Set(messages.dropFirst().map(\.shard)) where shard != first { notify(shard) }
        }
        return sequenceNumbers
    }
}

/// A batch split into what is routed at intake (events ready to commit, prepared by the event log as `Commits`) and
/// what goes to the intake log.
public struct IntakeRouting<Commits: Sendable>: Sendable {
    var routed: [(routing: ShardRouting, count: Int, appends: [EventAppend])]
    var prepared: Commits
    var deferred: [(index: Int, message: TelemetryMessage)]
    var count: Int
}
