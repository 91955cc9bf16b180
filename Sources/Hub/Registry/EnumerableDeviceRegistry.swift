/// A device registry that can also walk a shard's devices in id order (device listing, statistics, twin queries).
///
/// Separate from `DeviceRegistry` so registries that only serve devices (tests, split deployments) need not scan.
public protocol EnumerableDeviceRegistry: DeviceRegistry {
    /// Up to `limit` devices of `shard` whose lower-cased id sorts after `cursor` (nil: from the start),
    /// ordered by lower-cased id.
    func devices(shard: String, after cursor: String?, limit: Int) async throws -> [DeviceRecord]
}

/// One registered device: its identity and its twin, as stored together.
public struct DeviceRecord: Sendable, Equatable {
    /// The identity.
    public var identity: DeviceIdentity
    /// The twin.
    public var twin: DeviceTwin

    /// Creates a record.
    public init(identity: DeviceIdentity, twin: DeviceTwin) {
        self.identity = identity
        self.twin = twin
    }

    /// The key the registry orders and pages by (ids match case-insensitively).
    public var key: String { identity.deviceId.lowercased() }
}
