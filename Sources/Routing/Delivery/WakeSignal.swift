import Synchronization

/// A change counter that tasks can wait on: producers `notify()`, consumers read `version`, look for work, and
/// when there is none `wait(since:timeout:)` — a notification between the read and the wait is never lost.
public final class WakeSignal: Sendable {
    private struct State {
        var version: UInt64 = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Creates a signal.
    public init() {}

    /// The current version; pass it to `wait(since:timeout:)`.
    public var version: UInt64 { state.withLock { $0.version } }

    /// Bumps the version and wakes every waiter.
    public func notify() {
        let woken = state.withLock { state in
            state.version &+= 1
            let woken = Array(state.waiters.values)
            state.waiters.removeAll()
            return woken
        }
        for waiter in woken { waiter.resume() }
    }

    /// Returns once the version differs from `version`, after `timeout`, or when the task is cancelled.
    public func wait(since version: UInt64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForChange(since: version) }
            group.addTask {
                // The deadline of the race (a poll interval or a long-poll limit), not a wait for an event.
                try? await Task.sleep(for: timeout)
            }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForChange(since version: UInt64) async {
        let id = state.withLock { state in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    guard state.version == version, !Task.isCancelled else { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
