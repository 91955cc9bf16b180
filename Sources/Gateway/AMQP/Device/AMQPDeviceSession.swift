import Foundation
import Hub
import Provisioning
import Synchronization

/// One device (or module) of an AMQP connection as the hub's directory reaches it: what the hub asks of the device —
/// a queued C2D message, a desired-properties patch, a direct method — goes into the connection's loop as an input;
/// method answers come back through `finish(_:_:)`. Lives from the device's first link to its last.
final class AMQPDeviceSession: HubDeviceConnection {
    /// What the hub asked of a device on a connection.
    enum Event: Sendable {
        case cloudToDeviceQueued(AMQPDeviceIdentity)
        case desiredPatch(AMQPDeviceIdentity, JSONValue)
        case invokeMethod(AMQPDeviceIdentity, UUID, DirectMethodRequest)
        /// The device's credential lapsed (disabled, deleted, re-keyed, certificate revoked): its links close.
        case credentialLapsed(AMQPDeviceIdentity)
    }

    private struct State {
        var open = true
        var methods: [UUID: CheckedContinuation<DirectMethodResponse, any Error>] = [:]
    }

    let identity: AMQPDeviceIdentity
    private let inject: @Sendable (Event) -> Void
    private let state = Mutex(State())

    /// Creates the session of `identity`; `inject` feeds the connection's loop.
    init(identity: AMQPDeviceIdentity, inject: @escaping @Sendable (Event) -> Void) {
        self.identity = identity
        self.inject = inject
    }

    func pushDesiredPatch(_ patch: JSONValue) async {
        inject(.desiredPatch(identity, patch))
    }

    func deliverCloudToDevice() async {
        inject(.cloudToDeviceQueued(identity))
    }

    /// Sends the request through the connection and waits for the device's answer, at most the request's response
    /// timeout (IoT Hub's 30 s by default).
    func invokeMethod(_ request: DirectMethodRequest) async throws -> DirectMethodResponse {
        let id = UUID()
        let timeout = Duration.seconds(request.responseTimeoutInSeconds ?? 30)
        let deviceId = identity.deviceId
        let deadline = Task { [weak self] in
            try await Task.sleep(for: timeout)
            self?.finish(id, .failure(HubError.methodTimeout(deviceId)))
        }
        defer { deadline.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            let waiting = state.withLock { state -> Bool in
                guard state.open else { return false }
                state.methods[id] = continuation
                return true
            }
            if waiting {
                inject(.invokeMethod(identity, id, request))
            } else {
                continuation.resume(throwing: HubError.deviceNotOnline(deviceId))
            }
        }
    }

    /// The answer to method request `id` (or why there is none); a no-op for a request already finished.
    func finish(_ id: UUID, _ result: Result<DirectMethodResponse, HubError>) {
        state.withLock { $0.methods.removeValue(forKey: id) }?.resume(with: result.mapError { $0 as any Error })
    }

    /// Whether method request `id` still waits for its answer.
    func awaits(_ id: UUID) -> Bool {
        state.withLock { $0.methods[id] != nil }
    }

    /// The hub reaches the device through this session no more: waiting method calls fail as offline.
    func close() {
        let waiting = state.withLock { state in
            state.open = false
            defer { state.methods = [:] }
            return Array(state.methods.values)
        }
        for continuation in waiting { continuation.resume(throwing: HubError.deviceNotOnline(identity.deviceId)) }
    }

    /// Fails every waiting method call (the device's methods link went away) but keeps the session.
    func failMethods() {
        let waiting = state.withLock { state in
            defer { state.methods = [:] }
            return Array(state.methods.values)
        }
        for continuation in waiting { continuation.resume(throwing: HubError.deviceNotOnline(identity.deviceId)) }
    }

    /// The credential lapsed: the connection closes the device's links.
    func lapse() {
        inject(.credentialLapsed(identity))
    }
}
