import Foundation
import Gateway
import Hub
import Logging
import Routing
import Storage

/// Everything routing adds to a server: each shard's `ShardRouting` (its routing from the database, else from
/// `Policies/routing-*.yaml` in the working directory, else the built-in default), the registry that raises twin and
/// lifecycle events, the telemetry store that wakes the routers, the connection-event recorder and the service.
struct RoutingSetup: Sendable {
    let shards: [String: ShardRouting]
    let registry: EventRecordingDeviceRegistry
    let telemetryStore: RoutedTelemetryStore<ProvisioDatabase, ProvisioDatabase>
    let connectionEvents: ConnectionEventRecorder
    let database: ProvisioDatabase

    /// Opens every shard's routing; a policy file that does not validate stops the start with its reason.
    static func open(database: ProvisioDatabase, shardNames: [String], policies: URL, logger: Logger) async throws -> RoutingSetup {
        let documents: [RoutingPolicyDocument]
        do {
            documents = try RoutingPolicyDocument.load(directory: policies)
        } catch {
            throw ConfigurationError(error.message)
        }
        var shards: [String: ShardRouting] = [:]
        for name in shardNames {
            // A file naming the shard wins over one for every shard; two of the same kind are ambiguous.
            let named = documents.filter { $0.hubs?.contains(name) == true }
            let general = documents.filter { $0.hubs == nil }
            guard named.count <= 1, !named.isEmpty || general.count <= 1 else {
                throw ConfigurationError("more than one routing policy in \(policies.path) applies to shard \(name)")
            }
            let initial = (named.first ?? general.first)?.routing ?? RoutingConfiguration()
            shards[name] = try await ShardRouting.open(shard: name, store: database, initial: initial, logger: logger)
        }
        let wake: @Sendable (String) -> Void = { [shards] shard in shards[shard]?.intake.notify() }
        logger.info("routing open", metadata: ["routing.policies": "\(documents.count)", "routing.shards": "\(shards.count)"])
        return RoutingSetup(
            shards: shards,
            registry: EventRecordingDeviceRegistry(
                base: database, events: database, recorded: wake,
                wants: { [shards] shard, source in
                    shards[shard]?.currentTable.routes(RoutingSource(messageSource: source.rawValue)) ?? true
                }),
            telemetryStore: RoutedTelemetryStore(base: database, eventLog: database, routing: shards, notify: wake),
            connectionEvents: ConnectionEventRecorder(store: database, recorded: wake),
            database: database)
    }

    /// The service running every shard's router and endpoint workers.
    func service(logger: Logger) -> RoutingService {
        RoutingService(
            shards: shards.keys.sorted().compactMap { shards[$0] },
            dependencies: .init(telemetry: telemetryStore, hubEvents: database, twins: database, webhooks: NIOWebhookTransport(),
                                connectionEvents: connectionEvents),
            logger: logger)
    }
}
