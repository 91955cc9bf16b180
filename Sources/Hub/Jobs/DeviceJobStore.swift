import Foundation

/// Durable storage of a shard's scheduled jobs and of each target device's step. Every method is one transaction, so
/// a job resumes after a crash exactly where its last commit left it.
public protocol DeviceJobStore: Sendable {
    /// Stores a new job; false when the shard already has a job with this id.
    func insertJob(shard: String, job: ScheduledJob) async throws -> Bool
    /// One job.
    func job(shard: String, jobId: String) async throws -> ScheduledJob?
    /// Jobs of a shard, newest first, optionally of one type and status.
    func jobs(shard: String, type: ScheduledJob.Kind?, status: ScheduledJob.Status?) async throws -> [ScheduledJob]
    /// Replaces a job's stored state; with `unlessFinal`, leaves a job already completed, failed or cancelled alone and
    /// answers false.
    func updateJob(shard: String, job: ScheduledJob, unlessFinal: Bool) async throws -> Bool
    /// Marks the job running and stores its target devices (each `scheduled`), in one transaction, unless it is final.
    func startJob(shard: String, job: ScheduledJob, targets: [String]) async throws -> Bool
    /// Up to `limit` device ids of the job still `scheduled`, in id order.
    func scheduledDevices(shard: String, jobId: String, limit: Int) async throws -> [String]
    /// Marks steps still `scheduled` as `running` (a method call is about to go out); returns the ids marked, so a
    /// step cancelled meanwhile is not started.
    func startSteps(shard: String, jobId: String, deviceIds: [String], at time: Date) async throws -> Set<String>
    /// Puts `running` steps back to `scheduled`: after a restart, a call that was under way is made again.
    func rescheduleRunningSteps(shard: String, jobId: String) async throws
    /// Records step results (method jobs and failed steps); a step already ended keeps its first result.
    func recordSteps(shard: String, jobId: String, results: [DeviceJobStepResult], at time: Date) async throws
    /// Writes twins of completed twin-update steps, their hub events and the steps' completion in ONE transaction:
    /// a step still `scheduled` is written, one already ended is skipped (so a twin is never updated twice).
    /// Returns the ids of the devices written.
    func commitTwinSteps(shard: String, jobId: String, writes: [DeviceJobTwinWrite], events: [TelemetryMessage],
                         at time: Date) async throws -> Set<String>
    /// Gives up every step still `scheduled` (cancel, time limit) with `status`.
    func endScheduledSteps(shard: String, jobId: String, status: DeviceJobRecord.Status, at time: Date) async throws
    /// The job's per-device counts.
    func statistics(shard: String, jobId: String) async throws -> DeviceJobStatistics
    /// Device steps, for `devices.jobs`: of one device, or of every device (nil), in device-then-job order.
    func deviceJobs(shard: String, deviceId: String?, after cursor: DeviceJobCursor?, limit: Int) async throws -> [DeviceJobRecord]
}

/// A twin a twin-update job writes for one device.
public struct DeviceJobTwinWrite: Sendable {
    /// The device identity (unchanged).
    public var identity: DeviceIdentity
    /// The updated twin.
    public var twin: DeviceTwin

    /// Creates a write.
    public init(identity: DeviceIdentity, twin: DeviceTwin) {
        self.identity = identity
        self.twin = twin
    }
}

/// Where a `deviceJobs` listing goes on: after this device's step of this job.
public struct DeviceJobCursor: Sendable, Hashable {
    /// Device id of the last record returned.
    public var deviceId: String
    /// Job id of the last record returned.
    public var jobId: String

    /// Creates a cursor.
    public init(deviceId: String, jobId: String) {
        self.deviceId = deviceId
        self.jobId = jobId
    }
}
