import Foundation
import Provisioning

extension HubShard {
    /// Creates a scheduled job (`PUT /jobs/v2/{id}`): checks it, stores it `queued` before answering, and wakes the
    /// runner. The target devices are selected when the job starts, not now.
    public func createScheduledJob(_ job: ScheduledJob) async throws -> ScheduledJob {
        let store = try jobStorage()
        try Self.validate(job)
        guard try await store.insertJob(shard: name, job: job) else {
            throw HubError(status: 409, errorCode: 409_001, name: "JobAlreadyExists", message: "job \(job.jobId) already exists on this hub")
        }
        jobWakeup.signal()
        return job
    }

    /// A job with its per-device statistics (`GET /jobs/v2/{id}`).
    public func scheduledJob(_ jobId: String) async throws -> (job: ScheduledJob, statistics: DeviceJobStatistics) {
        let store = try jobStorage()
        guard let job = try await store.job(shard: name, jobId: jobId) else { throw Self.jobNotFound(jobId) }
        return (job, try await store.statistics(shard: name, jobId: jobId))
    }

    /// Cancels a job that has not ended (`POST /jobs/v2/{id}/cancel`): its devices not yet reached are left alone
    /// (`cancelled` in `devices.jobs`); a device step under way finishes. Cancelling an ended job changes nothing.
    public func cancelScheduledJob(_ jobId: String) async throws -> (job: ScheduledJob, statistics: DeviceJobStatistics) {
        let store = try jobStorage()
        guard var job = try await store.job(shard: name, jobId: jobId) else { throw Self.jobNotFound(jobId) }
        if !job.status.isFinal {
            job.status = .cancelled
            job.endTime = now()
            if try await store.updateJob(shard: name, job: job, unlessFinal: true) {
                try await store.endScheduledSteps(shard: name, jobId: jobId, status: .cancelled, at: now())
                jobWakeup.signal()
            }
        }
        return try await scheduledJob(jobId)
    }

    /// Jobs of this shard, newest first, optionally of one type and status (`GET /jobs/v2/query`).
    public func scheduledJobs(type: ScheduledJob.Kind?, status: ScheduledJob.Status?) async throws
        -> [(job: ScheduledJob, statistics: DeviceJobStatistics)] {
        let store = try jobStorage()
        var result: [(job: ScheduledJob, statistics: DeviceJobStatistics)] = []
        for job in try await store.jobs(shard: name, type: type, status: status) {
            result.append((job, try await store.statistics(shard: name, jobId: job.jobId)))
        }
        return result
    }

    /// Device steps of scheduled jobs, the rows of `SELECT * FROM devices.jobs`: of one device, or of every device
    /// when `deviceId` is nil, ordered by device id then job id, up to `limit` after `cursor`. Empty on a shard
    /// that keeps no jobs.
    public func deviceJobs(deviceId: String? = nil, after cursor: DeviceJobCursor? = nil, limit: Int = 1000) async throws -> [DeviceJobRecord] {
        guard let jobStore else { return [] }
        return try await jobStore.deviceJobs(shard: name, deviceId: deviceId, after: cursor, limit: max(0, limit))
    }

    func jobStorage() throws(HubError) -> any DeviceJobStore {
        guard let jobStore else {
            throw HubError(status: 501, errorCode: 501_000, name: "NotImplemented", message: "this shard keeps no scheduled jobs")
        }
        return jobStore
    }

    static func jobNotFound(_ jobId: String) -> HubError {
        HubError(status: 404, errorCode: 404_002, name: "JobNotFound", message: "job \(jobId) does not exist on this hub")
    }

    private static func validate(_ job: ScheduledJob) throws(HubError) {
        let allowed = Set("-.+%_#*?!(),:=@$'")
        guard (1...128).contains(job.jobId.count),
              job.jobId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || allowed.contains($0)) })
        else { throw .badRequest("a job id is 1–128 ASCII letters, digits or -.+%_#*?!(),:=@$' characters") }
        guard job.maxExecutionTimeInSeconds > 0 else { throw .badRequest("maxExecutionTimeInSeconds must be positive") }
        do {
            _ = try TwinQuery(parsing: job.targetQuery)
        } catch {
            throw HubError(status: 400, errorCode: 400_004, name: "ArgumentInvalid", message: "queryCondition: \(error.description)")
        }
        switch job.type {
        case .scheduleUpdateTwin:
            guard let patch = job.updateTwin, patch.objectValue != nil else {
                throw .badRequest("a scheduleUpdateTwin job needs an updateTwin object")
            }
            let tags = patch["tags"]?.objectValue
            let desired = patch["properties"]?["desired"]?.objectValue
            for (section, value) in [("tags", patch["tags"]), ("properties.desired", patch["properties"]?["desired"])] {
                if let value, value != .null, value.objectValue == nil { throw .badRequest("updateTwin.\(section) must be a JSON object") }
            }
            guard tags != nil || desired != nil else {
                throw .badRequest("updateTwin needs tags or properties.desired")
            }
            if let tags { try TwinMemberLimits.check(tags, section: "tags") }
            if let desired { try TwinMemberLimits.check(desired.filter { !$0.key.hasPrefix("$") }, section: "desired properties") }
        case .scheduleDeviceMethod:
            guard let method = job.cloudToDeviceMethod else {
                throw .badRequest("a scheduleDeviceMethod job needs a cloudToDeviceMethod")
            }
            try method.validate()
        }
    }
}
