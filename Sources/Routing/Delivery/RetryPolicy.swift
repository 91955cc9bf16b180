/// Exponential back-off: `initial × 2^(attempt-1)`, at most `maximum`.
struct RetryPolicy: Sendable, Equatable {
    let initial: Double
    let maximum: Double

    /// The delay after the `attempt`-th failure (1-based).
    func delay(afterAttempt attempt: Int) -> Duration {
        let seconds = min(maximum, initial * Double(1 << min(max(attempt - 1, 0), 30)))
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }
}
