import Hub
import Logging
import ServiceLifecycle

/// Keeps one shard's twins converged to its automatic device configurations for the server's lifetime; starts with a
/// pass over every twin, so convergence cut short by a crash finishes after the restart.
public struct ConfigurationConvergenceService: Service {
    let runner: ConfigurationConvergenceRunner

    /// Creates the service for `shard`, with a full pass (and metrics evaluation) every `interval`.
    public init(shard: HubShard, interval: Duration, logger: Logger) {
        runner = ConfigurationConvergenceRunner(shard: shard, interval: interval) { error in
            logger.error("configuration convergence failed; it is retried", metadata: [
                "hub.shard": "\(shard.name)", "hub.error": "\(error)",
            ])
        }
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await runner.run()
        }
    }
}
