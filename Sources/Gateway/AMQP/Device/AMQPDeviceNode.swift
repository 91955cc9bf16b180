/// A device's (or module's) own node on a shard: `devices/{id}[/modules/{m}]/…` — telemetry, C2D, direct methods or
/// the twin. Ids are case-sensitive; the keywords around them are not (the C and C# SDKs spell them differently).
struct AMQPDeviceNode: Sendable, Hashable {
    /// Which of the device's nodes.
    enum Kind: Sendable, Hashable {
        /// `messages/events`: the device sends telemetry.
        case telemetry
        /// `messages/devicebound`: the device receives C2D messages.
        case cloudToDevice
        /// `methods/devicebound`: requests go to the device on its receiver, answers come back on its sender.
        case methods
        /// `twin`: requests come on the device's sender, replies and desired patches go out on its receiver.
        case twin
    }

    var identity: AMQPDeviceIdentity
    var kind: Kind

    /// Parses the segments of a path that starts with `devices`; nil when they name no device node.
    init?(segments: [String]) {
        guard segments.count >= 3, segments[0].lowercased() == "devices", !segments[1].isEmpty else { return nil }
        var rest = segments.dropFirst(2)
        var moduleId: String?
        if rest.count >= 2, rest.first?.lowercased() == "modules" {
            moduleId = rest.dropFirst().first
            rest = rest.dropFirst(2)
        }
        switch rest.map({ $0.lowercased() }) {
        case ["messages", "events"]: kind = .telemetry
        case ["messages", "devicebound"]: kind = .cloudToDevice
        case ["methods", "devicebound"]: kind = .methods
        case ["twin"]: kind = .twin
        default: return nil
        }
        identity = AMQPDeviceIdentity(deviceId: segments[1], moduleId: moduleId)
    }
}

/// A device, or one of its modules, on an AMQP connection.
struct AMQPDeviceIdentity: Sendable, Hashable, CustomStringConvertible {
    var deviceId: String
    var moduleId: String?

    /// `device` or `device/module`, the client id the hub's directory keys sessions by.
    var clientId: String { moduleId.map { "\(deviceId)/\($0)" } ?? deviceId }
    var description: String { clientId }
}

extension AMQPDeviceNode {
    /// Creates a node value directly.
    init(identity: AMQPDeviceIdentity, kind: Kind) {
        self.identity = identity
        self.kind = kind
    }
}
