import Foundation
import Gateway
import Synchronization
import Testing

@Suite struct RegistrationRateLimiterTests {
    /// A clock the test moves by hand; starts on a whole second so half-second steps stay exact.
    final class Clock: Sendable {
        private let current = Mutex(Date(timeIntervalSince1970: 1_704_067_200))
        func now() -> Date { current.withLock { $0 } }
        func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
        func set(_ date: Date) { current.withLock { $0 = date } }
    }

    static func limiter(rate: Double, burst: Double? = nil, clock: Clock) -> RegistrationRateLimiter {
        RegistrationRateLimiter(ratePerSecond: rate, burst: burst, now: { clock.now() })
    }

    @Test func burstIsAdmittedThenRefusedWithRetryAfter() {
        let clock = Clock()
        let limiter = Self.limiter(rate: 2, burst: 5, clock: clock)
        for _ in 0..<5 { #expect(limiter.admit() == nil) }
        #expect(limiter.admit() == 1)
        #expect(limiter.admit() == 1, "a refusal takes no token")
    }

    @Test func retryAfterIsTheWholeSecondsUntilTheNextToken() {
        let clock = Clock()
        let limiter = Self.limiter(rate: 0.25, burst: 1, clock: clock)
        #expect(limiter.admit() == nil)
        #expect(limiter.admit() == 4)
        clock.advance(by: 1)
        #expect(limiter.admit() == 3)
        clock.advance(by: 1.5)
        #expect(limiter.admit() == 2, "1.5 s left rounds up")
        clock.advance(by: 1.5)
        #expect(limiter.admit() == nil)
        #expect(limiter.admit() == 4)
    }

    @Test func tokensRefillOverTimeUpToTheBurst() {
        let clock = Clock()
        let limiter = Self.limiter(rate: 2, burst: 4, clock: clock)
        for _ in 0..<4 { #expect(limiter.admit() == nil) }
        #expect(limiter.admit() == 1)
        clock.advance(by: 0.5)
        #expect(limiter.admit() == nil)
        #expect(limiter.admit() == 1)
        clock.advance(by: 600)
        for _ in 0..<4 { #expect(limiter.admit() == nil) }
        #expect(limiter.admit() == 1, "an idle hour does not bank more than the burst")
    }

    @Test func defaultBurstIsOneSecondOfRateAndAtLeastOne() {
        let clock = Clock()
        let fast = Self.limiter(rate: 3, clock: clock)
        for _ in 0..<3 { #expect(fast.admit() == nil) }
        #expect(fast.admit() == 1)
        let slow = Self.limiter(rate: 0.5, clock: clock)
        #expect(slow.admit() == nil)
        #expect(slow.admit() == 2)
    }

    @Test func aClockSteppedBackDoesNotFreezeAdmissions() {
        let clock = Clock()
        let start = clock.now()
        let limiter = Self.limiter(rate: 1, burst: 1, clock: clock)
        #expect(limiter.admit() == nil)
        clock.set(start - 30)
        #expect(limiter.admit() == 1)
        // Refill runs from the new time instead of waiting for the clock to catch up with the old one.
        clock.advance(by: 1)
        #expect(limiter.admit() == nil)
    }
}
