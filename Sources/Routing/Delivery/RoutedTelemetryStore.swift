import Hub

/// The telemetry store the hub writes through: the real one, plus a wake-up for each shard's router once a batch
/// is committed, so routing latency is not a poll interval.
public struct RoutedTelemetryStore: TelemetryStore {
    let base: any TelemetryStore
    let notify: @Sendable (_ shard: String) -> Void

    /// Wraps `base`; `notify` runs after every committed append, once per shard in it.
    public init(base: any TelemetryStore, notify: @escaping @Sendable (_ shard: String) -> Void) {
        self.base = base
        self.notify = notify
    }

    /// Appends through the real store, then wakes the routers of the shards in the batch.
    public func appendTelemetry(_ messages: [TelemetryMessage]) async throws -> [Int64] {
        let sequenceNumbers = try await base.appendTelemetry(messages)
        if let first = messages.first?.shard {
            notify(first)
            for shard in Set(messages.dropFirst().map(\.shard)) where shard != first { notify(shard) }
        }
        return sequenceNumbers
    }

    /// Reads through the real store.
    public func telemetry(shard: String, after sequenceNumber: Int64, limit: Int) async throws -> [StoredTelemetryMessage] {
        try await base.telemetry(shard: shard, after: sequenceNumber, limit: limit)
    }
}
