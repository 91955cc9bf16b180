/// Per-device progress of a job (`deviceJobStatistics`): every target device is in exactly one of pending, running,
/// succeeded or failed, except the ones a cancel or the time limit left unreached, which count only in `deviceCount`.
public struct DeviceJobStatistics: Codable, Sendable, Equatable {
    /// Target devices.
    public var deviceCount: Int
    /// Devices whose step failed.
    public var failedCount: Int
    /// Devices whose step succeeded.
    public var succeededCount: Int
    /// Devices being worked on.
    public var runningCount: Int
    /// Devices not yet reached.
    public var pendingCount: Int

    /// Creates statistics.
    public init(deviceCount: Int = 0, failedCount: Int = 0, succeededCount: Int = 0, runningCount: Int = 0, pendingCount: Int = 0) {
        self.deviceCount = deviceCount
        self.failedCount = failedCount
        self.succeededCount = succeededCount
        self.runningCount = runningCount
        self.pendingCount = pendingCount
    }
}
