/// A shard's durable device registry: identities and twins.
public protocol DeviceRegistry: Sendable {
    /// One device of `shard`.
    func device(shard: String, deviceId: String) async throws -> DeviceIdentity?
    /// One device's twin.
    func twin(shard: String, deviceId: String) async throws -> DeviceTwin?
    /// A device and its twin, read together (nil, nil when the device does not exist).
    func deviceAndTwin(shard: String, deviceId: String) async throws -> (DeviceIdentity?, DeviceTwin?)
    /// Creates or replaces a device and its twin together, atomically and durably.
    func save(shard: String, device: DeviceIdentity, twin: DeviceTwin) async throws
    /// Deletes a device and its twin; false when it did not exist.
    @discardableResult
    func delete(shard: String, deviceId: String) async throws -> Bool
    /// Number of devices on a shard.
    func deviceCount(shard: String) async throws -> Int
}

extension DeviceRegistry {
    /// Two reads; a store that keeps both in one row answers in one.
    public func deviceAndTwin(shard: String, deviceId: String) async throws -> (DeviceIdentity?, DeviceTwin?) {
        (try await device(shard: shard, deviceId: deviceId), try await twin(shard: shard, deviceId: deviceId))
    }
}
