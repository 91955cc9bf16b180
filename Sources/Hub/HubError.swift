/// A hub failure with IoT Hub's wire mapping (HTTP status, numeric error code, error name); `message` is public.
public struct HubError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status.
    public var status: Int
    /// IoT Hub error code (status × 1000 + detail), e.g. 404001.
    public var errorCode: Int
    /// IoT Hub error name, e.g. `DeviceNotFound`.
    public var name: String
    /// Safe-to-show message.
    public var message: String

    /// Creates an error.
    public init(status: Int, errorCode: Int, name: String, message: String) {
        self.status = status
        self.errorCode = errorCode
        self.name = name
        self.message = message
    }

    /// Malformed input.
    public static func badRequest(_ message: String) -> HubError { HubError(status: 400, errorCode: 400_004, name: "ArgumentInvalid", message: message) }
    /// Unknown device.
    public static func deviceNotFound(_ deviceId: String) -> HubError {
        HubError(status: 404, errorCode: 404_001, name: "DeviceNotFound", message: "device \(deviceId) does not exist on this hub")
    }
    /// Unknown module.
    public static func moduleNotFound(_ deviceId: String, _ moduleId: String) -> HubError {
        HubError(status: 404, errorCode: 404_010, name: "ModuleNotFound", message: "module \(deviceId)/\(moduleId) does not exist on this hub")
    }
    /// The device is not connected (direct methods).
    public static func deviceNotOnline(_ deviceId: String) -> HubError {
        HubError(status: 404, errorCode: 404_103, name: "DeviceNotOnline", message: "device \(deviceId) is not connected")
    }
    /// The device already exists.
    public static func deviceAlreadyExists(_ deviceId: String) -> HubError {
        HubError(status: 409, errorCode: 409_001, name: "DeviceAlreadyExists", message: "device \(deviceId) already exists")
    }
    /// ETag mismatch.
    public static func preconditionFailed(_ message: String) -> HubError {
        HubError(status: 412, errorCode: 412_001, name: "PreconditionFailed", message: message)
    }
    /// A size limit was exceeded.
    public static func tooLarge(_ message: String) -> HubError {
        HubError(status: 413, errorCode: 413_001, name: "MessageTooLarge", message: message)
    }
    /// The device's C2D queue is full.
    public static func queueFull(_ deviceId: String) -> HubError {
        HubError(status: 403, errorCode: 403_004, name: "DeviceMaximumQueueDepthExceeded", message: "device \(deviceId) already has 50 pending cloud-to-device messages")
    }
    /// A peek-lock (C2D delivery, feedback, file notification) lapsed or never existed.
    public static func lockLost(_ message: String) -> HubError {
        HubError(status: 412, errorCode: 412_002, name: "DeviceMessageLockLost", message: message)
    }
    /// The device did not answer a method in time.
    public static func methodTimeout(_ deviceId: String) -> HubError {
        HubError(status: 504, errorCode: 504_101, name: "GatewayTimeout", message: "device \(deviceId) did not answer the method in time")
    }
    /// Authentication failed.
    public static func unauthorized(_ message: String) -> HubError {
        HubError(status: 401, errorCode: 401_002, name: "IotHubUnauthorizedAccess", message: message)
    }

    /// `status name: message`.
    public var description: String { "\(status) \(name): \(message)" }
}
