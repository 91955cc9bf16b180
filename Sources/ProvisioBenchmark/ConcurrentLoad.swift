/// Runs `count` operations (registrations, calls) on `concurrency` workers. Each worker first builds its context (e.g. a keep-alive
/// connection); timing starts once every worker has one, so connection set-up is outside the measured window.
enum ConcurrentLoad {
    /// The measured result of one phase.
    struct Result: Sendable {
        var outcome: PhaseOutcome
        var elapsed: Duration
        var cpu: CPUWindow.Usage
    }

    static func run<Context: Sendable>(
        count: Int, concurrency: Int, serverPID: Int32?,
        makeContext: @escaping @Sendable () async throws -> Context,
        closeContext: @escaping @Sendable (Context) async -> Void,
        register: @escaping @Sendable (Context, Int) async throws -> RegistrationTiming
    ) async throws -> Result {
        try await measure(count: count, concurrency: concurrency, serverPID: serverPID, makeContext: makeContext,
                          closeContext: closeContext) { context, index, outcome in
            outcome.record(try await register(context, index))
        }
    }

    /// Runs `count` operations that each return their own latency.
    static func runOperations<Context: Sendable>(
        count: Int, concurrency: Int, serverPID: Int32?,
        makeContext: @escaping @Sendable () async throws -> Context,
        closeContext: @escaping @Sendable (Context) async -> Void,
        operation: @escaping @Sendable (Context, Int) async throws -> Duration
    ) async throws -> Result {
        try await measure(count: count, concurrency: concurrency, serverPID: serverPID, makeContext: makeContext,
                          closeContext: closeContext) { context, index, outcome in
            let latency = try await operation(context, index)
            outcome.completed += 1
            outcome.latencies.add(latency)
        }
    }

    private static func measure<Context: Sendable>(
        count: Int, concurrency: Int, serverPID: Int32?,
        makeContext: @escaping @Sendable () async throws -> Context,
        closeContext: @escaping @Sendable (Context) async -> Void,
        step: @escaping @Sendable (Context, Int, inout PhaseOutcome) async throws -> Void
    ) async throws -> Result {
        let contexts = try await withThrowingTaskGroup(of: Context.self) { group in
            for _ in 0..<concurrency { group.addTask { try await makeContext() } }
            var made: [Context] = []
            for try await context in group { made.append(context) }
            return made
        }
        let counter = WorkCounter(limit: count)
        let window = CPUWindow(serverPID: serverPID)
        let start = ContinuousClock.now
        let outcome = await withTaskGroup(of: PhaseOutcome.self) { group in
            for context in contexts {
                group.addTask {
                    var mine = PhaseOutcome()
                    while let index = counter.take() {
                        do {
                            try await step(context, index, &mine)
                        } catch {
                            mine.record(failure: error)
                        }
                    }
                    return mine
                }
            }
            var all = PhaseOutcome()
            for await share in group { all.merge(share) }
            return all
        }
        let elapsed = ContinuousClock.now - start
        let cpu = window.finish()
        for context in contexts { await closeContext(context) }
        return Result(outcome: outcome, elapsed: elapsed, cpu: cpu)
    }
}
