/// Router counters of one shard since the process started.
public struct RouterMetrics: Sendable, Equatable, Codable {
    /// Messages and hub events read from the durable sources.
    public var messagesRead: Int = 0
    /// Transactions committed by the router.
    public var batches: Int = 0
    /// The last routing failure, if any.
    public var lastError: String?

    /// Empty counters.
    public init() {}
}
