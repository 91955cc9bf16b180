import Foundation
import Hub
import Logging
import ServiceLifecycle
import Synchronization

/// Runs routing for every shard under the ServiceGroup: a router per shard, a worker per partition of each webhook
/// and storage endpoint (started and stopped as `PUT /routing` changes them), retention, and the recorder that
/// stores connection-state events.
public struct RoutingService: Service {
    /// What the service needs from the rest of the server.
    public struct Dependencies: Sendable {
        /// Durable telemetry (the outbox the router reads).
        public var telemetry: any TelemetryStore
        /// Durable hub events.
        public var hubEvents: any HubEventStore
        /// Twins for `$twin` conditions and enrichments.
        public var twins: any DeviceRegistry
        /// Sends webhook requests.
        public var webhooks: any WebhookTransport
        /// Stores connection-state events, if the gateway reports connections.
        public var connectionEvents: ConnectionEventRecorder?

        /// Creates the dependencies.
        public init(telemetry: any TelemetryStore, hubEvents: any HubEventStore, twins: any DeviceRegistry,
                    webhooks: any WebhookTransport, connectionEvents: ConnectionEventRecorder? = nil) {
            self.telemetry = telemetry
            self.hubEvents = hubEvents
            self.twins = twins
            self.webhooks = webhooks
            self.connectionEvents = connectionEvents
        }
    }

    let shards: [ShardRouting]
    let dependencies: Dependencies
    let batchSize: Int
    let retentionInterval: Duration
    let sleep: @Sendable (Duration) async throws -> Void
    let now: @Sendable () -> Date
    let logger: Logger

    /// Creates the service; `sleep` and `now` are injected so tests control back-off and time.
    public init(shards: [ShardRouting], dependencies: Dependencies, batchSize: Int = 512, retentionInterval: Duration = .seconds(60),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
                now: @escaping @Sendable () -> Date = Date.init, logger: Logger) {
        self.shards = shards
        self.dependencies = dependencies
        self.batchSize = batchSize
        self.retentionInterval = retentionInterval
        self.sleep = sleep
        self.now = now
        self.logger = logger
    }

    /// Runs until graceful shutdown (or cancellation).
    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            await runAll()
        }
    }

    /// Everything the service runs, until cancelled.
    func runAll() async {
        let running = WorkerClaims()
        await withDiscardingTaskGroup { group in
            if let recorder = dependencies.connectionEvents {
                group.addTask { await recorder.run() }
            }
            for routing in shards {
                let router = MessageRouter(routing: routing, telemetry: dependencies.telemetry, hubEvents: dependencies.hubEvents,
                                           twins: dependencies.twins, batchSize: batchSize, sleep: sleep, now: now, logger: logger)
                group.addTask { await router.run() }
                let retention = EventRetention(routing: routing, interval: retentionInterval, sleep: sleep, now: now, logger: logger)
                group.addTask { await retention.run() }
            }
            // Endpoint workers come and go with the configuration; this loop starts the missing ones.
            while !Task.isCancelled {
                let versions = shards.map(\.reconfigured.version)
                for routing in shards {
                    for worker in missingWorkers(routing, running: running) {
                        group.addTask {
                            await worker.run()
                            running.release(worker.key)
                            routing.reconfigured.notify()
                        }
                    }
                }
                await Self.waitForAnyChange(shards, since: versions)
            }
        }
    }

    /// One partition worker of a webhook or storage endpoint.
    private struct Worker: Sendable {
        let key: String
        let body: @Sendable () async -> Void

        func run() async { await body() }
    }

    private func missingWorkers(_ routing: ShardRouting, running: WorkerClaims) -> [Worker] {
        var workers: [Worker] = []
        for endpoint in routing.currentTable.endpoints.values.sorted(by: { $0.name < $1.name }) where endpoint.type != .eventLog {
            for partition in 0..<endpoint.effectivePartitionCount {
                let key = "\(routing.shard)/\(endpoint.name)/\(partition)"
                // A worker with older settings is still draining; it stops on its own and this runs again.
                guard running.claim(key) else { continue }
                switch endpoint.type {
                case .webhook:
                    let delivery = WebhookDelivery(routing: routing, endpoint: endpoint, partition: partition, transport: dependencies.webhooks,
                                                   sleep: sleep, now: now, logger: logger)
                    workers.append(Worker(key: key, body: { await delivery.run() }))
                case .storage:
                    let writer = StorageEndpointWriter(routing: routing, endpoint: endpoint, partition: partition, sleep: sleep, now: now,
                                                       logger: logger)
                    workers.append(Worker(key: key, body: { await writer.run() }))
                case .eventLog:
                    break
                }
            }
        }
        return workers
    }

    /// Returns when any shard's configuration changed since `versions`, a worker ended, or a minute passed.
    private static func waitForAnyChange(_ shards: [ShardRouting], since versions: [UInt64]) async {
        await withTaskGroup(of: Void.self) { group in
            for (routing, version) in zip(shards, versions) {
                group.addTask { await routing.reconfigured.wait(since: version, timeout: .seconds(60)) }
            }
            await group.next()
            group.cancelAll()
        }
    }
}

/// The partition workers running, by `shard/endpoint/partition`.
final class WorkerClaims: Sendable {
    private let keys = Mutex<Set<String>>([])

    /// Claims `key`; false when a worker holds it.
    func claim(_ key: String) -> Bool {
        keys.withLock { $0.insert(key).inserted }
    }

    /// Releases `key` when its worker ended.
    func release(_ key: String) {
        _ = keys.withLock { $0.remove(key) }
    }
}
