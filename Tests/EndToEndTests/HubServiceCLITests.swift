import Foundation
import Testing

/// `provisio device|twin|method|c2d` against a running server: HTTPS to the shard, trusting the installation's bundle.
@Suite("Hub service CLI", .timeLimit(.minutes(3)))
struct HubServiceCLITests {
    @Test("device create / list / show, twin update / show, c2d send, method to an offline device, device delete")
    func deviceRoundTrip() async throws {
        let server = try await ServerProcess.start()
        let dataDir = server.dataDirectory.path
        func provisio(_ arguments: String...) async throws -> ChildProcess.Output {
            try await ChildProcess.run(try TestEnvironment.provisioBinary(), arguments + ["--data-dir", dataDir], timeout: .seconds(60))
        }
        func json(_ output: ChildProcess.Output) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "\(output.stdout)")
        }

        let created = try await provisio("device", "create", "cli-dev-1")
        #expect(created.status == .exited(0), "\(created.stderr)")
        let device = try json(created)
        #expect(device["deviceId"] as? String == "cli-dev-1")
        let keys = (device["authentication"] as? [String: Any])?["symmetricKey"] as? [String: Any]
        #expect((keys?["primaryKey"] as? String).flatMap { Data(base64Encoded: $0) }?.count == 32)

        let selfSigned = try await provisio("device", "create", "cli-dev-2", "--thumbprint", String(repeating: "ab", count: 20),
                                            "--disabled", "--hub", "hub-1")
        #expect(selfSigned.status == .exited(0), "\(selfSigned.stderr)")
        #expect(try json(selfSigned)["status"] as? String == "disabled")

        let duplicate = try await provisio("device", "create", "cli-dev-1")
        #expect(duplicate.status == .exited(1))
        #expect(duplicate.stderr.contains("DeviceAlreadyExists"), "\(duplicate.stderr)")

        let listed = try await provisio("device", "list")
        #expect(listed.status == .exited(0), "\(listed.stderr)")
        #expect(listed.stdout.split(separator: "\n") == ["cli-dev-1\tenabled\tsas\tDisconnected", "cli-dev-2\tdisabled\tselfSigned\tDisconnected"])
        let otherShard = try await provisio("device", "list", "--hub", "hub-2")
        #expect(otherShard.status == .exited(0) && otherShard.stdout.isEmpty, "\(otherShard.stdout)\(otherShard.stderr)")

        let shown = try await provisio("device", "show", "cli-dev-1")
        #expect(try json(shown)["etag"] as? String == device["etag"] as? String)

        let updated = try await provisio("twin", "update", "cli-dev-1", "--json", #"{"tags":{"site":"lab"},"properties":{"desired":{"rate":5}}}"#)
        #expect(updated.status == .exited(0), "\(updated.stderr)")
        let twin = try json(try await provisio("twin", "show", "cli-dev-1"))
        #expect((twin["tags"] as? [String: Any])?["site"] as? String == "lab")
        #expect((((twin["properties"] as? [String: Any])?["desired"]) as? [String: Any])?["rate"] as? Int == 5)

        let sent = try await provisio("c2d", "send", "cli-dev-1", "--body", "hello", "--property", "k=v", "--ack", "full")
        #expect(sent.status == .exited(0), "\(sent.stderr)")
        #expect(UUID(uuidString: sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) != nil, "prints the message id: \(sent.stdout)")

        let offline = try await provisio("method", "invoke", "cli-dev-1", "reboot", "--payload", #"{"delay":1}"#, "--timeout", "5")
        #expect(offline.status == .exited(1))
        #expect(offline.stderr.contains("DeviceNotOnline"), "\(offline.stderr)")

        for id in ["cli-dev-1", "cli-dev-2"] {
            let deleted = try await provisio("device", "delete", id)
            #expect(deleted.status == .exited(0) && deleted.stdout.contains("deleted \(id)"), "\(deleted.stderr)")
        }
        let gone = try await provisio("device", "show", "cli-dev-1")
        #expect(gone.status == .exited(1) && gone.stderr.contains("DeviceNotFound"), "\(gone.stderr)")
        let empty = try await provisio("device", "list")
        #expect(empty.status == .exited(0) && empty.stdout.isEmpty)
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }

    @Test("without a running server's connection.json the hub commands say so")
    func noServer() async throws {
        let directory = try TemporaryDirectory(prefix: "no-server")
        let output = try await ChildProcess.run(try TestEnvironment.provisioBinary(), ["device", "list", "--data-dir", directory.url.path])
        #expect(output.status == .exited(1))
        #expect(output.stderr.contains("connection.json") && output.stderr.contains("running"), "\(output.stderr)")
    }
}
