import Foundation
import Testing

/// What `python/verify_registrations.py` reports after a crash and restart.
struct RegistrationDurabilityReport: Decodable, Sendable {
    var acknowledged: Int
    var lost: [String]
    var assignedInDPS: Int
    var missingOnShard: [String]
}

/// `kill -9` while devices register: every registration answered `assigned` survives, and DPS never says
/// assigned for a device its shard does not have.
@Suite("Crash durability of registrations", .timeLimit(.minutes(5)))
struct CrashDurabilityTests {
    @Test("kill -9 during registrations loses no acknowledged assignment")
    func killDuringRegistrations() async throws {
        let dataDirectory = try TemporaryDirectory(prefix: "crash")
        let work = try TemporaryDirectory(prefix: "crash-work")
        let acked = work.url.appendingPathComponent("acked.txt")
        FileManager.default.createFile(atPath: acked.path, contents: nil)
        let addresses = ServerAddresses.unique()
        let server = try await ServerProcess.start(addresses: addresses, dataDirectory: dataDirectory)
        let connection = server.dataFile("connection.json").path
        let loop = try ChildProcess(
            try TestEnvironment.python(),
            [TestEnvironment.pythonScripts.appendingPathComponent("register_loop.py").path, connection, acked.path, "5000"],
            environment: ["PYTHONDONTWRITEBYTECODE": "1"])

        // Kill the server once registrations are flowing, in the middle of the stream.
        let flowing = try await poll(timeout: .seconds(120)) {
            let lines = (try? String(contentsOf: acked, encoding: .utf8))?.split(separator: "\n").count ?? 0
            return lines >= 25 ? lines : nil
        }
        #expect(flowing != nil, "registrations did not start flowing")
        #expect(try await server.stop(signal: SIGKILL) == .signalled(SIGKILL))
        let loopOutput = try await loop.waitForExit(timeout: .seconds(60))
        #expect(loopOutput.status == .exited(0), "register_loop.py: \(loopOutput.stderr)")

        let restarted = try await ServerProcess.start(addresses: addresses, dataDirectory: dataDirectory)
        let report = try await PythonRunner.run(
            "verify_registrations.py",
            [restarted.dataFile("connection.json").path, restarted.dataFile("provisio.sqlite").path, acked.path],
            as: RegistrationDurabilityReport.self, timeout: .seconds(120))
        #expect(report.acknowledged >= 25)
        #expect(report.lost.isEmpty, "acknowledged but lost: \(report.lost)")
        #expect(report.assignedInDPS >= report.acknowledged)
        #expect(report.missingOnShard.isEmpty, "assigned in DPS but missing on the shard: \(report.missingOnShard)")
        #expect(try await restarted.stop() == .exited(0))
    }
}

/// Checks `condition` every 50 ms until it gives a value or `timeout` passes (a file has no change event).
func poll<T: Sendable>(timeout: Duration, _ condition: @Sendable () -> T?) async throws -> T? {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if let value = condition() { return value }
        try await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}
