import Foundation

/// Delivery counters of one endpoint since the process started (dead letters are also stored durably).
public struct EndpointMetrics: Sendable, Equatable, Codable {
    /// Events appended to the endpoint by routing.
    public var routed: Int = 0
    /// Events delivered (webhook 2xx, written to a file).
    public var delivered: Int = 0
    /// Failed delivery attempts (each request that failed or timed out).
    public var failedAttempts: Int = 0
    /// Events given up after `maxAttempts`.
    public var deadLettered: Int = 0
    /// The last failure, if any.
    public var lastError: String?

    /// Empty counters.
    public init() {}
}

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
