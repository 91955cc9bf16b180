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
        var sessions: [Key: any HubDeviceConnection] = [:]
        var subscriptions: [Key: Set<HubSubscription>] = [:]
        var arrivals: [Key: [UInt64: CheckedContinuation<Void, Never>]] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Told when sessions start and end (connection-state events for routing).
    private let observer: (any DeviceConnectionObserver)?

    /// Every authorized session of the process (DPS too), which disconnects close through.
    public let sessions: AuthorizedSessionRegistry

    /// Creates an empty directory; `observer` hears of every session registered and ended.
    public init(observer: (any DeviceConnectionObserver)? = nil, sessions: AuthorizedSessionRegistry = AuthorizedSessionRegistry()) {
        self.observer = observer
        self.sessions = sessions
    }

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

    func register(_ session: any HubDeviceConnection, shard: String, clientId: String) {
        let waiting = state.withLock { state in
            let key = Key(shard: shard, clientId: clientId)
            state.sessions[key] = session
            return state.arrivals.removeValue(forKey: key).map { Array($0.values) } ?? []
        }
        for waiter in waiting { waiter.resume() }
        notifyObserver(shard: shard, clientId: clientId, connected: true)
    }

    /// The client's session, waiting up to `timeout` for it to connect (a method's `connectTimeoutInSeconds`).
    private func awaitSession(shard: String, clientId: String, waitingUpTo timeout: Duration) async -> (any HubDeviceConnection)? {
        let key = Key(shard: shard, clientId: clientId)
        if let session = state.withLock({ $0.sessions[key] }) { return session }
        guard timeout > .zero else { return nil }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let connected = self.state.withLock { state -> Bool in
                        if state.sessions[key] != nil { return true }
                        state.arrivals[key, default: [:]][id] = continuation
                        return false
                    }
                    if connected { continuation.resume() }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                // The deadline passed: release the waiter if the device never came.
                let waiter = self.state.withLock { $0.arrivals[key]?.removeValue(forKey: id) }
                waiter?.resume()
            }
            await group.next()
            group.cancelAll()
        }
        return state.withLock { $0.sessions[key] }
    }

    func unregister(_ session: any HubDeviceConnection, shard: String, clientId: String) {
        let removed = state.withLock { state in
            let key = Key(shard: shard, clientId: clientId)
            guard state.sessions[key] === session else { return false }
            state.sessions[key] = nil
            return true
        }
        if removed { notifyObserver(shard: shard, clientId: clientId, connected: false) }
    }

    private func notifyObserver(shard: String, clientId: String, connected: Bool) {
        guard let observer else { return }
        let parts = clientId.split(separator: "/", maxSplits: 1).map(String.init)
        observer.connectionChanged(shard: shard, deviceId: parts.first ?? clientId, moduleId: parts.count > 1 ? parts[1] : nil,
                                   connected: connected)
    }

    /// Whether a device has a live session on a shard.
    public func isConnected(shard: String, deviceId: String, moduleId: String? = nil) -> Bool {
        session(shard: shard, deviceId: deviceId, moduleId: moduleId) != nil
    }

    private func session(shard: String, deviceId: String, moduleId: String?) -> (any HubDeviceConnection)? {
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
        let clientId = moduleId.map { "\(deviceId)/\($0)" } ?? deviceId
        let connectTimeout = Duration.seconds(request.connectTimeoutInSeconds ?? 0)
        guard let session = await awaitSession(shard: shard, clientId: clientId, waitingUpTo: connectTimeout) else {
            throw HubError.deviceNotOnline(deviceId)
        }
        return try await session.invokeMethod(request)
    }

    /// Closes the sessions of a device and its modules on `shard` (`deviceId` may name one module as `device/module`).
    /// Goes through the session registry, so it reaches every protocol's session and every spelling of the id.
    public func disconnect(shard: String, deviceId: String) async {
        let parts = deviceId.split(separator: "/", maxSplits: 1).map(String.init)
        sessions.close(.device(shard: shard, deviceId: parts.first ?? deviceId, moduleId: parts.count > 1 ? parts[1] : nil))
    }

    /// Closes a device's sessions on every shard: the hook revocation uses when a device's certificate is revoked.
    public func disconnectEverywhere(deviceId: String) async {
        sessions.close(.device(shard: nil, deviceId: deviceId, moduleId: nil))
    }
}
