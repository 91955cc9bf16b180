import Hub
import Logging
import ServiceLifecycle

/// Runs one shard's scheduled jobs (jobs v2) for the server's lifetime; jobs left running by a crash continue at
/// start-up. Stops at graceful shutdown: a job's committed steps stay, the rest run after the next start.
public struct ScheduledJobService: Service {
    let runner: ScheduledJobRunner

    /// Creates the service for `shard`, at most `concurrencyLimit` jobs running at once.
    public init(shard: HubShard, concurrencyLimit: Int = 2, logger: Logger) {
        runner = ScheduledJobRunner(shard: shard, concurrencyLimit: concurrencyLimit) { jobId, error in
            logger.error("scheduled job stopped on an error; it is retried", metadata: [
                "hub.shard": "\(shard.name)", "hub.job_id": "\(jobId)", "hub.error": "\(error)",
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
