/// Exponential back-off: `initial × 2^(attempt-1)`, at most `maximum`.
struct RetryPolicy: Sendable, Equatable {
    let initial: Double
    let maximum: Double

    /// The longest wait any configured delay or timeout turns into (a day, the top of the configuration's ranges).
    static let longestWait: Double = 86_400

    /// The delay after the `attempt`-th failure (1-based).
    func delay(afterAttempt attempt: Int) -> Duration {
        Self.duration(seconds: min(maximum, initial * Double(1 << min(max(attempt - 1, 0), 30))))
    }

    /// `seconds` in whole milliseconds, clamped to 0…`longestWait`; NaN is zero. Configuration is range-checked when
    /// it is written, so the clamp only matters for a value that slipped past that: it must not trap at run time.
    static func duration(seconds: Double) -> Duration {
        guard seconds > 0 else { return .zero }
        return .milliseconds(Int64((min(seconds, longestWait) * 1000).rounded()))
    }
}
