import Hub
import Logging
import ServiceLifecycle

/// Runs one shard's import and export jobs for the server's lifetime; a job left running by a crash runs again.
public struct ImportExportJobService: Service {
    let runner: ImportExportJobRunner

    /// Creates the service for `shard`, reaching containers through `containers`.
    public init(shard: HubShard, containers: any BlobContainerResolver) {
        runner = ImportExportJobRunner(shard: shard, containers: containers)
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await runner.run()
        }
    }
}
