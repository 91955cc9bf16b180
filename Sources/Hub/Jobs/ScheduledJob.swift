import Foundation
import Provisioning

/// A scheduled job of IoT Hub's jobs v2 API (`PUT /jobs/v2/{id}`): a twin update or a direct method applied to every
/// device a query condition selects, from a start time on, for at most a maximum execution time.
public struct ScheduledJob: Codable, Sendable, Equatable {
    /// What the job does to each device.
    public enum Kind: String, Codable, Sendable {
        /// Merges tags and desired properties into each twin.
        case scheduleUpdateTwin
        /// Calls a direct method on each device.
        case scheduleDeviceMethod
    }

    /// IoT Hub's job states: `queued` on creation, `scheduled` while a future start time is pending, `running`,
    /// then `completed`, `failed` or `cancelled`.
    public enum Status: String, Codable, Sendable, CaseIterable {
        case queued, scheduled, running, completed, failed, cancelled

        /// Whether the job can no longer change.
        public var isFinal: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    /// Job id (unique per shard).
    public var jobId: String
    /// What the job does.
    public var type: Kind
    /// The `WHERE` condition selecting the devices (without `WHERE`).
    public var queryCondition: String
    /// When the job was created.
    public var createdTime: Date
    /// When the job may start.
    public var startTime: Date
    /// When the job reached a final state.
    public var endTime: Date?
    /// How long the job may run from `startTime` before the devices not yet reached are given up.
    public var maxExecutionTimeInSeconds: Int
    /// The twin patch (`{"tags":…, "properties":{"desired":…}}`) of a twin-update job.
    public var updateTwin: JSONValue?
    /// The method call of a method job.
    public var cloudToDeviceMethod: DirectMethodRequest?
    /// Current state.
    public var status: Status
    /// Why the job failed.
    public var failureReason: String?
    /// A note on the current state.
    public var statusMessage: String?

    /// Creates a job in the `queued` state.
    public init(jobId: String, type: Kind, queryCondition: String, createdTime: Date, startTime: Date, maxExecutionTimeInSeconds: Int,
                updateTwin: JSONValue? = nil, cloudToDeviceMethod: DirectMethodRequest? = nil) {
        self.jobId = jobId
        self.type = type
        self.queryCondition = queryCondition
        self.createdTime = createdTime
        self.startTime = startTime
        self.maxExecutionTimeInSeconds = maxExecutionTimeInSeconds
        self.updateTwin = updateTwin
        self.cloudToDeviceMethod = cloudToDeviceMethod
        status = .queued
    }

    /// The moment the job runs out of time.
    public var deadline: Date { startTime.addingTimeInterval(TimeInterval(maxExecutionTimeInSeconds)) }

    /// The twin query selecting the job's devices.
    public var targetQuery: String {
        let condition = queryCondition.trimmingCharacters(in: .whitespacesAndNewlines)
        return condition.isEmpty ? "SELECT * FROM devices" : "SELECT * FROM devices WHERE \(condition)"
    }
}
