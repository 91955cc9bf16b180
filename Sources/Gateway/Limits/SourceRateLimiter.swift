import Foundation
import Synchronization

/// Token buckets per source address for work done before a client is authenticated (TPM challenges, EST credential
/// checks, failed attestations): a flood from one address empties that address's bucket, never the registration
/// budget legitimate devices draw on once they have authenticated.
///
/// The table of sources is bounded: when it is full, buckets that have refilled (equivalent to a fresh one) are
/// dropped; if every tracked source is still mid-burst, new sources are refused until some refill.
public final class SourceRateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    /// Average admissions per second and source.
    public let ratePerSecond: Double
    /// Admissions one source may make at once.
    public let burst: Double
    /// Sources tracked at most.
    public let maximumSources: Int
    private let buckets = Mutex([String: Bucket]())
    private let now: @Sendable () -> Date

    /// Allows each source `ratePerSecond` on average and bursts of `burst`, tracking at most `maximumSources`.
    public init(ratePerSecond: Double, burst: Double, maximumSources: Int = 16_384, now: @escaping @Sendable () -> Date = Date.init) {
        self.ratePerSecond = max(ratePerSecond, 0.001)
        self.burst = max(burst, 1)
        self.maximumSources = max(maximumSources, 1)
        self.now = now
    }

    /// Takes a token from `source`'s bucket; nil when admitted, else the whole seconds to wait.
    public func admit(source: String) -> Int? {
        let current = now()
        return buckets.withLock { buckets in
            var bucket: Bucket
            if let existing = buckets[source] {
                bucket = existing
                let elapsed = max(0, current.timeIntervalSince(bucket.updated))
                bucket.tokens = min(burst, bucket.tokens + elapsed * ratePerSecond)
            } else {
                if buckets.count >= maximumSources {
                    dropRefilled(&buckets, at: current)
                    if buckets.count >= maximumSources { return max(1, Self.seconds(1 / ratePerSecond)) }
                }
                bucket = Bucket(tokens: burst, updated: current)
            }
            bucket.updated = current
            guard bucket.tokens >= 1 else {
                buckets[source] = bucket
                return max(1, Self.seconds((1 - bucket.tokens) / ratePerSecond))
            }
            bucket.tokens -= 1
            buckets[source] = bucket
            return nil
        }
    }

    /// Sources tracked now.
    public var trackedSources: Int {
        buckets.withLock { $0.count }
    }

    private func dropRefilled(_ buckets: inout [String: Bucket], at current: Date) {
        buckets = buckets.filter { _, bucket in
            bucket.tokens + max(0, current.timeIntervalSince(bucket.updated)) * ratePerSecond < burst
        }
    }

    /// Whole seconds, rounded up and clamped so no rate, however small, can trap the conversion.
    private static func seconds(_ value: Double) -> Int {
        guard value.isFinite else { return 3600 }
        return Int(min(value.rounded(.up), 3600))
    }
}
