import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A running `provisio serve` on its own loopback block, started for one test.
///
/// ``start(addresses:dataDirectory:readyTimeout:)`` returns once the server printed its `ready`
/// line; the instance then holds the parsed `connection.json`. Dropping the last reference kills
/// a server that was not stopped, so failing tests clean up too.
final class ServerProcess {
    /// The addresses in the configuration.
    let addresses: ServerAddresses
    /// The data directory (`--data-dir`).
    let dataDirectory: URL
    /// The configuration file (`--config`).
    let configurationFile: URL
    /// The parsed `connection.json` written at readiness.
    let connection: ServerConnection
    /// The `ready …` line.
    let readyLine: String
    private let child: ChildProcess
    /// Holds the configuration file, and the data directory unless the caller passed one.
    private let scratch: TemporaryDirectory
    /// Keeps a caller-provided data directory alive as long as the server runs in it.
    private let sharedDataDirectory: TemporaryDirectory?

    private init(
        addresses: ServerAddresses, dataDirectory: URL, configurationFile: URL, connection: ServerConnection,
        readyLine: String, child: ChildProcess, scratch: TemporaryDirectory, sharedDataDirectory: TemporaryDirectory?
    ) {
        self.addresses = addresses
        self.dataDirectory = dataDirectory
        self.configurationFile = configurationFile
        self.connection = connection
        self.readyLine = readyLine
        self.child = child
        self.scratch = scratch
        self.sharedDataDirectory = sharedDataDirectory
    }

    /// Starts a server and waits for its `ready` line; throws with its stderr if it exits or times out first.
    ///
    /// - Parameters:
    ///   - addresses: where it listens; a fresh loopback block by default.
    ///   - dataDirectory: a directory to reuse (restart tests); a fresh one by default.
    ///   - readyTimeout: how long start-up may take.
    ///   - logLevel: the configuration's `logLevel`.
    ///   - unprivileged: run as `nobody` without capabilities (via `setpriv`) when the tests run as root, so ports
    ///     below 1024 are refused as they are for an ordinary user.
    static func start(
        addresses: ServerAddresses = .unique(),
        dataDirectory: TemporaryDirectory? = nil,
        readyTimeout: Duration = .seconds(60),
        logLevel: String = "info",
        unprivileged: Bool = false
    ) async throws -> ServerProcess {
        let launch = try Launch(addresses: addresses, dataDirectory: dataDirectory, logLevel: logLevel, unprivileged: unprivileged)
        switch await launch.awaitReadiness(timeout: readyTimeout) {
        case .ready(let line):
            let connection = try ServerConnection.load(from: launch.dataDirectory.appendingPathComponent("connection.json"))
            return ServerProcess(
                addresses: addresses, dataDirectory: launch.dataDirectory, configurationFile: launch.configurationFile,
                connection: connection, readyLine: line, child: launch.child, scratch: launch.scratch,
                sharedDataDirectory: dataDirectory)
        case .exited(let status):
            let output = try? await launch.child.waitForExit(timeout: .seconds(10))
            throw TestEnvironmentError("""
                provisio serve exited (\(status)) before it was ready.
                command: \(launch.child.commandLine)
                stderr: \(output?.stderr ?? launch.child.stderrText)
                """)
        case nil:
            launch.child.terminateNow()
            throw TestEnvironmentError("""
                provisio serve printed no ready line within \(readyTimeout); killed it.
                command: \(launch.child.commandLine)
                stdout: \(launch.child.stdoutText)
                stderr: \(launch.child.stderrText)
                """)
        }
    }

    /// Starts a server that is expected to fail, and returns its output once it exited.
    ///
    /// Throws if it becomes ready instead (and stops it), or does not exit within `timeout`.
    static func startExpectingFailure(
        addresses: ServerAddresses,
        dataDirectory: TemporaryDirectory? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> ChildProcess.Output {
        let launch = try Launch(addresses: addresses, dataDirectory: dataDirectory)
        switch await launch.awaitReadiness(timeout: timeout) {
        case .ready(let line):
            launch.child.terminateNow()
            throw TestEnvironmentError("provisio serve was expected to fail but became ready: \(line)")
        case .exited:
            return try await launch.child.waitForExit(timeout: .seconds(10))
        case nil:
            launch.child.terminateNow()
            throw TestEnvironmentError("""
                provisio serve neither failed nor became ready within \(timeout); killed it.
                stderr: \(launch.child.stderrText)
                """)
        }
    }

    deinit {
        // Before the scratch directory goes: never delete files under a live server.
        child.terminateNow()
    }

    /// The process id.
    var processIdentifier: Int32 { child.processIdentifier }

    /// Standard error so far (the server logs there).
    var stderrText: String { child.stderrText }

    /// Whether the process has exited.
    var hasExited: Bool { child.status != nil }

    /// The trust bundle clients should use.
    var trustBundle: URL { URL(fileURLWithPath: connection.trustBundle) }

    /// Sends `signal` (SIGTERM by default) and waits for the process to exit; returns how it ended.
    ///
    /// Throws (after SIGKILL) if it has not exited within `timeout`.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(30)) async throws -> ChildProcess.ExitStatus {
        child.send(signal: signal)
        return try await child.waitForExit(timeout: timeout).status
    }

    /// The first complete stdout line that starts with `ready`.
    fileprivate static func readyLine(in stdout: [UInt8]) -> String? {
        String(decoding: stdout, as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .dropLast(stdout.last == UInt8(ascii: "\n") ? 0 : 1)
            .first { $0.hasPrefix("ready") }
            .map(String.init)
    }

    fileprivate enum ReadyOutcome: Sendable {
        case ready(String)
        case exited(ChildProcess.ExitStatus)
    }

    /// A launched `provisio serve` with its configuration written, before readiness is known.
    private struct Launch {
        let scratch: TemporaryDirectory
        let dataDirectory: URL
        let configurationFile: URL
        let child: ChildProcess

        init(addresses: ServerAddresses, dataDirectory: TemporaryDirectory?, logLevel: String = "info", unprivileged: Bool = false) throws {
            let binary = try TestEnvironment.provisioBinary()
            scratch = try TemporaryDirectory(prefix: "server")
            self.dataDirectory = dataDirectory?.url ?? scratch.file("data")
            configurationFile = scratch.file("provisio.yaml")
            try addresses.configurationYAML(logLevel: logLevel).write(to: configurationFile, atomically: true, encoding: .utf8)
            let arguments = ["serve", "--data-dir", self.dataDirectory.path, "--config", configurationFile.path]
            if unprivileged && getuid() == 0 {
                // `nobody` must own what the server writes; setpriv drops root and with it every capability.
                let nobody: (uid: UInt32, gid: UInt32) = (65534, 65534)
                for directory in [scratch.url] + (dataDirectory.map { [$0.url] } ?? []) {
                    try Self.changeOwner(of: directory, to: nobody)
                }
                child = try ChildProcess(
                    URL(fileURLWithPath: "/usr/bin/setpriv"),
                    ["--reuid=\(nobody.uid)", "--regid=\(nobody.gid)", "--clear-groups", "--inh-caps=-all", binary.path] + arguments,
                    currentDirectory: scratch.url)
            } else {
                child = try ChildProcess(binary, arguments, currentDirectory: scratch.url)
            }
        }

        /// `chown -R` without following symbolic links.
        private static func changeOwner(of directory: URL, to owner: (uid: UInt32, gid: UInt32)) throws {
            var paths = [directory.path]
            if let enumerator = FileManager.default.enumerator(atPath: directory.path) {
                while let relative = enumerator.nextObject() as? String { paths.append(directory.appendingPathComponent(relative).path) }
            }
            for path in paths where lchown(path, owner.uid, owner.gid) != 0 {
                throw TestEnvironmentError("cannot chown \(path): errno \(errno)")
            }
        }

        /// Waits for the `ready` line or an exit, whichever comes first; nil on timeout.
        func awaitReadiness(timeout: Duration) async -> ReadyOutcome? {
            await child.observed.wait(timeout: timeout) { observed -> ReadyOutcome? in
                if let line = ServerProcess.readyLine(in: observed.stdout) { return .ready(line) }
                if let status = observed.status { return .exited(status) }
                return nil
            }
        }
    }
}
