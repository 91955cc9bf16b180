/// Durable storage of the events a shard raises itself (twin changes, device lifecycle, connection state), kept
/// apart from device telemetry and read by routing after a stored cursor, like telemetry.
public protocol HubEventStore: Sendable {
    /// Appends events in one transaction.
    func appendHubEvents(_ events: [TelemetryMessage]) async throws
    /// Events of a shard after `sequenceNumber`, oldest first.
    func hubEvents(shard: String, after sequenceNumber: Int64, limit: Int) async throws -> [StoredTelemetryMessage]
    /// Creates or replaces a device and its twin and appends `events`, all in one transaction.
    func save(shard: String, device: DeviceIdentity, twin: DeviceTwin, recording events: [TelemetryMessage]) async throws
    /// Deletes a device and its twin and appends `events` if it existed, in one transaction; false when it did not exist.
    func delete(shard: String, deviceId: String, recording events: [TelemetryMessage]) async throws -> Bool
}
