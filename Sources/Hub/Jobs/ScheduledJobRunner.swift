import Foundation

/// Runs a shard's scheduled jobs: those due start (at most `concurrencyLimit` at once, the rest stay `queued`),
/// those with a future start time show `scheduled`, and jobs found `running` at start-up (a restart) continue.
public struct ScheduledJobRunner: Sendable {
    /// The shard whose jobs run.
    public let shard: HubShard
    /// Jobs running at once on this shard.
    public let concurrencyLimit: Int
    /// Longest wait between looks at the store (a start time may come due).
    public let idleInterval: Duration
    /// Reports a job that stopped on an error (it is retried on the next look).
    public let onError: @Sendable (_ jobId: String, _ error: any Error) -> Void

    /// Creates a runner.
    public init(shard: HubShard, concurrencyLimit: Int = 2, idleInterval: Duration = .seconds(1),
                onError: @escaping @Sendable (_ jobId: String, _ error: any Error) -> Void = { _, _ in }) {
        self.shard = shard
        self.concurrencyLimit = max(1, concurrencyLimit)
        self.idleInterval = idleInterval
        self.onError = onError
    }

    /// Runs until the task is cancelled.
    public func run() async {
        guard let store = shard.jobStore else { return }
        do {
            try await settleEndedJobs(store: store)
        } catch {
            onError("*", error)
        }
        let active = ActiveJobs()
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                do {
                    try await schedule(store: store, active: active, group: &group)
                } catch {
                    onError("*", error)
                }
                await shard.jobWakeup.wait(timeout: idleInterval)
            }
            group.cancelAll()
        }
    }

    private func schedule(store: any DeviceJobStore, active: ActiveJobs, group: inout TaskGroup<Void>) async throws {
        let open = try await store.jobs(shard: shard.name, type: nil, status: nil)
            .filter { !$0.status.isFinal }
            .sorted { ($0.status == .running ? 0 : 1, $0.createdTime) < ($1.status == .running ? 0 : 1, $1.createdTime) }
        let now = shard.now()
        for job in open where !active.contains(job.jobId) {
            if job.startTime > now {
                if job.status != .scheduled { try await mark(job, .scheduled, store: store) }
                continue
            }
            guard active.count < concurrencyLimit else {
                if job.status != .queued && job.status != .running { try await mark(job, .queued, store: store) }
                continue
            }
            active.insert(job.jobId)
            let shard = shard
            let onError = onError
            group.addTask {
                do {
                    try await shard.runScheduledJob(job.jobId)
                } catch {
                    onError(job.jobId, error)
                }
                active.remove(job.jobId)
                shard.jobWakeup.signal()
            }
        }
    }

    /// A job cancelled (or out of time) while method calls were under way, and then stopped by a crash before those
    /// calls were recorded, would show them `running` for ever: at start-up they are given up as `cancelled`.
    private func settleEndedJobs(store: any DeviceJobStore) async throws {
        for status in [ScheduledJob.Status.cancelled, .failed] {
            for job in try await store.jobs(shard: shard.name, type: .scheduleDeviceMethod, status: status)
            where try await store.statistics(shard: shard.name, jobId: job.jobId).runningCount > 0 {
                try await store.rescheduleRunningSteps(shard: shard.name, jobId: job.jobId)
                try await store.endScheduledSteps(shard: shard.name, jobId: job.jobId, status: .cancelled, at: shard.now())
            }
        }
    }

    private func mark(_ job: ScheduledJob, _ status: ScheduledJob.Status, store: any DeviceJobStore) async throws {
        var changed = job
        changed.status = status
        _ = try await store.updateJob(shard: shard.name, job: changed, unlessFinal: true)
    }
}
