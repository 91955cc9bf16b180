/// A shard's durable device registry: identities and twins.
public protocol DeviceRegistry: Sendable {
    /// One device of `shard`.
    func device(shard: String, deviceId: String) async throws -> DeviceIdentity?
    /// One device's twin.
    func twin(shard: String, deviceId: String) async throws -> DeviceTwin?
    /// Creates or replaces a device and its twin together, atomically and durably.
    func save(shard: String, device: DeviceIdentity, twin: DeviceTwin) async throws
    /// Deletes a device and its twin; false when it did not exist.
    @discardableResult
    func delete(shard: String, deviceId: String) async throws -> Bool
    /// Number of devices on a shard.
    func deviceCount(shard: String) async throws -> Int
}
