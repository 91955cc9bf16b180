import Foundation
import Provisioning

/// One device's step of a job, as `SELECT * FROM devices.jobs` shows it.
public struct DeviceJobRecord: Sendable, Equatable {
    /// A device step's state (IoT Hub's `devices.jobs` status values).
    public enum Status: String, Sendable, CaseIterable {
        /// Not reached yet.
        case scheduled
        /// Being worked on.
        case running
        /// Applied (twin written, or the device answered the method).
        case completed
        /// Could not be applied (`error` says why).
        case failed
        /// Left unreached by a cancel or the job's time limit.
        case cancelled
    }

    /// Device id.
    public var deviceId: String
    /// Job id.
    public var jobId: String
    /// The job's type.
    public var jobType: ScheduledJob.Kind
    /// State.
    public var status: Status
    /// When the job created the step.
    public var createdTime: Date
    /// When the step started.
    public var startTime: Date?
    /// When the step ended.
    public var endTime: Date?
    /// Last change.
    public var lastUpdatedTime: Date
    /// The device's method answer (`{"deviceMethodResponse":{"status":…,"payload":…}}`) for method jobs.
    public var outcome: JSONValue?
    /// The failure (`{"code":…,"description":…}`).
    public var error: JSONValue?

    /// Creates a record.
    public init(deviceId: String, jobId: String, jobType: ScheduledJob.Kind, status: Status, createdTime: Date, startTime: Date? = nil,
                endTime: Date? = nil, lastUpdatedTime: Date, outcome: JSONValue? = nil, error: JSONValue? = nil) {
        self.deviceId = deviceId
        self.jobId = jobId
        self.jobType = jobType
        self.status = status
        self.createdTime = createdTime
        self.startTime = startTime
        self.endTime = endTime
        self.lastUpdatedTime = lastUpdatedTime
        self.outcome = outcome
        self.error = error
    }

    /// The `devices.jobs` document IoT Hub's query returns.
    public var document: JSONValue {
        var members: [String: JSONValue] = [
            "deviceId": .string(deviceId), "jobId": .string(jobId), "jobType": .string(jobType.rawValue),
            "status": .string(status.rawValue),
            "createdDateTimeUtc": .string(RegistrationTimestamp.string(createdTime)),
            "lastUpdatedDateTimeUtc": .string(RegistrationTimestamp.string(lastUpdatedTime)),
        ]
        if let startTime { members["startTimeUtc"] = .string(RegistrationTimestamp.string(startTime)) }
        if let endTime { members["endTimeUtc"] = .string(RegistrationTimestamp.string(endTime)) }
        if let outcome { members["outcome"] = outcome }
        if let error { members["error"] = error }
        return .object(members)
    }
}

/// The result of one device's step, written when the step ends.
public struct DeviceJobStepResult: Sendable, Equatable {
    /// Device id.
    public var deviceId: String
    /// `completed` or `failed` (or `cancelled` for steps given up).
    public var status: DeviceJobRecord.Status
    /// The method answer, for method jobs.
    public var outcome: JSONValue?
    /// The failure.
    public var error: JSONValue?

    /// Creates a result.
    public init(deviceId: String, status: DeviceJobRecord.Status, outcome: JSONValue? = nil, error: JSONValue? = nil) {
        self.deviceId = deviceId
        self.status = status
        self.outcome = outcome
        self.error = error
    }

    /// A failed step from a hub error: `{"code": name, "description": message}`.
    public static func failed(_ deviceId: String, _ error: HubError) -> DeviceJobStepResult {
        DeviceJobStepResult(deviceId: deviceId, status: .failed,
                            error: .object(["code": .string(error.name), "description": .string(error.message)]))
    }
}
