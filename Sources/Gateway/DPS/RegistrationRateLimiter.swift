import Foundation
import Synchronization

/// A token bucket over registrations per second; when empty the device is told to retry (429 + retry-after)
/// instead of the service falling over.
public final class RegistrationRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private let ratePerSecond: Double
    private let burst: Double
    private let bucket: Mutex<Bucket>
    private let now: @Sendable () -> Date

    /// Allows `ratePerSecond` on average and bursts of `burst`.
    public init(ratePerSecond: Double, burst: Double? = nil, now: @escaping @Sendable () -> Date = Date.init) {
        self.ratePerSecond = ratePerSecond
        self.burst = burst ?? max(ratePerSecond, 1)
        self.now = now
        self.bucket = Mutex(Bucket(tokens: burst ?? max(ratePerSecond, 1), updated: now()))
    }

    /// Takes a token; returns nil when admitted, else the whole seconds to wait.
    public func admit() -> Int? {
        let current = now()
        return bucket.withLock { bucket in
            let elapsed = max(0, current.timeIntervalSince(bucket.updated))
            bucket.tokens = min(burst, bucket.tokens + elapsed * ratePerSecond)
            bucket.updated = current
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / ratePerSecond).rounded(.up)))
        }
    }
}
