import Synchronization

/// What the shard's configuration convergence still has to look at: every twin (a configuration changed) or a few
/// devices (created, or their tags changed). Writers record work without waiting; the runner takes it in batches.
public final class ConfigurationWork: Sendable {
    /// Work taken in one go.
    public struct Batch: Sendable, Equatable {
        /// Every twin must be looked at.
        public var everyDevice: Bool
        /// These devices must be looked at.
        public var deviceIds: Set<String>

        /// Creates a batch.
        public init(everyDevice: Bool, deviceIds: Set<String>) {
            self.everyDevice = everyDevice
            self.deviceIds = deviceIds
        }
    }

    private struct State {
        var everyDevice = false
        var deviceIds: Set<String> = []
        var waiter: CheckedContinuation<Void, Never>?
    }

    /// Devices remembered before a full pass is asked for instead (a flood of creations costs one scan).
    static let maximumPendingDevices = 10_000

    private let state = Mutex(State())

    /// Creates empty work.
    public init() {}

    /// Asks for a pass over every twin.
    public func everyDeviceChanged() {
        wake { $0.everyDevice = true }
    }

    /// Asks for a look at one device.
    public func deviceChanged(_ deviceId: String) {
        wake { state in
            if state.deviceIds.count >= Self.maximumPendingDevices {
                state.everyDevice = true
                state.deviceIds = []
            } else if !state.everyDevice {
                state.deviceIds.insert(deviceId)
            }
        }
    }

    /// Takes the pending work (nil when there is none).
    public func take() -> Batch? {
        state.withLock { state in
            guard state.everyDevice || !state.deviceIds.isEmpty else { return nil }
            defer {
                state.everyDevice = false
                state.deviceIds = []
            }
            return Batch(everyDevice: state.everyDevice, deviceIds: state.deviceIds)
        }
    }

    /// Returns when work is recorded (at once if some is pending), after `timeout`, or when the task is cancelled.
    public func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: timeout)
                self.resumeWaiter()
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let ready = state.withLock { state -> Bool in
                        // Cancelled before the waiter is stored: `onCancel` may already have run and found no waiter.
                        if Task.isCancelled || state.everyDevice || !state.deviceIds.isEmpty { return true }
                        state.waiter = continuation
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                self.resumeWaiter()
            }
            group.cancelAll()
        }
    }

    private func wake(_ change: (inout State) -> Void) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            change(&state)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    private func resumeWaiter() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
