import Hub
import Synchronization

/// Recently committed telemetry per shard, and how far back it is complete.
///
/// Sequence numbers come from one SQLite table, so committed batches cover consecutive ranges. Batches are taken in
/// order of their numbers (one committed early but reported late waits for its predecessor), so what is held never
/// has a hole, and a shard's messages after `completeAfter` are all here — or in a batch not yet reported, whose
/// router wake-up comes after it is. Anything older is read from the database.
final class RecentTelemetry: Sendable {
    /// Messages kept per shard before the oldest are dropped (and read from the database if still needed).
    static let maximumMessagesPerShard = 16_384
    /// Body bytes kept per shard.
    static let maximumBytesPerShard = 32 * 1024 * 1024
    /// Batches waiting for a predecessor before the record is declared incomplete and started over.
    static let maximumParkedBatches = 64

    private struct Shard {
        var messages: [StoredTelemetryMessage] = []
        var head = 0
        var bytes = 0
        var completeAfter: Int64
    }

    private struct State {
        /// The highest sequence number up to which every committed batch has been taken; nil before the first.
        var through: Int64?
        var parked: [Int64: [StoredTelemetryMessage]] = [:]
        var shards: [String: Shard] = [:]
    }

    private let state = Mutex(State())

    /// Takes a committed batch (its sequence numbers consecutive and ascending).
    func committed(_ batch: [StoredTelemetryMessage]) {
        guard let first = batch.first?.sequenceNumber else { return }
        state.withLock { state in
            guard let through = state.through else {
                state.through = first - 1
                Self.take(batch, into: &state)
                return
            }
            if first == through + 1 {
                Self.take(batch, into: &state)
                while let next = state.parked.removeValue(forKey: state.through! + 1) { Self.take(next, into: &state) }
            } else if first > through + 1 {
                state.parked[first] = batch
                if state.parked.count > Self.maximumParkedBatches {
                    // A hole that does not fill (a row written by something else): start over after the newest number.
                    let newest = state.parked.values.compactMap(\.last?.sequenceNumber).max() ?? through
                    state = State(through: newest)
                }
            }
        }
    }

    /// The shard's messages after `sequenceNumber` (at most `limit`), or nil when memory does not hold all of them.
    /// Everything up to `sequenceNumber` is dropped: the router never reads behind its cursor.
    func messages(shard name: String, after sequenceNumber: Int64, limit: Int) -> [StoredTelemetryMessage]? {
        state.withLock { state in
            guard let through = state.through else { return nil }
            var shard = state.shards[name] ?? Shard(completeAfter: through)
            guard shard.completeAfter <= sequenceNumber else { return nil }
            while shard.head < shard.messages.count, shard.messages[shard.head].sequenceNumber <= sequenceNumber {
                shard.bytes -= shard.messages[shard.head].message.body.count
                shard.head += 1
            }
            shard.completeAfter = sequenceNumber
            let end = min(shard.messages.count, shard.head + max(0, limit))
            let result = Array(shard.messages[shard.head..<end])
            Self.compact(&shard)
            state.shards[name] = shard
            return result
        }
    }

    private static func take(_ batch: [StoredTelemetryMessage], into state: inout State) {
        let through = state.through ?? ((batch.first?.sequenceNumber ?? 1) - 1)
        for stored in batch {
            Self.append(stored, to: &state.shards[stored.message.shard, default: Shard(completeAfter: through)])
        }
        state.through = batch.last?.sequenceNumber ?? through
    }

    private static func append(_ stored: StoredTelemetryMessage, to shard: inout Shard) {
        shard.messages.append(stored)
        shard.bytes += stored.message.body.count
        while shard.messages.count - shard.head > maximumMessagesPerShard || shard.bytes > maximumBytesPerShard {
            let dropped = shard.messages[shard.head]
            shard.bytes -= dropped.message.body.count
            shard.head += 1
            shard.completeAfter = max(shard.completeAfter, dropped.sequenceNumber)
        }
        compact(&shard)
    }

    private static func compact(_ shard: inout Shard) {
        if shard.head > 4096, shard.head * 2 > shard.messages.count {
            shard.messages.removeFirst(shard.head)
            shard.head = 0
        }
    }
}
