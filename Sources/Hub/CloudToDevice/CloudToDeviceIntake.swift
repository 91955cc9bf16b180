/// Group commit for C2D sends: sends that arrive while a batch is being written wait together and go into the next
/// transaction, so many concurrent sends share one commit (one fsync) instead of queueing one commit each. Each send
/// returns only once the transaction holding its message committed, so an accepted send is durable.
actor CloudToDeviceIntake {
    private typealias Waiter = (message: CloudToDeviceMessage, continuation: CheckedContinuation<Void, any Error>)

    private let store: any CloudToDeviceStore
    private let maximumBatch: Int
    private var waiting: [Waiter] = []
    private var writing = false

    init(store: any CloudToDeviceStore, maximumBatch: Int = 512) {
        self.store = store
        self.maximumBatch = maximumBatch
    }

    /// Stores `message` durably (or throws `HubError.queueFull` for its device).
    func enqueue(_ message: CloudToDeviceMessage) async throws {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((message, continuation))
            if !writing {
                writing = true
                Task { await drain() }
            }
        }
    }

    /// Writes batches until nothing waits; sends arriving meanwhile join the next batch (the actor is free while a
    /// batch is written).
    private func drain() async {
        while !waiting.isEmpty {
            let count = min(waiting.count, maximumBatch)
            let batch = Array(waiting.prefix(count))
            waiting.removeFirst(count)
            do {
                let outcomes = try await store.enqueueCloudToDevice(batch: batch.map(\.message))
                for (waiter, refusal) in zip(batch, outcomes) {
                    if let refusal { waiter.continuation.resume(throwing: refusal) } else { waiter.continuation.resume() }
                }
            } catch {
                for waiter in batch { waiter.continuation.resume(throwing: error) }
            }
        }
        writing = false
    }
}
