/// What a claims-based-security token is presented for on one hub, in canonical form: the many spellings clients
/// use (`sb://{host}/{entity}`, `https://{host}`, `{host}/devices/{id}`, …) reduce to one of these.
public enum ClaimsAudience: Sendable, Hashable, CustomStringConvertible {
    /// The whole hub: `https://{host}`, `{host}`, `sb://{host}/` (service links; devices with a hub-policy token).
    case hub
    /// The hub's Event Hubs-compatible entity (`sb://{host}/{entity}`, `{host}/messages/events`), or one consumer
    /// group of it (`sb://{host}/{entity}/consumergroups/{group}`; group names compare case-insensitively).
    case eventHub(consumerGroup: String?)
    /// One device, or one of its modules (`{host}/devices/{device}[/modules/{module}]`; ids are case-sensitive).
    case device(deviceId: String, moduleId: String?)

    /// Whether a token scoped to `self` may be used for `other`: a scope covers everything beneath it.
    public func covers(_ other: ClaimsAudience) -> Bool {
        switch (self, other) {
        case (.hub, _):
            true
        case (.eventHub(nil), .eventHub):
            true
        case (.eventHub(let granted?), .eventHub(let wanted?)):
            granted.lowercased() == wanted.lowercased()
        case (.device(let device, nil), .device(let wanted, _)):
            device == wanted
        case (.device(let device, let module?), .device(let wantedDevice, let wantedModule?)):
            device == wantedDevice && module == wantedModule
        default:
            false
        }
    }

    /// A short public form for errors and logs (ids are not secrets).
    public var description: String {
        switch self {
        case .hub: "hub"
        case .eventHub(let group?): "event hub consumer group \(group)"
        case .eventHub(nil): "event hub"
        case .device(let device, let module?): "module \(device)/\(module)"
        case .device(let device, nil): "device \(device)"
        }
    }
}
