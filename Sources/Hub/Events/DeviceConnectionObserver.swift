/// Told when a device's session on a shard starts or ends; the gateway calls it from its session registry.
public protocol DeviceConnectionObserver: Sendable {
    /// A session for the device (or module) was registered (`true`) or ended (`false`). Must not block.
    func connectionChanged(shard: String, deviceId: String, moduleId: String?, connected: Bool)
}
