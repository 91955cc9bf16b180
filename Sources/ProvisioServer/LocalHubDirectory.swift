import Foundation
import Hub
import Provisioning

/// The in-process `HubDirectory`: DPS sets devices up directly in the bundled shards' registry.
struct LocalHubDirectory: HubDirectory {
    let hubs: [HubDescriptor]
    let registry: any DeviceRegistry
    /// Closes a device's hub sessions when re-provisioning deletes it from its old shard or changes its credential.
    var notifier: (any HubNotifier)? = nil

    func provision(_ device: DeviceProvisioning, on hub: HubDescriptor) async throws {
        let now = RegistrationTimestamp.string(Date())
        let (existing, storedTwin) = try await registry.deviceAndTwin(shard: hub.name, deviceId: device.deviceId)
        var identity = existing ?? DeviceIdentity(
            deviceId: device.deviceId, generationId: Self.generationId(), etag: "",
            authentication: AuthenticationMechanism(device.authentication), now: now)
        // DPS answers the id as this registration spelled it, and hub ids are case-sensitive: the hub takes the same
        // spelling, so the id a device is told is the one it can connect as (sessions under the old one end below).
        identity.deviceId = device.deviceId
        identity.authentication = AuthenticationMechanism(device.authentication)
        identity.capabilities = device.capabilities ?? identity.capabilities
        identity.etag = Self.etag()
        var twin = storedTwin ?? DeviceTwin(etag: Self.etag())
        if device.twin != nil || device.replaceTwin {
            twin.apply(initialTwin: device.twin, replace: device.replaceTwin, now: Date())
            twin.etag = Self.etag()
        }
        // A PnP device names its model in the registration payload; the hub shows it as the twin's modelId.
        if let modelId = device.modelId, DigitalTwinModelId.isValid(modelId), twin.modelId != modelId {
            twin.modelId = modelId
            twin.etag = Self.etag()
        }
        try await registry.save(shard: hub.name, device: identity, twin: twin)
        if let existing, existing.authentication != identity.authentication || existing.deviceId != identity.deviceId {
            await notifier?.disconnect(shard: hub.name, deviceId: existing.deviceId)
        }
    }

    func deprovision(deviceId: String, from hub: HubDescriptor) async throws {
        try await registry.delete(shard: hub.name, deviceId: deviceId)
        await notifier?.disconnect(shard: hub.name, deviceId: deviceId)
    }

    func twin(deviceId: String, on hub: HubDescriptor) async throws -> JSONValue? {
        try await registry.twin(shard: hub.name, deviceId: deviceId)?.document
    }

    static func etag() -> String {
        Data(UUID().uuidString.utf8).base64EncodedString()
    }

    static func generationId() -> String {
        String(UInt64.random(in: 100_000_000_000_000_000...999_999_999_999_999_999))
    }
}
