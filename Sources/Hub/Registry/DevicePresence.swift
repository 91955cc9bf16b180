/// Whether devices are connected right now; the gateway knows, the registry only stores identities.
public protocol DevicePresence: Sendable {
    /// Whether the device (or module) has a live connection to `shard`.
    func isConnected(shard: String, deviceId: String, moduleId: String?) -> Bool
}

extension DeviceIdentity {
    /// The identity with `connectionState` as `presence` sees it on `shard`.
    public func withConnectionState(on shard: String, presence: (any DevicePresence)?) -> DeviceIdentity {
        guard let presence else { return self }
        var identity = self
        identity.connectionState = presence.isConnected(shard: shard, deviceId: deviceId, moduleId: nil) ? "Connected" : "Disconnected"
        return identity
    }
}
