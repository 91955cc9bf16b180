/// Group commit for telemetry: concurrent `record` calls share one transaction, and each returns only after
/// the transaction holding its message committed (so the PUBACK that follows is for a durable message).
///
/// No background task: the first caller leads — it writes its message together with whatever is waiting —
/// and then hands the lead to the oldest waiter, whose batch is everything that arrived meanwhile.
public actor TelemetryBatcher {
    private enum Outcome: Sendable {
        case committed(Int64)
        case lead
    }

    private let store: any TelemetryStore
    private let maximumBatch: Int
    private var waiting: [(message: TelemetryMessage, continuation: CheckedContinuation<Outcome, any Error>)] = []
    private var writing = false

    /// Creates a batcher writing through `store`, at most `maximumBatch` messages per transaction.
    public init(store: any TelemetryStore, maximumBatch: Int = 512) {
        self.store = store
        self.maximumBatch = max(1, maximumBatch)
    }

    /// Stores one message durably and returns its sequence number.
    public func record(_ message: TelemetryMessage) async throws -> Int64 {
        if writing {
            let outcome = try await withCheckedThrowingContinuation { continuation in
                waiting.append((message, continuation))
            }
            if case .committed(let sequenceNumber) = outcome { return sequenceNumber }
        } else {
            writing = true
        }
        return try await lead(with: message)
    }

    private func lead(with message: TelemetryMessage) async throws -> Int64 {
        let followers = Array(waiting.prefix(maximumBatch - 1))
        waiting.removeFirst(followers.count)
        defer { handOff() }
        do {
            let sequenceNumbers = try await store.appendTelemetry([message] + followers.map(\.message))
            for (index, follower) in followers.enumerated() {
                follower.continuation.resume(returning: .committed(sequenceNumbers[index + 1]))
            }
            return sequenceNumbers[0]
        } catch {
            for follower in followers { follower.continuation.resume(throwing: error) }
            throw error
        }
    }

    private func handOff() {
        if waiting.isEmpty {
            writing = false
        } else {
            waiting.removeFirst().continuation.resume(returning: .lead)
        }
    }
}
