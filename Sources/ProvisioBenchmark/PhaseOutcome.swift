/// What the workers of one measured phase did together.
struct PhaseOutcome: Sendable {
    var completed = 0
    var failures = 0
    var throttled = 0
    var firstError: String?
    var latencies = LatencySamples()
    var totals = LatencySamples()
    /// Assignments per hub host name (registration phases).
    var hubs: [String: Int] = [:]

    /// Adds a worker's share.
    mutating func merge(_ other: PhaseOutcome) {
        completed += other.completed
        failures += other.failures
        throttled += other.throttled
        firstError = firstError ?? other.firstError
        latencies.merge(other.latencies)
        totals.merge(other.totals)
        hubs.merge(other.hubs, uniquingKeysWith: +)
    }

    /// Records a registration.
    mutating func record(_ timing: RegistrationTiming) {
        completed += 1
        throttled += timing.throttled
        latencies.add(timing.registerToAssigned)
        totals.add(timing.deviceTotal)
        hubs[timing.assignedHub, default: 0] += 1
    }

    /// Records a failed operation.
    mutating func record(failure: any Error) {
        failures += 1
        if firstError == nil { firstError = "\(failure)" }
    }
}
