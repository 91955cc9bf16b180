import Foundation
import Testing

/// `provisio events tail` over the shard's Server-Sent Events stream: from the oldest event, after a consumer group's
/// checkpoint, and live.
@Suite("Routing events CLI", .timeLimit(.minutes(4)))
struct RoutingEventsCLITests {
    @Test("events tail prints routed events as JSON lines, from the start or after a consumer group's checkpoint, and live")
    func tail() async throws {
        let server = try await ServerProcess.start()
        let work = try TemporaryDirectory(prefix: "routing-tail")
        let state = work.file("state.json")
        func python(_ arguments: String...) async throws -> RoutingDurabilityReport {
            try await PythonRunner.run("routing_durability.py", [server.dataFile("connection.json").path, state.path] + arguments,
                                       as: RoutingDurabilityReport.self, timeout: .seconds(120))
        }
        func numbers(_ output: ChildProcess.Output) throws -> [Int] {
            try output.stdout.split(separator: "\n").map { line in
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
                #expect(event["partitionId"] is String && event["sequenceNumber"] is Int && event["systemProperties"] is [String: Any])
                return try #require((event["body"] as? [String: Any])?["n"] as? Int, "\(line)")
            }
        }
        let provisio = try TestEnvironment.provisioBinary()
        let common = ["events", "tail", "--data-dir", server.dataDirectory.path, "--hub", "hub-1"]

        _ = try await python("create")
        _ = try await python("send", "0", "5")
        let all = try await ChildProcess.run(provisio, common + ["--start", "earliest", "--count", "5"], timeout: .seconds(60))
        #expect(all.status == .exited(0), "\(all.stderr)")
        #expect(try numbers(all) == Array(0..<5))

        _ = try await python("read-checkpoint", "tail-cg", "2")
        let afterCheckpoint = try await ChildProcess.run(provisio, common + ["--consumer-group", "tail-cg", "--count", "2"],
                                                         timeout: .seconds(60))
        #expect(afterCheckpoint.status == .exited(0), "\(afterCheckpoint.stderr)")
        #expect(try numbers(afterCheckpoint) == [3, 4])

        // Live: the tail starts after the checkpoint of n = 4, before the next messages exist.
        _ = try await python("read-checkpoint", "live-cg", "4")
        let live = try ChildProcess(provisio, common + ["--consumer-group", "live-cg", "--count", "2"])
        _ = try await python("send", "5", "2")
        let output = try await live.waitForExit(timeout: .seconds(60))
        #expect(output.status == .exited(0), "\(output.stderr)")
        #expect(try numbers(output) == [5, 6])

        let unknown = try await ChildProcess.run(provisio, common + ["--endpoint", "nope", "--count", "1"], timeout: .seconds(60))
        #expect(unknown.status == .exited(1))
        #expect(unknown.stderr.contains("404"), "\(unknown.stderr)")
        #expect(try await server.stop() == .exited(0))
    }
}
