/// Picks the hub for a device among the eligible candidates.
public protocol AllocationPolicy: Sendable {
    /// Returns the chosen hub (and, for custom allocation, a twin override and a payload for the device).
    func allocate(_ request: AllocationRequest) async throws -> AllocationDecision
}

/// What a policy decides from.
public struct AllocationRequest: Sendable {
    /// The attested device.
    public var device: AttestedDevice
    /// Eligible hubs (after the enrollment's `iotHubs` and weights are applied), never empty.
    public var candidates: [HubDescriptor]
    /// Every linked hub (custom allocation lists them).
    public var linkedHubs: [HubDescriptor]
    /// The device's registration payload.
    public var payload: JSONValue?
    /// The hub the device is on now, for re-registration.
    public var currentHub: HubDescriptor?

    /// Creates a request.
    public init(device: AttestedDevice, candidates: [HubDescriptor], linkedHubs: [HubDescriptor], payload: JSONValue?, currentHub: HubDescriptor?) {
        self.device = device
        self.candidates = candidates
        self.linkedHubs = linkedHubs
        self.payload = payload
        self.currentHub = currentHub
    }
}

/// A policy's answer.
public struct AllocationDecision: Sendable, Equatable {
    /// The chosen hub.
    public var hub: HubDescriptor
    /// A twin that replaces the enrollment's initial twin (custom allocation).
    public var initialTwin: JSONValue?
    /// Data returned to the device in `registrationState.payload`.
    public var payload: JSONValue?

    /// Creates a decision.
    public init(hub: HubDescriptor, initialTwin: JSONValue? = nil, payload: JSONValue? = nil) {
        self.hub = hub
        self.initialTwin = initialTwin
        self.payload = payload
    }
}

/// Which hubs an enrollment may land on: its `iotHubs` (or legacy `iotHubHostName`) if given — named hubs are
/// eligible even with weight 0 — else every linked hub with a weight above 0.
public enum AllocationCandidates {
    /// The eligible hubs, or `allocationFailed` when none remain.
    public static func eligible(settings: EnrollmentSettings, linkedHubs: [HubDescriptor]) throws -> [HubDescriptor] {
        let named = (settings.iotHubs ?? []) + (settings.iotHubHostName.map { [$0] } ?? [])
        if !named.isEmpty {
            let wanted = Set(named.map { $0.lowercased() })
            let hubs = linkedHubs.filter { wanted.contains($0.hostName.lowercased()) }
            guard !hubs.isEmpty else {
                throw ProvisioningError.allocationFailed("none of the enrollment's hubs (\(named.joined(separator: ", "))) is linked")
            }
            return hubs
        }
        let hubs = linkedHubs.filter { $0.weight > 0 }
        guard !hubs.isEmpty else { throw ProvisioningError.allocationFailed("no linked hub takes part in allocation") }
        return hubs
    }
}
