/// Latencies of one measured phase, in nanoseconds; percentiles by nearest rank.
struct LatencySamples: Sendable {
    private(set) var nanoseconds: [Int64] = []

    /// Adds one sample.
    mutating func add(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        nanoseconds.append(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// Adds one sample in nanoseconds.
    mutating func add(nanoseconds value: Int64) {
        nanoseconds.append(value)
    }

    /// Adds another phase's samples.
    mutating func merge(_ other: LatencySamples) {
        nanoseconds += other.nanoseconds
    }

    var count: Int { nanoseconds.count }

    /// The `fraction` percentile in milliseconds (nearest rank), nil without samples.
    func percentileMilliseconds(_ fraction: Double) -> Double? {
        guard !nanoseconds.isEmpty else { return nil }
        let sorted = nanoseconds.sorted()
        let rank = max(1, Int((fraction * Double(sorted.count)).rounded(.up)))
        return Double(sorted[min(rank, sorted.count) - 1]) / 1e6
    }
}
