import Synchronization

/// Counts open connections per source address and in total, across every listener that shares it, and decides
/// whether one more may be served. A refusal reports whether it is the first since the address (or the process)
/// was last under its limit, so the caller logs a flood once instead of once per attempt.
public final class ConnectionLimiter: Sendable {
    /// What ``acquire(address:)`` decided.
    public enum Admission: Equatable, Sendable {
        /// Served: call ``release(address:)`` when the connection closes.
        case admitted
        /// The address already holds `perAddress` connections; `firstRefusal` is true once per episode.
        case refusedForAddress(firstRefusal: Bool)
        /// The process already holds `total` connections; `firstRefusal` is true once per episode.
        case refusedTotal(firstRefusal: Bool)
    }

    private struct Source {
        var open = 0
        var refusing = false
    }

    private struct State {
        var sources: [String: Source] = [:]
        var total = 0
        var refusingTotal = false
    }

    /// Connections one source address may hold open at once.
    public let perAddress: Int
    /// Connections the process serves at once over all listeners sharing this limiter.
    public let total: Int
    private let state = Mutex(State())

    /// Creates a limiter; both bounds are at least 1.
    public init(perAddress: Int, total: Int) {
        self.perAddress = max(1, perAddress)
        self.total = max(1, total)
    }

    /// Takes a slot for a new connection from `address` (an IP address without port).
    public func acquire(address: String) -> Admission {
        state.withLock { state in
            if state.total >= total {
                defer { state.refusingTotal = true }
                return .refusedTotal(firstRefusal: !state.refusingTotal)
            }
            var source = state.sources[address] ?? Source()
            if source.open >= perAddress {
                let first = !source.refusing
                source.refusing = true
                state.sources[address] = source
                return .refusedForAddress(firstRefusal: first)
            }
            source.open += 1
            state.sources[address] = source
            state.total += 1
            return .admitted
        }
    }

    /// Gives back the slot of a closed connection from `address`.
    public func release(address: String) {
        state.withLock { state in
            guard var source = state.sources[address], source.open > 0 else { return }
            source.open -= 1
            state.total -= 1
            if state.total < total { state.refusingTotal = false }
            if source.open == 0 {
                state.sources[address] = nil
            } else {
                if source.open < perAddress { source.refusing = false }
                state.sources[address] = source
            }
        }
    }

    /// Connections open now from `address`.
    public func openConnections(address: String) -> Int {
        state.withLock { $0.sources[address]?.open ?? 0 }
    }

    /// Connections open now in total.
    public var openConnections: Int {
        state.withLock { $0.total }
    }
}
