/// One measured phase: how many operations, how fast, how long each took, and who burned the CPU.
struct ResultRow: Sendable, Encodable {
    var name: String
    var operations: Int
    var failures: Int
    var seconds: Double
    var ratePerSecond: Double
    var p50Milliseconds: Double?
    var p99Milliseconds: Double?
    /// A second latency (e.g. a device's whole attempt including TCP+TLS), when the phase has one.
    var totalP50Milliseconds: Double?
    var totalP99Milliseconds: Double?
    /// Server CPU seconds per wall second during the phase (2.0 = both cores), when the server pid is known.
    var serverCPU: Double?
    /// Load-generator CPU seconds per wall second.
    var generatorCPU: Double?
    /// CPU seconds per wall second used by everything else on the machine.
    var otherCPU: Double?
    /// Server CPU per operation in microseconds: what an operation costs, whatever else ran on the machine.
    var serverCPUMicrosecondsPerOperation: Double?
    var throttled: Int?
    var firstError: String?

    /// Builds a row from a measured phase.
    init(name: String, operations: Int, failures: Int, elapsed: Duration, latencies: LatencySamples,
         totals: LatencySamples? = nil, cpu: CPUWindow.Usage? = nil, throttled: Int? = nil, firstError: String? = nil) {
        self.name = name
        self.operations = operations
        self.failures = failures
        let (whole, fraction) = elapsed.components
        seconds = Double(whole) + Double(fraction) / 1e18
        ratePerSecond = seconds > 0 ? Double(operations) / seconds : 0
        p50Milliseconds = latencies.percentileMilliseconds(0.50)
        p99Milliseconds = latencies.percentileMilliseconds(0.99)
        totalP50Milliseconds = totals?.percentileMilliseconds(0.50)
        totalP99Milliseconds = totals?.percentileMilliseconds(0.99)
        serverCPU = cpu?.server
        generatorCPU = cpu?.generator
        otherCPU = cpu?.other
        if let server = cpu?.server, operations > 0 { serverCPUMicrosecondsPerOperation = server * seconds / Double(operations) * 1e6 }
        self.throttled = throttled
        self.firstError = firstError
    }
}
