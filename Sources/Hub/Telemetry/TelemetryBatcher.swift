import Synchronization

/// Group commit for telemetry: messages submitted while a transaction is being written wait together and go into
/// the next one, so many devices share one commit (one `fsync`). Each completion runs only after the transaction
/// holding its message committed, so the PUBACK it triggers is for a durable message.
///
/// Submitting is synchronous and cheap (a lock and an append), so the MQTT listener can submit straight from the
/// event loop. No long-lived task: submissions start writer tasks as needed, and a writer ends when it finds the queue
/// empty. Two writers overlap: while one batch waits for the database's single writer and its `fsync`, the next is
/// being prepared (routed and encoded) and queued right behind it. Completions still run strictly in submission order,
/// batch after batch, so a connection's PUBACKs keep the order of its PUBLISH packets.
public final class TelemetryBatcher: Sendable {
    /// Called once per message with its sequence number, or the error that kept it from being stored.
    public typealias Completion = @Sendable (Result<Int64, any Error>) -> Void

    private typealias Entry = (message: TelemetryMessage, completion: Completion)

    private struct State {
        var queue: [Entry] = []
        var writers = 0
        var nextTicket = 0
    }

    private struct Finished {
        var ready: [Int: @Sendable () -> Void] = [:]
        var nextTicket = 0
        var completing = false
    }

    private struct AppendTurn {
        var current = 0
        var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    private let store: any TelemetryStore
    private let maximumBatch: Int
    private let maximumWriters: Int
    private let state = Mutex(State())
    private let finished = Mutex(Finished())
    private let appendTurn = Mutex(AppendTurn())

    /// Creates a batcher writing through `store`, at most `maximumBatch` messages per transaction and `maximumWriters`
    /// transactions in preparation or waiting at once.
    public init(store: any TelemetryStore, maximumBatch: Int = 1024, maximumWriters: Int = 2) {
        self.store = store
        self.maximumBatch = max(1, maximumBatch)
        self.maximumWriters = max(1, maximumWriters)
    }

    /// Queues a message for the next transaction; `completion` runs (on a writer's task) once it is committed.
    public func submit(_ message: TelemetryMessage, completion: @escaping Completion) {
        let startWriter = state.withLock { state in
            state.queue.append((message, completion))
            guard state.writers < maximumWriters else { return false }
            state.writers += 1
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

    /// Writes batches until the queue is empty, then ends (under the same lock as `submit`, so a message is never left
    /// behind without a writer). Preparation runs concurrently with the other writer; appends run one at a time, in
    /// ticket order, so batches enter the database in submission order.
    private func drain() async {
        while let (ticket, batch) = nextBatch() {
            let prepared = store.prepareTelemetry(batch.map(\.message))
            await turn(ticket)
            let completions: @Sendable () -> Void
            do {
                let sequenceNumbers = try await store.appendTelemetry(prepared)
                completions = { for (index, entry) in batch.enumerated() { entry.completion(.success(sequenceNumbers[index])) } }
            } catch {
                completions = { for entry in batch { entry.completion(.failure(error)) } }
            }
            passTurn(after: ticket)
            complete(ticket: ticket, completions)
        }
    }

    /// Returns once batch `ticket` may be appended: every earlier batch's append has returned.
    private func turn(_ ticket: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = appendTurn.withLock { turn in
                guard turn.current != ticket else { return true }
                turn.waiting[ticket] = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func passTurn(after ticket: Int) {
        let next = appendTurn.withLock { turn in
            turn.current = ticket + 1
            return turn.waiting.removeValue(forKey: ticket + 1)
        }
        next?.resume()
    }

    private func nextBatch() -> (Int, [Entry])? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.writers -= 1
                return nil
            }
            let ticket = state.nextTicket
            state.nextTicket += 1
            guard state.queue.count > maximumBatch else {
                defer { state.queue = [] }
                return (ticket, state.queue)
            }
            let batch = Array(state.queue.prefix(maximumBatch))
            state.queue.removeFirst(maximumBatch)
            return (ticket, batch)
        }
    }

    /// Runs the completions of batch `ticket` once every earlier batch's have run. Whoever finds the next batch ready
    /// runs it (and any that became ready meanwhile); the others only leave theirs.
    private func complete(ticket: Int, _ completions: @escaping @Sendable () -> Void) {
        var run: (@Sendable () -> Void)? = finished.withLock { finished in
            finished.ready[ticket] = completions
            guard !finished.completing, let next = finished.ready.removeValue(forKey: finished.nextTicket) else { return nil }
            finished.completing = true
            finished.nextTicket += 1
            return next
        }
        while let current = run {
            current()
            run = finished.withLock { finished in
                guard let next = finished.ready.removeValue(forKey: finished.nextTicket) else {
                    finished.completing = false
                    return nil
                }
                finished.nextTicket += 1
                return next
            }
        }
    }
}
