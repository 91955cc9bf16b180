import Foundation
import Logging

/// Applies retention to one shard's endpoint logs every `interval`: event logs by age and size; webhook and storage
/// logs lose what has been delivered.
struct EventRetention: Sendable {
    let routing: ShardRouting
    let interval: Duration
    let sleep: @Sendable (Duration) async throws -> Void
    let now: @Sendable () -> Date
    let logger: Logger

    func run() async {
        while !Task.isCancelled {
            do {
                try await sweep()
                try await sleep(interval)
            } catch is CancellationError {
                return
            } catch {
                logger.error("event retention failed", metadata: ["hub.shard": "\(routing.shard)", "routing.error": "\(error)"])
                try? await sleep(interval)
            }
        }
    }

    /// One pass over every endpoint and partition.
    func sweep() async throws {
        for endpoint in routing.currentTable.endpoints.values {
            for partition in 0..<endpoint.effectivePartitionCount {
                switch endpoint.type {
                case .eventLog:
                    try await routing.store.applyRetention(
                        shard: routing.shard, endpoint: endpoint.name, partition: partition,
                        enqueuedBefore: now().addingTimeInterval(-Double(endpoint.effectiveRetentionSeconds)),
                        maxBytes: endpoint.effectiveRetentionBytes)
                case .webhook, .storage:
                    if let delivered = try await routing.store.cursor(shard: routing.shard, name: "deliver:\(endpoint.name):\(partition)"),
                       delivered >= 0 {
                        try await routing.store.removeEvents(shard: routing.shard, endpoint: endpoint.name, partition: partition,
                                                             through: delivered)
                    }
                }
            }
        }
    }
}
