import Synchronization

/// Group commit for telemetry: messages submitted while a transaction is being written wait together and go into
/// the next one, so many devices share one commit (one `fsync`). Each completion runs only after the transaction
/// holding its message committed, so the PUBACK it triggers is for a durable message.
///
/// Submitting is synchronous and cheap (a lock and an append), so the MQTT listener can submit straight from the
/// event loop. No long-lived task: the first submission into an idle batcher starts a writer task that drains the
/// queue batch after batch and ends when it finds the queue empty.
public final class TelemetryBatcher: Sendable {
    /// Called once per message with its sequence number, or the error that kept it from being stored.
    public typealias Completion = @Sendable (Result<Int64, any Error>) -> Void

    private struct State {
        var queue: [(message: TelemetryMessage, completion: Completion)] = []
        var writing = false
    }

    private let store: any TelemetryStore
    private let maximumBatch: Int
    private let state = Mutex(State())

    /// Creates a batcher writing through `store`, at most `maximumBatch` messages per transaction.
    public init(store: any TelemetryStore, maximumBatch: Int = 1024) {
        self.store = store
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Queues a message for the next transaction; `completion` runs (on the writer's task) once it is committed.
    public func submit(_ message: TelemetryMessage, completion: @escaping Completion) {
        let startWriter = state.withLock { state in
            state.queue.append((message, completion))
            guard !state.writing else { return false }
            state.writing = true
            return true
        }
        if startWriter {
            Task { await self.drain() }
        }
    }

    /// Stores one message durably and returns its sequence number.
    public func record(_ message: TelemetryMessage) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            submit(message) { continuation.resume(with: $0) }
        }
    }

    /// Writes batches until the queue is empty, then marks the batcher idle (under the same lock as `submit`, so a
    /// message is never left behind).
    private func drain() async {
        while let batch = nextBatch() {
            do {
                let sequenceNumbers = try await store.appendTelemetry(batch.map(\.message))
                for (index, entry) in batch.enumerated() { entry.completion(.success(sequenceNumbers[index])) }
            } catch {
                for entry in batch { entry.completion(.failure(error)) }
            }
        }
    }

    private func nextBatch() -> [(message: TelemetryMessage, completion: Completion)]? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.writing = false
                return nil
            }
            guard state.queue.count > maximumBatch else {
                defer { state.queue = [] }
                return state.queue
            }
            let batch = Array(state.queue.prefix(maximumBatch))
            state.queue.removeFirst(maximumBatch)
            return batch
        }
    }
}
