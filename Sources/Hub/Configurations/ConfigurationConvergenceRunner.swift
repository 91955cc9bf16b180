/// Keeps a shard's twins converged to its configurations: looks at devices as they are created or re-tagged, at every
/// twin when a configuration changes, and at every twin each `interval` (which also refreshes the metrics). It starts
/// with a pass over every twin, so work lost in a crash is done after the restart.
public struct ConfigurationConvergenceRunner: Sendable {
    /// The shard whose twins converge.
    public let shard: HubShard
    /// Time between full passes (metrics evaluation).
    public let interval: Duration
    /// Reports a pass that failed (it is retried on the next one).
    public let onError: @Sendable (_ error: any Error) -> Void

    /// Creates a runner.
    public init(shard: HubShard, interval: Duration = .seconds(30), onError: @escaping @Sendable (_ error: any Error) -> Void = { _ in }) {
        self.shard = shard
        self.interval = interval
        self.onError = onError
    }

    /// Runs until the task is cancelled.
    public func run() async {
        guard shard.configurationStore != nil else { return }
        let clock = ContinuousClock()
        var nextFullPass = clock.now
        shard.configurationWork.everyDeviceChanged()
        while !Task.isCancelled {
            var batch = shard.configurationWork.take() ?? ConfigurationWork.Batch(everyDevice: false, deviceIds: [])
            if clock.now >= nextFullPass { batch.everyDevice = true }
            if batch.everyDevice { nextFullPass = clock.now.advanced(by: interval) }
            if batch.everyDevice || !batch.deviceIds.isEmpty {
                do {
                    try await shard.convergeConfigurations(batch)
                } catch {
                    onError(error)
                    // Look again at what failed on the next round rather than dropping it.
                    if batch.everyDevice { shard.configurationWork.everyDeviceChanged() }
                    for id in batch.deviceIds { shard.configurationWork.deviceChanged(id) }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            await shard.configurationWork.wait(timeout: max(.zero, nextFullPass - clock.now))
        }
    }
}
