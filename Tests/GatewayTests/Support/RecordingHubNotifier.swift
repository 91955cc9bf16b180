import Hub
import Provisioning
import Synchronization

/// Stands in for the gateway's connection directory: devices in `online` are connected and answer methods
/// (`slow` never answers in time), and every disconnect and desired patch is recorded.
final class RecordingHubNotifier: HubNotifier, DevicePresence {
    struct State: Sendable {
        var online: Set<String> = []
        var disconnected: [String] = []
        var desiredPatches: [String: [JSONValue]] = [:]
        var wokenForCloudToDevice: [String] = []
        var methodCalls: [DirectMethodRequest] = []
    }

    let state = Mutex(State())

    /// Marks a device connected.
    func connect(_ deviceId: String) { state.withLock { _ = $0.online.insert(deviceId) } }

    var disconnected: [String] { state.withLock { $0.disconnected } }
    var methodCalls: [DirectMethodRequest] { state.withLock { $0.methodCalls } }
    var wokenForCloudToDevice: [String] { state.withLock { $0.wokenForCloudToDevice } }
    func desiredPatches(_ deviceId: String) -> [JSONValue] { state.withLock { $0.desiredPatches[deviceId] ?? [] } }

    func isConnected(shard: String, deviceId: String, moduleId: String?) -> Bool {
        state.withLock { $0.online.contains(deviceId) }
    }

    func desiredPropertiesChanged(shard: String, deviceId: String, moduleId: String?, patch: JSONValue) async {
        state.withLock { $0.desiredPatches[deviceId, default: []].append(patch) }
    }

    func cloudToDeviceQueued(shard: String, deviceId: String) async {
        state.withLock { $0.wokenForCloudToDevice.append(deviceId) }
    }

    func invokeMethod(shard: String, deviceId: String, moduleId: String?, request: DirectMethodRequest) async throws -> DirectMethodResponse {
        let online = state.withLock { state in
            state.methodCalls.append(request)
            return state.online.contains(deviceId)
        }
        guard online else { throw HubError.deviceNotOnline(deviceId) }
        guard request.methodName != "slow" else { throw HubError.methodTimeout(deviceId) }
        return DirectMethodResponse(status: 201, payload: .object(["method": .string(request.methodName), "echo": request.payload ?? .null]))
    }

    func disconnect(shard: String, deviceId: String) async {
        state.withLock { state in
            state.disconnected.append(deviceId)
            state.online.remove(deviceId)
        }
    }
}
