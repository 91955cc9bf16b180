import Synchronization

/// Who may read each partition of a shard's Event Hubs-compatible endpoint, per consumer group: the owner level
/// (`com.microsoft:epoch`) rules of Event Hubs. A receiver with an owner level displaces every receiver with a lower
/// one and every receiver without one; a receiver arriving under a higher owner level than its own is refused.
/// Receivers without an owner level share the partition.
final class PartitionOwnership: Sendable {
    /// One registered receiver.
    private struct Receiver {
        var consumerGroup: String
        var partition: String
        var ownerLevel: Int64?
        var displace: @Sendable () -> Void
    }

    private struct State {
        var nextId: UInt64 = 0
        var receivers: [UInt64: Receiver] = [:]
    }

    private let state = Mutex(State())

    /// Creates an empty registry.
    init() {}

    /// Registers a receiver; returns its id, or nil when a receiver with a higher owner level (or any owner level, for
    /// a receiver without one) holds the partition. Displaced receivers' `displace` run after the lock is released.
    func claim(consumerGroup: String, partition: String, ownerLevel: Int64?,
               displace: @escaping @Sendable () -> Void) -> UInt64? {
        let group = consumerGroup.lowercased()
        let outcome: (id: UInt64?, displaced: [@Sendable () -> Void]) = state.withLock { state in
            let rivals = state.receivers.filter { $0.value.consumerGroup == group && $0.value.partition == partition }
            let highest = rivals.values.compactMap(\.ownerLevel).max()
            if let highest, (ownerLevel ?? .min) < highest { return (nil, []) }
            var displaced: [@Sendable () -> Void] = []
            if let ownerLevel {
                for (id, rival) in rivals where (rival.ownerLevel ?? .min) <= ownerLevel {
                    displaced.append(rival.displace)
                    state.receivers[id] = nil
                }
            }
            state.nextId &+= 1
            state.receivers[state.nextId] = Receiver(consumerGroup: group, partition: partition, ownerLevel: ownerLevel,
                                                     displace: displace)
            return (state.nextId, displaced)
        }
        for displace in outcome.displaced { displace() }
        return outcome.id
    }

    /// Forgets a receiver (its link or connection ended).
    func release(_ id: UInt64) {
        _ = state.withLock { $0.receivers.removeValue(forKey: id) }
    }
}
