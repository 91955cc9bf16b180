/// Where a routed message comes from: a route listens to one source.
public enum RoutingSource: String, Sendable, Codable, CaseIterable, Equatable {
    /// Device-to-cloud telemetry.
    case deviceMessages = "DeviceMessages"
    /// Changes of tags, desired or reported properties.
    case twinChangeEvents = "TwinChangeEvents"
    /// Device identities created or deleted.
    case deviceLifecycleEvents = "DeviceLifecycleEvents"
    /// Devices connected or disconnected.
    case deviceConnectionStateEvents = "DeviceConnectionStateEvents"

    /// The `iothub-message-source` system property of messages from this source.
    public var messageSource: String {
        switch self {
        case .deviceMessages: "Telemetry"
        case .twinChangeEvents: "twinChangeEvents"
        case .deviceLifecycleEvents: "deviceLifecycleEvents"
        case .deviceConnectionStateEvents: "deviceConnectionStateEvents"
        }
    }

    /// The source named by an `iothub-message-source` value (absent or unknown: device messages).
    public init(messageSource: String?) {
        self = Self.allCases.first { $0.messageSource == messageSource } ?? .deviceMessages
    }
}
