import Foundation
import Testing

/// What `python/routing_durability.py` prints.
struct RoutingDurabilityReport: Decodable, Sendable {
    struct Checkpoint: Decodable, Sendable {
        var sequenceNumber: Int64
    }

    var read: [Int]?
    var partition: String?
    var checkpoint: Int64?
    var putStatus: Int?
    var stored: Checkpoint?
    var acked: Int?
}

/// The built-in endpoint across restarts: consumer-group checkpoints survive a restart and reading resumes right
/// after them; telemetry PUBACKed just before `kill -9` is all readable once the server is back.
@Suite("Routing durability", .timeLimit(.minutes(6)))
struct RoutingDurabilityTests {
    private static func run(_ server: ServerProcess, _ state: URL, _ arguments: String...) async throws -> RoutingDurabilityReport {
        try await PythonRunner.run("routing_durability.py", [server.dataFile("connection.json").path, state.path] + arguments,
                                   as: RoutingDurabilityReport.self, timeout: .seconds(150))
    }

    @Test("a consumer group reads, checkpoints, survives a restart and resumes exactly after its checkpoint")
    func checkpointAcrossRestart() async throws {
        let data = try TemporaryDirectory(prefix: "routing-cg")
        let work = try TemporaryDirectory(prefix: "routing-cg-work")
        let state = work.file("state.json")
        let addresses = ServerAddresses.unique()
        let server = try await ServerProcess.start(addresses: addresses, dataDirectory: data)
        _ = try await Self.run(server, state, "create")
        _ = try await Self.run(server, state, "send", "0", "10")
        let first = try await Self.run(server, state, "read-checkpoint", "analytics", "5")
        #expect(first.read == Array(0..<10))
        #expect(first.putStatus == 200)
        #expect(first.stored?.sequenceNumber == first.checkpoint)
        #expect(try await server.stop() == .exited(0))

        let restarted = try await ServerProcess.start(addresses: addresses, dataDirectory: data)
        _ = try await Self.run(restarted, state, "send", "10", "3")
        let resumed = try await Self.run(restarted, state, "resume", "analytics", "13")
        #expect(resumed.read == Array(6..<13), "exactly the messages after the checkpoint, in order")
        #expect(resumed.stored?.sequenceNumber == first.checkpoint, "the checkpoint itself survived the restart")
        #expect(try await restarted.stop() == .exited(0))
    }

    @Test("telemetry PUBACKed just before kill -9 is all readable from the built-in endpoint after the restart")
    func killNine() async throws {
        let data = try TemporaryDirectory(prefix: "routing-kill")
        let work = try TemporaryDirectory(prefix: "routing-kill-work")
        let state = work.file("state.json")
        let acked = work.file("acked.txt")
        FileManager.default.createFile(atPath: acked.path, contents: nil)
        let addresses = ServerAddresses.unique()
        let server = try await ServerProcess.start(addresses: addresses, dataDirectory: data)
        _ = try await Self.run(server, state, "create")
        let loop = try ChildProcess(
            try TestEnvironment.python(),
            [TestEnvironment.pythonScripts.appendingPathComponent("routing_durability.py").path, server.dataFile("connection.json").path,
             state.path, "send-loop", acked.path, "100000"],
            environment: ["PYTHONDONTWRITEBYTECODE": "1"])
        let flowing = try await poll(timeout: .seconds(120)) {
            let lines = (try? String(contentsOf: acked, encoding: .utf8))?.split(separator: "\n").count ?? 0
            return lines >= 300 ? lines : nil
        }
        #expect(flowing != nil, "telemetry did not start flowing")
        #expect(try await server.stop(signal: SIGKILL) == .signalled(SIGKILL))
        let loopOutput = try await loop.waitForExit(timeout: .seconds(60))
        #expect(loopOutput.status == .exited(0), "send-loop: \(loopOutput.stderr)")
        let acknowledged = Set(try String(contentsOf: acked, encoding: .utf8).split(separator: "\n").compactMap { Int($0) })

        let restarted = try await ServerProcess.start(addresses: addresses, dataDirectory: data)
        let report = try await Self.run(restarted, state, "read-all", String(acknowledged.count))
        let readable = Set(report.read ?? [])
        #expect(acknowledged.count >= 300)
        #expect(acknowledged.subtracting(readable).isEmpty, "PUBACKed but not readable: \(acknowledged.subtracting(readable).sorted().prefix(20))")
        #expect((report.read ?? []).count == readable.count, "no event is in the built-in endpoint twice")
        #expect(try await restarted.stop() == .exited(0))
    }
}
