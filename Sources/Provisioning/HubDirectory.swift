/// The seam between DPS and the hub shards: which hubs exist and how a device is set up on one.
/// In one process it calls the shards directly; split, it calls their service APIs.
public protocol HubDirectory: Sendable {
    /// The linked hubs.
    var hubs: [HubDescriptor] { get }
    /// Creates or updates the device identity and applies its twin; durable when it returns. Idempotent.
    func provision(_ device: DeviceProvisioning, on hub: HubDescriptor) async throws
    /// Removes the device identity (no error when absent).
    func deprovision(deviceId: String, from hub: HubDescriptor) async throws
    /// The device's current twin (`{"tags":…, "properties":{"desired":…}}`), for migration; nil when absent.
    func twin(deviceId: String, on hub: HubDescriptor) async throws -> JSONValue?
}

/// A linked hub as allocation sees it.
public struct HubDescriptor: Sendable, Equatable, Hashable {
    /// Shard name.
    public var name: String
    /// Host name devices dial; what `assignedHub` says.
    public var hostName: String
    /// Allocation weight; 0 means policies never pick it (it can still be named explicitly).
    public var weight: Int
    /// Region label.
    public var region: String
    /// Measured or configured latency, for geoLatency.
    public var latencyMilliseconds: Double?

    /// Creates a descriptor.
    public init(name: String, hostName: String, weight: Int = 1, region: String = "local", latencyMilliseconds: Double? = nil) {
        self.name = name
        self.hostName = hostName
        self.weight = weight
        self.region = region
        self.latencyMilliseconds = latencyMilliseconds
    }
}

/// What DPS asks a hub to set up for a device.
public struct DeviceProvisioning: Sendable, Equatable {
    /// Device id on the hub.
    public var deviceId: String
    /// How the device will authenticate to the hub.
    public var authentication: DeviceAuthentication
    /// The twin to apply (tags and desired properties).
    public var twin: JSONValue?
    /// Replace the whole twin (reset) instead of merging into an existing one.
    public var replaceTwin: Bool
    /// Capabilities.
    public var capabilities: DeviceCapabilities?
    /// The Plug and Play model id the device named in its registration payload (`{"modelId": "dtmi:…"}`).
    public var modelId: String?

    /// Creates a request.
    public init(deviceId: String, authentication: DeviceAuthentication, twin: JSONValue?, replaceTwin: Bool, capabilities: DeviceCapabilities?,
                modelId: String? = nil) {
        self.modelId = modelId
        self.deviceId = deviceId
        self.authentication = authentication
        self.twin = twin
        self.replaceTwin = replaceTwin
        self.capabilities = capabilities
    }
}

/// How a hub device authenticates.
public enum DeviceAuthentication: Sendable, Equatable {
    /// SAS with these Base64 keys.
    case symmetricKey(primaryKey: String, secondaryKey: String)
    /// A client certificate with these SHA-1 thumbprints (upper-case hex).
    case selfSigned(primaryThumbprint: String, secondaryThumbprint: String?)
    /// A client certificate chaining to a trusted CA.
    case certificateAuthority
}
