import Hub
import Provisioning

/// A device's (or module's) live connection as the hub reaches it, whatever carries it: an MQTT session, or one device
/// of an AMQP connection (which may carry several). The directory holds one per client id and shard.
protocol HubDeviceConnection: AnyObject, Sendable {
    /// Sends a desired-properties patch when the device asked for them.
    func pushDesiredPatch(_ patch: JSONValue) async
    /// A C2D message was queued for the device: deliver what it can take.
    func deliverCloudToDevice() async
    /// Invokes a direct method and waits for the answer (or the request's response timeout).
    func invokeMethod(_ request: DirectMethodRequest) async throws -> DirectMethodResponse
}
