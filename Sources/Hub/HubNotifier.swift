import Provisioning

/// How the hub reaches connected devices; the gateway implements it over their MQTT sessions.
public protocol HubNotifier: Sendable {
    /// Pushes a desired-properties patch (with `$version`) to the device, if connected.
    func desiredPropertiesChanged(shard: String, deviceId: String, moduleId: String?, patch: JSONValue) async
    /// Tells the device's session that C2D messages wait.
    func cloudToDeviceQueued(shard: String, deviceId: String) async
    /// Calls a method on the connected device and waits for its answer (`HubError.deviceNotOnline`, `.methodTimeout`).
    func invokeMethod(shard: String, deviceId: String, moduleId: String?, request: DirectMethodRequest) async throws -> DirectMethodResponse
    /// Closes the device's connection (deleted, disabled, credentials changed).
    func disconnect(shard: String, deviceId: String) async
}
