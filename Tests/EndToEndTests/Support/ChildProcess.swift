import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A launched program whose stdout and stderr are captured and whose exit can be awaited with a deadline.
///
/// Dropping the last reference kills a process that is still running (SIGKILL), so a failing test
/// never leaves a server behind.
final class ChildProcess {
    /// How a process ended.
    enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
        /// `exit(code)`.
        case exited(Int32)
        /// Killed by a signal it did not handle.
        case signalled(Int32)

        /// `exit 0`, `signal 9`, …
        var description: String {
            switch self {
            case .exited(let code): "exit \(code)"
            case .signalled(let signal): "signal \(signal)"
            }
        }
    }

    /// Everything a finished process produced.
    struct Output: Sendable {
        /// How it ended.
        var status: ExitStatus
        /// Its standard output, decoded as UTF-8.
        var stdout: String
        /// Its standard error, decoded as UTF-8.
        var stderr: String
    }

    /// What the reader threads and the termination handler have observed so far.
    struct Observed: Sendable {
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var stdoutClosed = false
        var stderrClosed = false
        var status: ExitStatus?

        /// Exited and both pipes drained, so the output is complete.
        var finished: Bool { status != nil && stdoutClosed && stderrClosed }
    }

    /// The program that was started.
    let executable: URL
    /// Its arguments.
    let arguments: [String]
    /// What was observed; await conditions on it with ``AwaitableState/wait(timeout:until:)``.
    let observed: AwaitableState<Observed>
    private let process: Process
    /// Signalled by the termination handler; lets `deinit` wait for a kill without an async context.
    private let terminated = DispatchSemaphore(value: 0)

    /// Starts `executable` with `arguments`, extra `environment` variables and an optional working directory.
    init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil) throws {
        self.executable = executable
        self.arguments = arguments
        let observed = AwaitableState(Observed())
        self.observed = observed
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let terminated = self.terminated
        process.terminationHandler = { finished in
            let status: ExitStatus = finished.terminationReason == .uncaughtSignal
                ? .signalled(finished.terminationStatus) : .exited(finished.terminationStatus)
            observed.update { $0.status = status }
            terminated.signal()
        }
        do {
            try process.run()
        } catch {
            throw TestEnvironmentError("cannot start \(executable.path): \(error)")
        }
        self.process = process
        // Our copies of the write ends must close, or the readers would never see end-of-file.
        try? stdout.fileHandleForWriting.close()
        try? stderr.fileHandleForWriting.close()
        Self.drain(stdout.fileHandleForReading, into: observed, isStandardError: false)
        Self.drain(stderr.fileHandleForReading, into: observed, isStandardError: true)
    }

    deinit {
        terminateNow()
    }

    /// Kills the process (SIGKILL) if it is still running and blocks until it is gone (at most 10 s).
    ///
    /// For clean-up paths that cannot await; tests that care how a process ends use ``waitForExit(timeout:)``.
    func terminateNow() {
        guard observed.read({ $0.status == nil }) else { return }
        kill(process.processIdentifier, SIGKILL)
        // Block briefly so the directories the process used are not removed under it.
        if terminated.wait(timeout: .now() + 10) == .success {
            terminated.signal()  // Leave the semaphore signalled for a later call.
        }
    }

    /// Runs a program to completion and returns its output; kills it and throws after `timeout`.
    static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
        currentDirectory: URL? = nil, timeout: Duration = .seconds(60)
    ) async throws -> Output {
        let child = try ChildProcess(executable, arguments, environment: environment, currentDirectory: currentDirectory)
        return try await child.waitForExit(timeout: timeout)
    }

    /// The process id.
    var processIdentifier: Int32 { process.processIdentifier }

    /// Standard output so far.
    var stdoutText: String { observed.read { String(decoding: $0.stdout, as: UTF8.self) } }

    /// Standard error so far.
    var stderrText: String { observed.read { String(decoding: $0.stderr, as: UTF8.self) } }

    /// The exit status, if the process has ended.
    var status: ExitStatus? { observed.read { $0.status } }

    /// Sends `signal` unless the process has already ended.
    func send(signal: Int32) {
        guard status == nil else { return }
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and its output to be complete; on timeout kills it and throws.
    func waitForExit(timeout: Duration) async throws -> Output {
        let finished = await observed.wait(timeout: timeout) { observed -> Output? in
            guard observed.finished, let status = observed.status else { return nil }
            return Output(
                status: status,
                stdout: String(decoding: observed.stdout, as: UTF8.self),
                stderr: String(decoding: observed.stderr, as: UTF8.self))
        }
        guard let finished else {
            terminateNow()
            throw TestEnvironmentError("""
                \(commandLine) did not finish within \(timeout); killed it.
                stdout: \(stdoutText)
                stderr: \(stderrText)
                """)
        }
        return finished
    }

    /// The command as typed in a shell, for messages.
    var commandLine: String { ([executable.path] + arguments).joined(separator: " ") }

    /// Copies a pipe into the observed state on a dedicated thread until end-of-file.
    private static func drain(_ handle: FileHandle, into observed: AwaitableState<Observed>, isStandardError: Bool) {
        let descriptor = handle.fileDescriptor
        let thread = Thread {
            // `handle` owns the descriptor; keeping it alive here keeps the descriptor open.
            withExtendedLifetime(handle) {
                var chunk = [UInt8](repeating: 0, count: 16_384)
                while true {
                    let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    guard count > 0 else { break }
                    let bytes = chunk[..<count]
                    observed.update { state in
                        if isStandardError { state.stderr += bytes } else { state.stdout += bytes }
                    }
                }
                observed.update { state in
                    if isStandardError { state.stderrClosed = true } else { state.stdoutClosed = true }
                }
            }
        }
        thread.name = isStandardError ? "child-stderr" : "child-stdout"
        thread.start()
    }
}
