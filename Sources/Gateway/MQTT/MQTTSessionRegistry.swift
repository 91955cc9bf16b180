import NIOCore
import Synchronization

/// Live connections of one listener, and which one holds each client id (MQTT allows one).
public final class MQTTSessionRegistry: Sendable {
    private struct State {
        var connections: [ObjectIdentifier: any Channel] = [:]
        var clientOwners: [String: ObjectIdentifier] = [:]
        var shuttingDown = false
    }

    private let state = Mutex(State())

    /// Creates an empty registry.
    public init() {}

    /// Tracks a new connection; returns false (and the caller closes it) once shutdown began.
    func track(_ channel: any Channel) -> Bool {
        state.withLock { state in
            guard !state.shuttingDown else { return false }
            state.connections[ObjectIdentifier(channel)] = channel
            return true
        }
    }

    /// Makes `channel` the owner of `clientId`; returns the connection it displaces, which the caller closes.
    func claim(clientId: String, for channel: any Channel) -> (any Channel)? {
        state.withLock { state in
            let id = ObjectIdentifier(channel)
            let previous = state.clientOwners.updateValue(id, forKey: clientId)
            guard let previous, previous != id else { return nil }
            return state.connections[previous]
        }
    }

    /// Forgets a closed connection, and its client id if it still owns it.
    func release(_ channel: any Channel, clientId: String?) {
        state.withLock { state in
            let id = ObjectIdentifier(channel)
            state.connections[id] = nil
            if let clientId, state.clientOwners[clientId] == id {
                state.clientOwners[clientId] = nil
            }
        }
    }

    /// Whether a client id currently has a live connection.
    public func isConnected(clientId: String) -> Bool {
        state.withLock { $0.clientOwners[clientId] != nil }
    }

    /// The number of open connections.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Refuses new connections and closes every open one.
    func closeAll() {
        let channels = state.withLock { state in
            state.shuttingDown = true
            return Array(state.connections.values)
        }
        for channel in channels { channel.close(promise: nil) }
    }
}
