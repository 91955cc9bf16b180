import Synchronization

/// How many received frames may wait for the connection's state machine: the reader stops reading the socket (TCP
/// back-pressure) once `limit` are queued, so a peer that floods frames cannot grow the queue without bound.
final class AMQPFrameBudget: Sendable {
    private struct State {
        var queued = 0
        var waiter: CheckedContinuation<Void, Never>?
        var cancelled = false
    }

    private let limit: Int
    private let state = Mutex(State())

    /// Creates a budget of `limit` queued frames.
    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Counts a queued frame; suspends while the queue is full (until ``processed()`` or ``cancel()``).
    func queued() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                state.queued += 1
                guard state.queued >= limit, !state.cancelled else { return true }
                state.waiter = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// The state machine took a frame.
    func processed() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.queued -= 1
            guard state.queued < limit else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Releases the reader for good (the connection is ending).
    func cancel() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.cancelled = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
