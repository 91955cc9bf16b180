import Foundation

/// A routed message as an endpoint receives it: body, application properties (enrichments included) and system properties.
public struct EventRecord: Sendable, Equatable {
    /// The device it came from or is about.
    public var deviceId: String
    /// The module, if any.
    public var moduleId: String?
    /// Body bytes as sent.
    public var body: [UInt8]
    /// Application properties.
    public var properties: [String: String]
    /// System properties (`iothub-connection-device-id`, `iothub-enqueuedtime`, `iothub-message-source`, …).
    public var systemProperties: [String: String]

    /// Creates a record.
    public init(deviceId: String, moduleId: String? = nil, body: [UInt8], properties: [String: String], systemProperties: [String: String]) {
        self.deviceId = deviceId
        self.moduleId = moduleId
        self.body = body
        self.properties = properties
        self.systemProperties = systemProperties
    }
}
