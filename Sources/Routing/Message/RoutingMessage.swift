import Foundation
import Hub

/// What a route condition sees: one message or hub event with its properties and body.
public struct RoutingMessage: Sendable, Equatable {
    /// Which source it came from.
    public var source: RoutingSource
    /// The device it is about.
    public var deviceId: String
    /// The module, if any.
    public var moduleId: String?
    /// When the hub accepted it.
    public var enqueuedTime: Date
    /// Body bytes as sent.
    public var body: [UInt8]
    /// Application properties.
    public var applicationProperties: [String: String]
    /// System properties by service name (`content-type`, `iothub-connection-device-id`, …).
    public var systemProperties: [String: String]

    /// Creates a message.
    public init(source: RoutingSource, deviceId: String, moduleId: String? = nil, enqueuedTime: Date, body: [UInt8],
                applicationProperties: [String: String] = [:], systemProperties: [String: String] = [:]) {
        self.source = source
        self.deviceId = deviceId
        self.moduleId = moduleId
        self.enqueuedTime = enqueuedTime
        self.body = body
        self.applicationProperties = applicationProperties
        self.systemProperties = systemProperties
    }

    /// A stored hub message; the source is its `iothub-message-source`.
    public init(_ message: TelemetryMessage) {
        self.init(source: RoutingSource(messageSource: message.systemProperties["iothub-message-source"]),
                  deviceId: message.deviceId, moduleId: message.moduleId, enqueuedTime: message.enqueuedTime, body: message.body,
                  applicationProperties: message.properties, systemProperties: message.systemProperties)
    }
}
