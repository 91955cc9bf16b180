import NIOPosix

/// Runs a blob store's blocking file work (fsync, rename, joining staged blocks) on NIO's blocking-I/O thread pool
/// instead of a Swift concurrency thread, so a large commit does not hold one of the few cooperative threads.
enum BlockingFileWork {
    /// Carries a value that is not `Sendable` to the pool and back. Safe here because the request that owns the
    /// value awaits the pool's result before it touches the value again: one thread uses it at a time.
    struct Handoff<Value>: @unchecked Sendable {
        let value: Value
    }

    /// Runs `work` on the pool and returns its result.
    static func run<Result>(_ work: @escaping () throws -> Result) async throws -> Result {
        let job = Handoff(value: work)
        let result = try await NIOThreadPool.singleton.runIfActive { Handoff(value: try job.value()) }
        return result.value
    }
}
