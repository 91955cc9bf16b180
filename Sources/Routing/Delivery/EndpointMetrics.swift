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
