import Dispatch
import Foundation

/// Group commit for telemetry: messages submitted while a transaction is being written wait together and go into
/// the next one, so many devices share one commit (one `fsync`). Each completion runs only after the transaction
/// holding its message committed, so the PUBACK it triggers is for a durable message.
///
/// Submitting is synchronous and cheap (a lock and an append), so the MQTT listener submits straight from the event
/// loop. The batches are written by writer threads of the batcher's own, not tasks: at telemetry rates every thread
/// hand-off on the way to the database (task to the database's queue and back) costs a scheduler wake-up, and those
/// added up to more than the write itself. A writer prepares its batch (routing, encoding) while the other writes,
/// then writes it synchronously (`TelemetryStore.appendPreparedTelemetryBlocking`). Batches are written one at a time in
/// submission order and their completions run in that order, so a connection's PUBACKs keep the order of its PUBLISH
/// packets. Writers start when messages arrive and end after a short idle spell.
public final class TelemetryBatcher: Sendable {
    /// Called once per message with its sequence number, or the error that kept it from being stored.
    public typealias Completion = @Sendable (Result<Int64, any Error>) -> Void

    /// The queue and writers, typed by the store so a prepared batch reaches its write as the store's own type.
    private let core: any TelemetryBatchQueue

    /// Creates a batcher writing through `store`, at most `maximumBatch` messages per transaction and `maximumWriters`
    /// batches in preparation or being written at once.
    public init(store: some TelemetryStore, maximumBatch: Int = 1024, maximumWriters: Int = 2) {
        core = Core(store: store, maximumBatch: max(1, maximumBatch), maximumWriters: max(1, maximumWriters))
    }

    /// Queues a message for the next transaction; `completion` runs (on a writer thread) once it is committed.
    public func submit(_ message: TelemetryMessage, completion: @escaping Completion) {
        core.submit(message, completion: completion)
    }

    /// Stores one message durably and returns its sequence number.
    public func record(_ message: TelemetryMessage) async throws -> Int64 {
        try await withCheckedThrowingContinuation { continuation in
            submit(message) { continuation.resume(with: $0) }
        }
    }
}

/// Where the batcher queues a message: its core, whatever store type it writes through.
private protocol TelemetryBatchQueue: Sendable {
    func submit(_ message: TelemetryMessage, completion: @escaping TelemetryBatcher.Completion)
}

extension TelemetryBatcher {
    /// The shared state of the batcher and its writer threads, guarded by one condition lock.
    private final class Core<Store: TelemetryStore>: TelemetryBatchQueue, @unchecked Sendable {
        /// Messages and their completions side by side, so a batch's messages go to the store without a copy.
        typealias Batch = (messages: [TelemetryMessage], completions: [Completion])

        /// How long an idle writer waits for more messages before its thread ends.
        static var idleTimeout: TimeInterval { 0.5 }

        let store: Store
        let maximumBatch: Int
        let maximumWriters: Int
        private let condition = NSCondition()
        // Guarded by `condition`.
        private var messages: [TelemetryMessage] = []
        private var completions: [Completion] = []
        private var writers = 0
        private var idleWriters = 0
        private var nextTicket = 0
        private var writingTicket = 0
        private var completingTicket = 0

        init(store: Store, maximumBatch: Int, maximumWriters: Int) {
            self.store = store
            self.maximumBatch = maximumBatch
            self.maximumWriters = maximumWriters
        }

        func submit(_ message: TelemetryMessage, completion: @escaping Completion) {
            condition.lock()
            messages.append(message)
            completions.append(completion)
            let startWriter = idleWriters == 0 && writers < maximumWriters
            if startWriter { writers += 1 }
            condition.signal()
            condition.unlock()
            if startWriter {
                let thread = Thread { [self] in run() }
                thread.name = "provisio.telemetry-writer"
                thread.start()
            }
        }

        /// One writer: take a batch, prepare it, wait for its turn, write it, hand the turn on, complete in order.
        private func run() {
            while let (ticket, batch) = nextBatch() {
                let prepared = store.prepareTelemetry(batch.messages)
                condition.lock()
                while writingTicket != ticket { condition.wait() }
                condition.unlock()
                let result = Result { try store.appendPreparedTelemetryBlocking(prepared) }
                condition.lock()
                writingTicket += 1
                condition.broadcast()
                while completingTicket != ticket { condition.wait() }
                condition.unlock()
                switch result {
                case .success(let sequenceNumbers):
                    for (index, completion) in batch.completions.enumerated() { completion(.success(sequenceNumbers[index])) }
                case .failure(let error):
                    for completion in batch.completions { completion(.failure(error)) }
                }
                condition.lock()
                completingTicket += 1
                condition.broadcast()
                condition.unlock()
            }
        }

        /// The next batch and its ticket; nil (and the writer counted out) after an idle spell with nothing queued.
        private func nextBatch() -> (Int, Batch)? {
            condition.lock()
            defer { condition.unlock() }
            let deadline = Date(timeIntervalSinceNow: Self.idleTimeout)
            while messages.isEmpty {
                idleWriters += 1
                let signalled = condition.wait(until: deadline)
                idleWriters -= 1
                if !signalled, messages.isEmpty {
                    writers -= 1
                    return nil
                }
            }
            let ticket = nextTicket
            nextTicket += 1
            guard messages.count > maximumBatch else {
                defer {
                    messages = []
                    completions = []
                }
                return (ticket, (messages, completions))
            }
            let batch = (Array(messages.prefix(maximumBatch)), Array(completions.prefix(maximumBatch)))
            messages.removeFirst(maximumBatch)
            completions.removeFirst(maximumBatch)
            return (ticket, batch)
        }
    }
}
