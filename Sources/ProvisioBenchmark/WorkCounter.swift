import Synchronization

/// Hands out the indices `0..<limit` to concurrent workers, each exactly once.
final class WorkCounter: Sendable {
    private let next = Atomic<Int>(0)
    let limit: Int

    /// Creates a counter over `0..<limit`.
    init(limit: Int) {
        self.limit = limit
    }

    /// The next index, or nil when all are taken.
    func take() -> Int? {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < limit ? index : nil
    }
}
