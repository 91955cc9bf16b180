import Foundation

/// A device registry that raises twin-change and lifecycle events for every write, stored in the same transaction
/// as the write (so routing sees exactly the committed changes, even across a crash). Reads pass through.
///
/// Wrapping the registry, rather than the shard's operations, catches every writer: the service API, device
/// reported-property patches and DPS provisioning through `HubDirectory`.
public struct EventRecordingDeviceRegistry: EnumerableDeviceRegistry {
    let base: any EnumerableDeviceRegistry
    let events: any HubEventStore
    let now: @Sendable () -> Date
    let recorded: @Sendable (_ shard: String) -> Void
    let wants: @Sendable (_ shard: String, _ source: HubEvent.Source) -> Bool

    /// Wraps `base`; `events` stores writes together with their events; `recorded` runs after each commit that raised
    /// one. `wants` says whether anything would take events of a source now (a route listening to it): events nobody
    /// routes are not raised, as in IoT Hub, which routes events when they happen.
    public init(base: any EnumerableDeviceRegistry, events: any HubEventStore, now: @escaping @Sendable () -> Date = Date.init,
                recorded: @escaping @Sendable (_ shard: String) -> Void = { _ in },
                wants: @escaping @Sendable (_ shard: String, _ source: HubEvent.Source) -> Bool = { _, _ in true }) {
        self.base = base
        self.events = events
        self.now = now
        self.recorded = recorded
        self.wants = wants
    }

    /// Reads through (one read for both).
    public func deviceAndTwin(shard: String, deviceId: String) async throws -> (DeviceIdentity?, DeviceTwin?) {
        try await base.deviceAndTwin(shard: shard, deviceId: deviceId)
    }

    /// Reads through.
    public func device(shard: String, deviceId: String) async throws -> DeviceIdentity? {
        try await base.device(shard: shard, deviceId: deviceId)
    }

    /// Reads through.
    public func twin(shard: String, deviceId: String) async throws -> DeviceTwin? {
        try await base.twin(shard: shard, deviceId: deviceId)
    }

    /// Reads through.
    public func deviceCount(shard: String) async throws -> Int {
        try await base.deviceCount(shard: shard)
    }

    /// Reads through.
    public func devices(shard: String, after cursor: String?, limit: Int) async throws -> [DeviceRecord] {
        try await base.devices(shard: shard, after: cursor, limit: limit)
    }

    /// Saves, raising `createDeviceIdentity` for a new device or a twin change when tags or properties changed.
    public func save(shard: String, device: DeviceIdentity, twin: DeviceTwin) async throws {
        let lifecycle = wants(shard, .deviceLifecycle)
        let changes = wants(shard, .twinChange)
        guard lifecycle || changes else { return try await base.save(shard: shard, device: device, twin: twin) }
        let time = now()
        var raised: [TelemetryMessage] = []
        let (existing, old) = try await base.deviceAndTwin(shard: shard, deviceId: device.deviceId)
        if existing == nil {
            if lifecycle { raised.append(HubEvent.lifecycle(created: true, shard: shard, device: device, twin: twin, at: time)) }
        } else if changes, let old,
                  let change = HubEvent.twinChange(shard: shard, deviceId: device.deviceId, old: old, new: twin, at: time) {
            raised.append(change)
        }
        guard !raised.isEmpty else { return try await base.save(shard: shard, device: device, twin: twin) }
        try await events.save(shard: shard, device: device, twin: twin, recording: raised)
        recorded(shard)
    }

    /// Deletes, raising `deleteDeviceIdentity` when the device existed.
    @discardableResult
    public func delete(shard: String, deviceId: String) async throws -> Bool {
        guard wants(shard, .deviceLifecycle) else { return try await base.delete(shard: shard, deviceId: deviceId) }
        let (existing, stored) = try await base.deviceAndTwin(shard: shard, deviceId: deviceId)
        guard let identity = existing else { return false }
        let twin = stored ?? DeviceTwin(etag: "")
        let event = HubEvent.lifecycle(created: false, shard: shard, device: identity, twin: twin, at: now())
        let deleted = try await events.delete(shard: shard, deviceId: deviceId, recording: [event])
        if deleted { recorded(shard) }
        return deleted
    }
}
