import Foundation

/// An event that exhausted its delivery attempts.
public struct DeadLetter: Sendable, Equatable {
    /// The event as it was in the endpoint's log.
    public var event: StoredEvent
    /// Attempts made.
    public var attempts: Int
    /// The last failure.
    public var reason: String
    /// When it was given up.
    public var failedTime: Date

    /// Creates a dead letter.
    public init(event: StoredEvent, attempts: Int, reason: String, failedTime: Date) {
        self.event = event
        self.attempts = attempts
        self.reason = reason
        self.failedTime = failedTime
    }
}
