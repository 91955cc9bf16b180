import Synchronization

/// The ids of the jobs a runner has under way, shared between its scheduling loop and the job tasks.
final class ActiveJobs: Sendable {
    private let ids = Mutex(Set<String>())

    /// How many jobs run.
    var count: Int { ids.withLock { $0.count } }

    /// Whether the job runs.
    func contains(_ jobId: String) -> Bool { ids.withLock { $0.contains(jobId) } }

    /// Records a started job.
    func insert(_ jobId: String) { _ = ids.withLock { $0.insert(jobId) } }

    /// Records an ended job.
    func remove(_ jobId: String) { _ = ids.withLock { $0.remove(jobId) } }
}
