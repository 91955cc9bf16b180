import Foundation
import Hub
import Provisioning

/// IoT Hub's `JobRequest` and `JobResponse` wire shapes of `/jobs/v2` (azure-iot-hub 2.7.0 `protocol/models`).
enum ScheduledJobDocument {
    /// The job a `PUT /jobs/v2/{id}` body asks for; `now` is the creation time and the default start.
    static func job(from body: JSONValue, pathId: String, now: Date) throws(ServiceError) -> ScheduledJob {
        guard body.objectValue != nil else { throw ServiceError.badRequest("a job request must be a JSON object") }
        if let jobId = body["jobId"], jobId != .null, text(jobId) != pathId {
            throw ServiceError.badRequest("the body's jobId differs from the job id in the path")
        }
        guard let typeText = body["type"].flatMap(text) else { throw ServiceError.badRequest("type is required") }
        guard let type = ScheduledJob.Kind(rawValue: typeText) else {
            throw ServiceError.badRequest("type '\(typeText)' is not scheduleUpdateTwin or scheduleDeviceMethod")
        }
        let condition = try optionalString(body["queryCondition"], name: "queryCondition") ?? ""
        var start = now
        if let text = try optionalString(body["startTime"], name: "startTime") {
            guard let parsed = date(text) else { throw ServiceError.badRequest("startTime must be an ISO 8601 date and time") }
            start = parsed
        }
        var maximum = 3600
        if let value = body["maxExecutionTimeInSeconds"], value != .null {
            guard let number = numeric(value), number.rounded() == number, number >= 1, number <= 31_536_000 else {
                throw ServiceError.badRequest("maxExecutionTimeInSeconds must be a whole number of seconds from 1 to 31536000")
            }
            maximum = Int(number)
        }
        var job = ScheduledJob(jobId: pathId, type: type, queryCondition: condition, createdTime: now, startTime: start,
                               maxExecutionTimeInSeconds: maximum)
        switch type {
        case .scheduleUpdateTwin:
            guard let twin = body["updateTwin"], twin.objectValue != nil else {
                throw ServiceError.badRequest("a scheduleUpdateTwin job needs an updateTwin object")
            }
            // Only what a job may change is kept: tags and desired properties (the SDK sends `etag: "*"` and nulls).
            var patch: [String: JSONValue] = [:]
            if let tags = twin["tags"], tags != .null { patch["tags"] = tags }
            if let desired = twin["properties"]?["desired"], desired != .null { patch["properties"] = .object(["desired": desired]) }
            job.updateTwin = .object(patch)
        case .scheduleDeviceMethod:
            guard let method = body["cloudToDeviceMethod"], method.objectValue != nil else {
                throw ServiceError.badRequest("a scheduleDeviceMethod job needs a cloudToDeviceMethod object")
            }
            guard let name = method["methodName"].flatMap(text) else { throw ServiceError.badRequest("cloudToDeviceMethod.methodName is required") }
            job.cloudToDeviceMethod = DirectMethodRequest(
                methodName: name, payload: method["payload"],
                responseTimeoutInSeconds: try seconds(method["responseTimeoutInSeconds"], name: "responseTimeoutInSeconds"),
                connectTimeoutInSeconds: try seconds(method["connectTimeoutInSeconds"], name: "connectTimeoutInSeconds"))
        }
        return job
    }

    /// The `JobResponse` of a job.
    static func response(_ job: ScheduledJob, statistics: DeviceJobStatistics) -> JSONValue {
        var members: [String: JSONValue] = [
            "jobId": .string(job.jobId), "type": .string(job.type.rawValue), "status": .string(job.status.rawValue),
            "queryCondition": .string(job.queryCondition),
            "createdTime": .string(RegistrationTimestamp.string(job.createdTime)),
            "startTime": .string(RegistrationTimestamp.string(job.startTime)),
            "maxExecutionTimeInSeconds": .number(Double(job.maxExecutionTimeInSeconds)),
            "deviceJobStatistics": .object([
                "deviceCount": .number(Double(statistics.deviceCount)), "failedCount": .number(Double(statistics.failedCount)),
                "succeededCount": .number(Double(statistics.succeededCount)), "runningCount": .number(Double(statistics.runningCount)),
                "pendingCount": .number(Double(statistics.pendingCount)),
            ]),
        ]
        if let endTime = job.endTime { members["endTime"] = .string(RegistrationTimestamp.string(endTime)) }
        if let reason = job.failureReason { members["failureReason"] = .string(reason) }
        if let message = job.statusMessage { members["statusMessage"] = .string(message) }
        if let twin = job.updateTwin {
            var document = twin.objectValue ?? [:]
            document["etag"] = .string("*")
            members["updateTwin"] = .object(document)
        }
        if let method = job.cloudToDeviceMethod {
            var document: [String: JSONValue] = ["methodName": .string(method.methodName), "payload": method.payload ?? .null]
            if let timeout = method.responseTimeoutInSeconds { document["responseTimeoutInSeconds"] = .number(Double(timeout)) }
            if let timeout = method.connectTimeoutInSeconds { document["connectTimeoutInSeconds"] = .number(Double(timeout)) }
            members["cloudToDeviceMethod"] = .object(document)
        }
        return .object(members)
    }

    /// An ISO 8601 date and time, with or without fractional seconds; no zone means UTC.
    static func date(_ text: String) -> Date? {
        var text = text.trimmingCharacters(in: .whitespaces)
        let hasZone = text.hasSuffix("Z") || text.hasSuffix("z") || text.dropFirst(10).contains("+") || text.dropFirst(10).contains("-")
        if !hasZone { text += "Z" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    private static func text(_ value: JSONValue) -> String? {
        if case .string(let text) = value { return text }
        return nil
    }

    private static func numeric(_ value: JSONValue) -> Double? {
        if case .number(let number) = value { return number }
        return nil
    }

    private static func optionalString(_ value: JSONValue?, name: String) throws(ServiceError) -> String? {
        guard let value, value != .null else { return nil }
        guard let text = text(value) else { throw ServiceError.badRequest("\(name) must be a string") }
        return text
    }

    private static func seconds(_ value: JSONValue?, name: String) throws(ServiceError) -> Int? {
        guard let value, value != .null else { return nil }
        guard let number = numeric(value), number.rounded() == number, abs(number) <= 1_000_000 else {
            throw ServiceError.badRequest("cloudToDeviceMethod.\(name) must be a whole number")
        }
        return Int(number)
    }
}
