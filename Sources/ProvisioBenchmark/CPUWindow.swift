/// CPU use of the server and of this load generator between `start` and `finish` of a phase.
struct CPUWindow: Sendable {
    /// CPU seconds per wall second.
    struct Usage: Sendable {
        var server: Double?
        var generator: Double?
        /// Everything else on the machine (other users' builds and tests on a shared box).
        var other: Double?
    }

    private let server: ProcessCPU?
    private let serverStart: Double?
    private let generatorStart: Double?
    private let machineStart: Double?
    private let wallStart: ContinuousClock.Instant

    /// Starts a window; `serverPID` nil measures only the generator.
    init(serverPID: Int32?) {
        server = serverPID.map(ProcessCPU.init(pid:))
        serverStart = server?.seconds()
        generatorStart = ProcessCPU.current.seconds()
        machineStart = MachineCPU.busySeconds()
        wallStart = .now
    }

    /// Ends the window.
    func finish() -> Usage {
        let (whole, fraction) = (ContinuousClock.now - wallStart).components
        let wall = Double(whole) + Double(fraction) / 1e18
        guard wall > 0 else { return Usage() }
        func rate(_ start: Double?, _ end: Double?) -> Double? {
            guard let start, let end else { return nil }
            return (end - start) / wall
        }
        let serverRate = rate(serverStart, server?.seconds())
        let generatorRate = rate(generatorStart, ProcessCPU.current.seconds())
        let machineRate = rate(machineStart, MachineCPU.busySeconds())
        let other = machineRate.map { max(0, $0 - (serverRate ?? 0) - (generatorRate ?? 0)) }
        return Usage(server: serverRate, generator: generatorRate, other: other)
    }
}
