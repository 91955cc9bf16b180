import Foundation
import Synchronization

/// A clock tests move by hand.
final class ManualClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_704_067_200)) { current = Mutex(start) }

    /// The current instant.
    func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward.
    func advance(by seconds: TimeInterval) { current.withLock { $0 += seconds } }
}

/// Deterministic "random" bytes (a 64-bit LCG), so keys, codes and etags are reproducible.
final class SeededBytes: Sendable {
    private let state: Mutex<UInt64>

    init(seed: UInt64 = 42) { state = Mutex(seed) }

    /// `count` bytes.
    func bytes(_ count: Int) -> [UInt8] {
        state.withLock { state in
            (0..<count).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 33)
            }
        }
    }
}
