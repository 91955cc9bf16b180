import Hub
import Provisioning
import Synchronization

/// The live device sessions of every shard and the subscriptions each client id keeps across reconnects
/// (the Azure SDK never re-subscribes after its SAS-renewal reconnect). Implements `HubNotifier`.
public final class HubConnectionDirectory: HubNotifier {
    private struct Key: Hashable {
        var shard: String
        var clientId: String
    }

    private struct State {
        var sessions: [Key: HubDeviceSession] = [:]
        var subscriptions: [Key: Set<HubSubscription>] = [:]
    }

    private let state = Mutex(State())

    /// Creates an empty directory.
    public init() {}

    /// Subscriptions remembered for a client id; `clean` forgets them (clean-session CONNECT).
    func restoreSubscriptions(shard: String, clientId: String, clean: Bool) -> Set<HubSubscription>? {
        state.withLock { state in
            let key = Key(shard: shard, clientId: clientId)
            if clean {
                state.subscriptions[key] = nil
                return nil
            }
            return state.subscriptions[key]
        }
    }

    func saveSubscriptions(_ subscriptions: Set<HubSubscription>, shard: String, clientId: String) {
        state.withLock { $0.subscriptions[Key(shard: shard, clientId: clientId)] = subscriptions }
    }

    func register(_ session: HubDeviceSession, shard: String, clientId: String) {
        state.withLock { $0.sessions[Key(shard: shard, clientId: clientId)] = session }
    }

    func unregister(_ session: HubDeviceSession, shard: String, clientId: String) {
        state.withLock { state in
            let key = Key(shard: shard, clientId: clientId)
            if state.sessions[key] === session { state.sessions[key] = nil }
        }
    }

    /// Whether a device has a live session on a shard.
    public func isConnected(shard: String, deviceId: String, moduleId: String? = nil) -> Bool {
        session(shard: shard, deviceId: deviceId, moduleId: moduleId) != nil
    }

    private func session(shard: String, deviceId: String, moduleId: String?) -> HubDeviceSession? {
        let clientId = moduleId.map { "\(deviceId)/\($0)" } ?? deviceId
        return state.withLock { $0.sessions[Key(shard: shard, clientId: clientId)] }
    }

    public func desiredPropertiesChanged(shard: String, deviceId: String, moduleId: String?, patch: JSONValue) async {
        await session(shard: shard, deviceId: deviceId, moduleId: moduleId)?.pushDesiredPatch(patch)
    }

    public func cloudToDeviceQueued(shard: String, deviceId: String) async {
        await session(shard: shard, deviceId: deviceId, moduleId: nil)?.deliverCloudToDevice()
    }

    public func invokeMethod(shard: String, deviceId: String, moduleId: String?, request: DirectMethodRequest) async throws -> DirectMethodResponse {
        guard let session = session(shard: shard, deviceId: deviceId, moduleId: moduleId) else {
            throw HubError.deviceNotOnline(deviceId)
        }
        return try await session.invokeMethod(request)
    }

    public func disconnect(shard: String, deviceId: String) async {
        let sessions = state.withLock { state in
            state.sessions.filter { $0.key.shard == shard && ($0.key.clientId == deviceId || $0.key.clientId.hasPrefix("\(deviceId)/")) }.map(\.value)
        }
        for session in sessions { await session.close() }
    }
}
