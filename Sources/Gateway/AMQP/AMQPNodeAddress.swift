/// What a link's address names on a shard, whichever spelling the client uses (`amqps://{host}[:port]/…` or a bare
/// path, with or without the leading `/`; IoT Hub paths compare case-insensitively, as C and C# clients differ).
enum AMQPNodeAddress: Sendable, Equatable {
    /// `$cbs`: claims-based security (put-token).
    case claimsBasedSecurity
    /// `$management` or `{entity}/$management`: Event Hubs READ requests.
    case management
    /// `{entity}/ConsumerGroups/{group}/Partitions/{partition}` of the Event Hubs-compatible endpoint.
    case eventHubsPartition(entity: String, consumerGroup: String, partition: String)
    /// `messages/events/…` on the hub's own name: Azure answers with a redirect to the Event Hubs-compatible address;
    /// `suffix` is what follows `messages/events/` (`ConsumerGroups/{cg}/Partitions/{p}` or `$management`).
    case hubEventsRedirect(suffix: String)
    /// `/messages/devicebound`: the service's C2D sender link.
    case cloudToDevice
    /// `/messages/serviceBound/feedback`: delivery feedback for the service.
    case feedback
    /// `/messages/serviceBound/filenotifications`: file-upload notifications for the service.
    case fileNotifications
    /// A device's or module's own telemetry, C2D, methods or twin node.
    case device(AMQPDeviceNode)
    /// Anything else (answered with `amqp:not-found`).
    case unknown(String)

    /// Parses a link source or target address.
    init(_ address: String) {
        let path = Self.path(of: address)
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let lowered = segments.map { $0.lowercased() }
        if let device = AMQPDeviceNode(segments: segments) {
            self = .device(device)
            return
        }
        switch lowered.count {
        case 1 where lowered[0] == "$cbs":
            self = .claimsBasedSecurity
        case 1 where lowered[0] == "$management", 2 where lowered[1] == "$management" && lowered[0] != "events":
            self = .management
        case 2 where lowered == ["messages", "devicebound"]:
            self = .cloudToDevice
        case 3 where lowered == ["messages", "servicebound", "feedback"]:
            self = .feedback
        case 3 where lowered == ["messages", "servicebound", "filenotifications"]:
            self = .fileNotifications
        case 5 where lowered[1] == "consumergroups" && lowered[3] == "partitions":
            self = .eventHubsPartition(entity: segments[0], consumerGroup: segments[2], partition: segments[4])
        case 3... where lowered[0] == "messages" && lowered[1] == "events":
            self = .hubEventsRedirect(suffix: segments.dropFirst(2).joined(separator: "/"))
        default:
            self = .unknown(path)
        }
    }

    /// The path of an address: without `amqp[s]://host[:port]` and without the leading `/`.
    static func path(of address: String) -> String {
        var rest = Substring(address)
        for scheme in ["amqps://", "amqp://", "sb://"] where rest.lowercased().hasPrefix(scheme) {
            rest = rest.dropFirst(scheme.count)
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? ""
            break
        }
        while rest.first == "/" { rest = rest.dropFirst() }
        return String(rest)
    }
}
