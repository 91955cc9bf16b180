/// Device counts of one shard (`GET /statistics/devices`).
public struct RegistryStatistics: Sendable, Equatable, Codable {
    /// All devices.
    public var totalDeviceCount: Int
    /// Devices with status `enabled`.
    public var enabledDeviceCount: Int
    /// Devices with status `disabled`.
    public var disabledDeviceCount: Int

    /// Creates statistics.
    public init(totalDeviceCount: Int, enabledDeviceCount: Int, disabledDeviceCount: Int) {
        self.totalDeviceCount = totalDeviceCount
        self.enabledDeviceCount = enabledDeviceCount
        self.disabledDeviceCount = disabledDeviceCount
    }
}
