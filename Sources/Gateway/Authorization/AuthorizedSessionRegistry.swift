import Synchronization

/// Every open device session of the process with its `SessionBinding` and a way to close it, whatever its protocol:
/// revocation, enrollment and registry changes report a `CredentialLapse` here once, and each session it ends is
/// closed. A session registers before its credentials are read and unregisters when it ends, so a lapse committed
/// while it is being admitted still reaches it.
public final class AuthorizedSessionRegistry: Sendable {
    /// A registered session's handle, for `unregister(_:)`.
    public struct Registration: Sendable, Hashable {
        let id: UInt64
    }

    private struct Entry {
        var binding: SessionBinding
        var close: @Sendable () -> Void
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextId: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates an empty registry.
    public init() {}

    /// Tracks a session; `close` must be safe to call from any task, more than once (e.g. closing its channel).
    public func register(_ binding: SessionBinding, close: @escaping @Sendable () -> Void) -> Registration {
        state.withLock { state in
            state.nextId &+= 1
            state.entries[state.nextId] = Entry(binding: binding, close: close)
            return Registration(id: state.nextId)
        }
    }

    /// Forgets a session that ended (or was refused); a no-op once a lapse closed it.
    public func unregister(_ registration: Registration) {
        _ = state.withLock { $0.entries.removeValue(forKey: registration.id) }
    }

    /// Closes and forgets every session `lapse` ends; returns how many.
    @discardableResult
    public func close(_ lapse: CredentialLapse) -> Int {
        // A linear pass: lapses are rare (an operator's action), sessions many; closing happens outside the lock.
        let ended = state.withLock { state -> [Entry] in
            let ids = state.entries.compactMap { lapse.ends($0.value.binding) ? $0.key : nil }
            return ids.compactMap { state.entries.removeValue(forKey: $0) }
        }
        for entry in ended { entry.close() }
        return ended.count
    }

    /// The bindings of the open sessions (for diagnostics and tests).
    public var bindings: [SessionBinding] {
        state.withLock { $0.entries.values.map(\.binding) }
    }
}
