import Foundation
import Synchronization

/// Turns connection changes into `deviceConnectionStateEvents`: the observer side only queues (it runs inside the
/// gateway's session bookkeeping and must not block); `run()` stores what is queued, in batches.
///
/// Connection events are not acknowledged to anyone, so queueing before the durable append loses at most the
/// changes of the last moment before a crash, when the connections themselves are gone too.
public final class ConnectionEventRecorder: DeviceConnectionObserver {
    private let queue = Mutex<[TelemetryMessage]>([])
    private let wake: AsyncStream<Void>
    private let wakeContinuation: AsyncStream<Void>.Continuation
    private let counter = Atomic<UInt64>(0)
    private let store: any HubEventStore
    private let now: @Sendable () -> Date
    private let recorded: @Sendable (_ shard: String) -> Void

    /// Creates a recorder storing through `store`; `recorded` runs after each stored batch, per shard.
    public init(store: any HubEventStore, now: @escaping @Sendable () -> Date = Date.init,
                recorded: @escaping @Sendable (_ shard: String) -> Void = { _ in }) {
        (wake, wakeContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.store = store
        self.now = now
        self.recorded = recorded
    }

    /// Queues a `deviceConnected` or `deviceDisconnected` event; never blocks.
    public func connectionChanged(shard: String, deviceId: String, moduleId: String?, connected: Bool) {
        let time = now()
        // Microseconds since the epoch keep the order across restarts; the low digits break ties within one process.
        let tick = UInt64(max(0, time.timeIntervalSince1970 * 1_000_000)) * 1000 + counter.wrappingAdd(1, ordering: .relaxed).oldValue % 1000
        let event = HubEvent.connectionState(connected: connected, shard: shard, deviceId: deviceId, moduleId: moduleId,
                                             sequenceNumber: tick, at: time)
        queue.withLock { queue in
            // Bounded: a store that fails for long drops the oldest changes rather than growing without limit.
            if queue.count >= 100_000 { queue.removeFirst() }
            queue.append(event)
        }
        wakeContinuation.yield()
    }

    /// Stores queued events until the task is cancelled or `finish()` is called.
    public func run() async {
        for await _ in wake {
            await drain()
        }
        await drain()
    }

    /// Stops `run()` once what is queued is stored.
    public func finish() {
        wakeContinuation.finish()
    }

    private func drain() async {
        while true {
            let batch = queue.withLock { queue in
                let batch = Array(queue.prefix(512))
                queue.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            do {
                try await store.appendHubEvents(batch)
                for shard in Set(batch.map(\.shard)) { recorded(shard) }
            } catch {
                // Put them back for the next wake-up; the store is the only place they can go.
                queue.withLock { $0.insert(contentsOf: batch, at: 0) }
                return
            }
        }
    }
}
