import Foundation
import Gateway
import Testing

/// Unauthenticated work is charged to its source address: one address's flood does not touch another's budget.
@Suite struct SourceRateLimiterTests {
    typealias Clock = RegistrationRateLimiterTests.Clock

    @Test func eachSourceHasItsOwnBurst() {
        let clock = Clock()
        let limiter = SourceRateLimiter(ratePerSecond: 1, burst: 3, now: { clock.now() })
        for _ in 0..<3 { #expect(limiter.admit(source: "10.0.0.1") == nil) }
        #expect(limiter.admit(source: "10.0.0.1") == 1, "the flooding address is throttled")
        #expect(limiter.admit(source: "10.0.0.2") == nil, "another address is not")
        clock.advance(by: 1)
        #expect(limiter.admit(source: "10.0.0.1") == nil, "one token back after a second")
        #expect(limiter.admit(source: "10.0.0.1") == 1)
    }

    @Test func retryAfterRoundsUpAndStaysBounded() {
        let clock = Clock()
        let slow = SourceRateLimiter(ratePerSecond: 0.25, burst: 1, now: { clock.now() })
        #expect(slow.admit(source: "a") == nil)
        #expect(slow.admit(source: "a") == 4)
        let tiny = SourceRateLimiter(ratePerSecond: 0, burst: 1, now: { clock.now() })
        #expect(tiny.admit(source: "a") == nil)
        #expect(tiny.admit(source: "a").map { $0 >= 1 && $0 <= 3600 } == true, "a zero rate cannot trap the conversion")
    }

    @Test func theSourceTableIsBounded() {
        let clock = Clock()
        let limiter = SourceRateLimiter(ratePerSecond: 1, burst: 2, maximumSources: 2, now: { clock.now() })
        #expect(limiter.admit(source: "a") == nil)
        #expect(limiter.admit(source: "b") == nil)
        #expect(limiter.admit(source: "c") != nil, "full of sources mid-burst: a new one waits")
        #expect(limiter.trackedSources == 2)
        clock.advance(by: 1)
        #expect(limiter.admit(source: "c") == nil, "refilled buckets are dropped to make room")
        #expect(limiter.trackedSources <= 2)
    }
}
