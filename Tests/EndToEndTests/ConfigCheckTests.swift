import Foundation
import Testing

/// `provisio config check FILE`: the operator's way to validate a configuration before serving it.
@Suite("provisio config check", .timeLimit(.minutes(2)))
struct ConfigCheckTests {
    /// A configuration with one mistake and the word the error message must name.
    struct BrokenConfiguration: Sendable, CustomTestStringConvertible {
        var yaml: String
        var offendingKey: String
        var testDescription: String { "unknown key \(offendingKey)" }
    }

    @Test("A well-formed file is accepted")
    func acceptsValidFile() async throws {
        let scratch = try TemporaryDirectory(prefix: "config")
        let file = scratch.file("provisio.yaml")
        try ServerAddresses.unique().configurationYAML().write(to: file, atomically: true, encoding: .utf8)

        let check = try await Self.check(file)
        #expect(check.status == .exited(0), "stderr: \(check.stderr)")
        #expect(check.stdout.split(separator: "\n").first.map(String.init) == "\(file.path): valid")
    }

    @Test("An unknown key is rejected with exit code 1 and a message naming it", arguments: [
        BrokenConfiguration(yaml: Self.header + "bogusSetting: true\n" + Self.shards, offendingKey: "bogusSetting"),
        BrokenConfiguration(yaml: Self.header.replacingOccurrences(of: "httpsPort: 8443}", with: "httpsPort: 8443, mqtPort: 1883}") + Self.shards, offendingKey: "mqtPort"),
        BrokenConfiguration(yaml: Self.header + Self.shards.replacingOccurrences(of: "region: local}", with: "region: local, colour: red}"), offendingKey: "colour"),
    ])
    func rejectsUnknownKey(_ configuration: BrokenConfiguration) async throws {
        let scratch = try TemporaryDirectory(prefix: "config")
        let file = scratch.file("provisio.yaml")
        try configuration.yaml.write(to: file, atomically: true, encoding: .utf8)

        let check = try await Self.check(file)
        #expect(check.status == .exited(1))
        #expect(check.stderr.contains(configuration.offendingKey), "stderr: \(check.stderr)")
        #expect(!check.stdout.contains("valid"), "stdout: \(check.stdout)")
    }

    @Test("Two shards with one name are rejected with exit code 1 and a message naming the shard")
    func rejectsDuplicateShardName() async throws {
        let scratch = try TemporaryDirectory(prefix: "config")
        let file = scratch.file("provisio.yaml")
        let yaml = Self.header + """
            shards:
              - {name: hub-7, hostName: 127.250.0.2, weight: 1, region: local}
              - {name: hub-7, hostName: 127.250.0.3, weight: 1, region: local}

            """
        try yaml.write(to: file, atomically: true, encoding: .utf8)

        let check = try await Self.check(file)
        #expect(check.status == .exited(1))
        #expect(check.stderr.contains("hub-7"), "stderr: \(check.stderr)")
        #expect(check.stderr.contains("twice") || check.stderr.localizedCaseInsensitiveContains("duplicate"), "stderr: \(check.stderr)")
        #expect(!check.stdout.contains("valid"), "stdout: \(check.stdout)")
    }

    /// Everything but the shards of a valid configuration (addresses unused: the file is only checked).
    private static let header = """
        apiVersion: provisio/v1
        kind: ServerConfiguration
        logLevel: info
        dps: {hostName: 127.250.0.1, mqttPort: 8883, httpsPort: 8443}

        """

    /// A valid shard list.
    private static let shards = """
        shards:
          - {name: hub-1, hostName: 127.250.0.2, weight: 1, region: local}

        """

    /// Runs `provisio config check file`.
    private static func check(_ file: URL) async throws -> ChildProcess.Output {
        try await ChildProcess.run(try TestEnvironment.provisioBinary(), ["config", "check", file.path])
    }
}
