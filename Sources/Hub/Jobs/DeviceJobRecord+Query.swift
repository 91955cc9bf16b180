import Foundation
import Provisioning

extension DeviceJobRecord {
    /// The document `FROM devices.jobs` queries read: IoT Hub's device job shape (`deviceId`, `jobId`, `jobType`,
    /// `status`, UTC times, `outcome`, `error`).
    public var queryDocument: JSONValue {
        var document: [String: JSONValue] = [
            "deviceId": .string(deviceId),
            "jobId": .string(jobId),
            "jobType": .string(jobType.rawValue),
            "status": .string(status.rawValue),
            "createdDateTimeUtc": .string(createdTime.formatted(.iso8601)),
            "lastUpdatedDateTimeUtc": .string(lastUpdatedTime.formatted(.iso8601)),
        ]
        if let startTime { document["startTimeUtc"] = .string(startTime.formatted(.iso8601)) }
        if let endTime { document["endTimeUtc"] = .string(endTime.formatted(.iso8601)) }
        if let outcome { document["outcome"] = outcome }
        if let error { document["error"] = error }
        return .object(document)
    }
}
