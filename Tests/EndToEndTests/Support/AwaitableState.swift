import Synchronization

/// A value guarded by a mutex that tasks can await a condition on, with a deadline.
///
/// Producers (reader threads, process termination handlers, NIO handlers) call ``update(_:)``;
/// consumers call ``wait(timeout:until:)``, which re-evaluates its condition after every update,
/// so tests await events instead of sleeping.
final class AwaitableState<State: Sendable>: Sendable {
    private struct Storage: Sendable {
        var value: State
        var version: UInt64 = 0
        var nextWaiter: UInt64 = 0
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    }

    private let storage: Mutex<Storage>

    /// Creates the state with an initial value.
    init(_ initial: State) {
        storage = Mutex(Storage(value: initial))
    }

    /// Mutates the value and wakes every waiter so it re-checks its condition.
    func update<T>(_ body: (inout State) -> T) -> T {
        let (result, woken) = storage.withLock { storage in
            let result = body(&storage.value)
            storage.version &+= 1
            let woken = Array(storage.waiters.values)
            storage.waiters.removeAll()
            return (result, woken)
        }
        for waiter in woken { waiter.resume() }
        return result
    }

    /// Reads the current value.
    func read<T>(_ body: (State) -> T) -> T {
        storage.withLock { body($0.value) }
    }

    /// Waits until `condition` returns a value (it may consume from the state) or `timeout` passes.
    ///
    /// - Returns: the condition's value, or nil when the deadline passed first.
    func wait<T: Sendable>(
        timeout: Duration,
        until condition: @escaping @Sendable (inout State) -> T?
    ) async -> T? {
        let result = await withTaskGroup(of: T?.self) { group in
            group.addTask { await self.waitIndefinitely(until: condition) }
            group.addTask {
                // The deadline of the race, not a wait for an event.
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        // The condition may have become true just as the deadline fired.
        return result ?? storage.withLock { condition(&$0.value) }
    }

    /// Waits for `condition` until it holds or the task is cancelled (then nil).
    private func waitIndefinitely<T: Sendable>(until condition: @Sendable (inout State) -> T?) async -> T? {
        while !Task.isCancelled {
            let (satisfied, version) = storage.withLock { storage in
                (condition(&storage.value), storage.version)
            }
            if let satisfied { return satisfied }
            let id = storage.withLock { storage in
                storage.nextWaiter &+= 1
                return storage.nextWaiter
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = storage.withLock { storage in
                        // A change since the check, or a cancellation that already ran its handler,
                        // would otherwise be a lost wake-up.
                        guard storage.version == version, !Task.isCancelled else { return true }
                        storage.waiters[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                storage.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
            }
        }
        return nil
    }
}
