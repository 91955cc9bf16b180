import Foundation
import Provisioning

/// The events a shard raises itself, in IoT Hub's shapes: application properties `hubName`, `deviceId`,
/// `operationTimestamp`, `iothub-message-schema` and `opType`; a JSON body; `iothub-message-source` naming the source.
public enum HubEvent {
    /// The `iothub-message-source` values.
    public enum Source: String, Sendable {
        case twinChange = "twinChangeEvents"
        case deviceLifecycle = "deviceLifecycleEvents"
        case deviceConnectionState = "deviceConnectionStateEvents"

        var schema: String {
            switch self {
            case .twinChange: "twinChangeNotification"
            case .deviceLifecycle: "deviceLifecycleNotification"
            case .deviceConnectionState: "deviceConnectionStateNotification"
            }
        }
    }

    /// A twin change (`opType` updateTwin): the body holds the twin version and what changed (removed members as null).
    public static func twinChange(shard: String, deviceId: String, old: DeviceTwin, new: DeviceTwin, at time: Date) -> TelemetryMessage? {
        var body: [String: JSONValue] = ["version": .number(Double(new.version))]
        var properties: [String: JSONValue] = [:]
        if let tags = patch(from: old.tags, to: new.tags) { body["tags"] = .object(tags) }
        if var desired = patch(from: old.desired, to: new.desired) {
            desired["$version"] = .number(Double(new.desiredVersion))
            properties["desired"] = .object(desired)
        }
        if var reported = patch(from: old.reported, to: new.reported) {
            reported["$version"] = .number(Double(new.reportedVersion))
            properties["reported"] = .object(reported)
        }
        guard body["tags"] != nil || !properties.isEmpty else { return nil }
        if !properties.isEmpty { body["properties"] = .object(properties) }
        return make(.twinChange, operation: "updateTwin", shard: shard, deviceId: deviceId, body: .object(body), at: time)
    }

    /// A device identity was created (`createDeviceIdentity`) or deleted (`deleteDeviceIdentity`); the body is its twin.
    public static func lifecycle(created: Bool, shard: String, device: DeviceIdentity, twin: DeviceTwin, at time: Date) -> TelemetryMessage {
        let body: JSONValue = .object([
            "deviceId": .string(device.deviceId), "etag": .string(twin.etag), "version": .number(Double(twin.version)),
            "status": .string(device.status), "tags": .object(twin.tags),
            "properties": .object([
                "desired": .object(twin.desired.merging(["$version": .number(Double(twin.desiredVersion))]) { _, new in new }),
                "reported": .object(twin.reported.merging(["$version": .number(Double(twin.reportedVersion))]) { _, new in new }),
            ]),
        ])
        return make(.deviceLifecycle, operation: created ? "createDeviceIdentity" : "deleteDeviceIdentity", shard: shard,
                    deviceId: device.deviceId, body: body, at: time)
    }

    /// A device (or module) connected (`deviceConnected`) or disconnected (`deviceDisconnected`); the body carries
    /// an increasing `sequenceNumber` so a consumer can order them.
    public static func connectionState(connected: Bool, shard: String, deviceId: String, moduleId: String?, sequenceNumber: UInt64,
                                       at time: Date) -> TelemetryMessage {
        var message = make(.deviceConnectionState, operation: connected ? "deviceConnected" : "deviceDisconnected", shard: shard,
                           deviceId: deviceId, body: .object(["sequenceNumber": .string(String(format: "%032llX", sequenceNumber))]), at: time)
        if let moduleId {
            message.moduleId = moduleId
            message.properties["moduleId"] = moduleId
            message.systemProperties["iothub-connection-module-id"] = moduleId
        }
        return message
    }

    /// Members that differ between `old` and `new`, removed ones as null; nil when nothing changed.
    static func patch(from old: [String: JSONValue], to new: [String: JSONValue]) -> [String: JSONValue]? {
        var changes: [String: JSONValue] = [:]
        for (key, value) in new where old[key] != value { changes[key] = value }
        for key in old.keys where new[key] == nil { changes[key] = .null }
        return changes.isEmpty ? nil : changes
    }

    private static func make(_ source: Source, operation: String, shard: String, deviceId: String, body: JSONValue,
                             at time: Date) -> TelemetryMessage {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let bytes = (try? encoder.encode(body)).map(Array.init) ?? Array("{}".utf8)
        let stamp = RegistrationTimestamp.string(time)
        return TelemetryMessage(
            shard: shard, deviceId: deviceId, moduleId: nil, enqueuedTime: time, body: bytes,
            properties: [
                "hubName": shard, "deviceId": deviceId, "operationTimestamp": stamp,
                "iothub-message-schema": source.schema, "opType": operation,
            ],
            systemProperties: [
                "content-type": "application/json", "content-encoding": "utf-8",
                "iothub-connection-device-id": deviceId, "iothub-enqueuedtime": stamp,
                "iothub-message-source": source.rawValue, "message-id": UUID().uuidString.lowercased(),
            ])
    }
}
