import Foundation
import Testing

/// `provisio enrollment …`, `enrollment-group …` and `registration …`: the manufacturer's commands, run as the real
/// binary on a data directory `provisio serve` initialised.
@Suite("provisio enrollment commands", .timeLimit(.minutes(5)))
struct CLIEnrollmentTests {
    @Test("Individual enrollment: create (generated 64-byte keys) / show / list / delete, while provisio serve runs")
    func individualRoundTrip() async throws {
        let directory = try TemporaryDirectory(prefix: "cli-enrollment")
        let server = try await ServerProcess.start(dataDirectory: directory)
        let data = CLIDataDirectory(directory: directory, hubHostNames: server.connection.hubs.map(\.hostName))

        let create = try await data.run(["enrollment", "create", "--registration-id", "Device-1", "--symmetric-key",
                                         "--iot-hub", data.hubHostNames[0], "--initial-twin", #"{"tags":{"line":"A"}}"#, "--json"])
        try #require(create.status == .exited(0), "stderr: \(create.stderr)")
        let created = try CLIEnrollmentJSON.decode(create.stdout)
        #expect(created.registrationId == "Device-1")
        #expect(created.attestation.type == "symmetricKey")
        let primary = try #require(created.attestation.symmetricKey?.primaryKey)
        let secondary = try #require(created.attestation.symmetricKey?.secondaryKey)
        #expect(Data(base64Encoded: primary)?.count == 64)
        #expect(Data(base64Encoded: secondary)?.count == 64)
        #expect(primary != secondary)
        #expect(created.iotHubs == [data.hubHostNames[0]])
        #expect(created.etag?.isEmpty == false)

        let show = try await data.run(["enrollment", "show", "device-1", "--json"])
        try #require(show.status == .exited(0), "stderr: \(show.stderr)")
        #expect(try CLIEnrollmentJSON.decode(show.stdout).attestation.symmetricKey?.primaryKey == primary)
        let summary = try await data.run(["enrollment", "show", "Device-1"])
        #expect(summary.status == .exited(0))
        #expect(summary.stdout.contains(primary), "the summary is how a manufacturer learns the keys:\n\(summary.stdout)")

        let again = try await data.run(["enrollment", "create", "--registration-id", "device-1", "--symmetric-key"])
        #expect(again.status == .exited(1))
        #expect(again.stderr.contains("already exists"), "stderr: \(again.stderr)")

        let list = try await data.run(["enrollment", "list"])
        #expect(list.status == .exited(0), "stderr: \(list.stderr)")
        #expect(list.stdout.contains("Device-1"))

        let delete = try await data.run(["enrollment", "delete", "Device-1"])
        #expect(delete.status == .exited(0), "stderr: \(delete.stderr)")
        let gone = try await data.run(["enrollment", "show", "Device-1"])
        #expect(gone.status == .exited(1))
        #expect(gone.stderr.contains("no enrollment"), "stderr: \(gone.stderr)")
        #expect(try await server.stop() == .exited(0))
    }

    @Test("Given keys are kept; a bad key exits 1 with one line that names the field, not the key")
    func givenAndBadKeys() async throws {
        let data = try await CLIDataDirectory.make()
        let key = Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let good = try await data.run(["enrollment", "create", "--registration-id", "keyed", "--symmetric-key",
                                       "--primary-key", key, "--secondary-key", key, "--json"])
        try #require(good.status == .exited(0), "stderr: \(good.stderr)")
        #expect(try CLIEnrollmentJSON.decode(good.stdout).attestation.symmetricKey?.primaryKey == key)

        let badKey = "c2VjcmV0!!not-base64"
        let bad = try await data.run(["enrollment", "create", "--registration-id", "bad", "--symmetric-key", "--primary-key", badKey])
        #expect(bad.status == .exited(1))
        #expect(bad.stderr.contains("primaryKey must be Base64"), "stderr: \(bad.stderr)")
        #expect(!bad.stderr.contains(badKey))
        #expect(bad.stderr.trimmingCharacters(in: .newlines).split(separator: "\n").count == 1, "one line: \(bad.stderr)")

        let none = try await data.run(["enrollment", "create", "--registration-id", "no-attestation"])
        #expect(none.status == .exited(1))
        #expect(none.stderr.contains("choose an attestation"), "stderr: \(none.stderr)")

        let unlinked = try await data.run(["enrollment", "create", "--registration-id", "far", "--symmetric-key", "--iot-hub", "elsewhere.example"])
        #expect(unlinked.status == .exited(1))
        #expect(unlinked.stderr.contains("not a linked IoT hub"), "stderr: \(unlinked.stderr)")
    }

    @Test("Enrollment group: create / show / list / delete")
    func groupRoundTrip() async throws {
        let data = try await CLIDataDirectory.make()
        let create = try await data.run(["enrollment-group", "create", "--group-id", "line-a", "--symmetric-key",
                                         "--allocation-policy", "static", "--iot-hub", data.hubHostNames[1],
                                         "--config", data.configurationFile, "--json"])
        try #require(create.status == .exited(0), "stderr: \(create.stderr)")
        let created = try CLIEnrollmentJSON.decode(create.stdout)
        #expect(created.enrollmentGroupId == "line-a")
        #expect(created.allocationPolicy == "static")
        let groupKey = try #require(created.attestation.symmetricKey?.primaryKey)
        #expect(Data(base64Encoded: groupKey)?.count == 64)

        let show = try await data.run(["enrollment-group", "show", "line-a", "--json"])
        try #require(show.status == .exited(0), "stderr: \(show.stderr)")
        #expect(try CLIEnrollmentJSON.decode(show.stdout).attestation.symmetricKey?.primaryKey == groupKey)

        let list = try await data.run(["enrollment-group", "list", "--json"])
        try #require(list.status == .exited(0), "stderr: \(list.stderr)")
        #expect(try CLIEnrollmentJSON.decodeList(list.stdout).map(\.enrollmentGroupId) == ["line-a"])

        let duplicate = try await data.run(["enrollment-group", "create", "--group-id", "LINE-A", "--symmetric-key"])
        #expect(duplicate.status == .exited(1))
        #expect(duplicate.stderr.contains("already exists"), "stderr: \(duplicate.stderr)")

        #expect(try await data.run(["enrollment-group", "delete", "line-a"]).status == .exited(0))
        let gone = try await data.run(["enrollment-group", "show", "line-a"])
        #expect(gone.status == .exited(1))
        #expect(gone.stderr.contains("no enrollment group"), "stderr: \(gone.stderr)")
    }

    @Test("create takes the id as its argument like show; update changes only what is given; enable, disable; compute-device-key")
    func changesAndDerivedKeys() async throws {
        let data = try await CLIDataDirectory.make()
        let create = try await data.run(["enrollment-group", "create", "line-b", "--symmetric-key", "--json"])
        try #require(create.status == .exited(0), "stderr: \(create.stderr)")
        let group = try CLIEnrollmentJSON.decode(create.stdout)
        #expect(group.enrollmentGroupId == "line-b")
        let both = try await data.run(["enrollment-group", "create", "line-c", "--group-id", "line-c", "--symmetric-key"])
        #expect(both.status == .exited(1))
        #expect(both.stderr.contains("not both"), "stderr: \(both.stderr)")

        let update = try await data.run(["enrollment-group", "update", "line-b", "--allocation-policy", "static", "--iot-hub",
                                         data.hubHostNames[2], "--config", data.configurationFile, "--json"])
        try #require(update.status == .exited(0), "stderr: \(update.stderr)")
        let updated = try CLIEnrollmentJSON.decode(update.stdout)
        #expect(updated.allocationPolicy == "static")
        #expect(updated.iotHubs == [data.hubHostNames[2]])
        #expect(updated.attestation.symmetricKey?.primaryKey == group.attestation.symmetricKey?.primaryKey, "keys survive an update")
        #expect(updated.etag != group.etag)
        let nothing = try await data.run(["enrollment-group", "update", "line-b"])
        #expect(nothing.status == .exited(1))
        #expect(nothing.stderr.contains("nothing to change"), "stderr: \(nothing.stderr)")

        #expect(try await data.run(["enrollment-group", "disable", "line-b", "--config", data.configurationFile]).status == .exited(0))
        let disabled = try await data.run(["enrollment-group", "show", "line-b", "--json"])
        #expect(try CLIEnrollmentJSON.decode(disabled.stdout).provisioningStatus == "disabled")
        #expect(try CLIEnrollmentJSON.decode(disabled.stdout).allocationPolicy == "static", "disable keeps the other settings")
        #expect(try await data.run(["enrollment-group", "enable", "line-b", "--config", data.configurationFile]).status == .exited(0))
        let enabled = try await data.run(["enrollment-group", "show", "line-b", "--json"])
        #expect(try CLIEnrollmentJSON.decode(enabled.stdout).provisioningStatus == "enabled")

        // The derived key, checked against openssl's HMAC-SHA256 of the registration id under the group key.
        let derived = try await data.run(["enrollment-group", "compute-device-key", "line-b", "--registration-id", "lamp-042"])
        try #require(derived.status == .exited(0), "stderr: \(derived.stderr)")
        let groupKey = try #require(group.attestation.symmetricKey?.primaryKey.flatMap { Data(base64Encoded: $0) })
        let hex = groupKey.map { String(format: "%02x", $0) }.joined()
        let message = try TemporaryDirectory(prefix: "hmac")
        try Data("lamp-042".utf8).write(to: message.file("id"))
        let mac = try await ChildProcess.run(URL(fileURLWithPath: "/usr/bin/openssl"),
                                             ["dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(hex)", "-binary", "-out",
                                              message.file("mac").path, message.file("id").path])
        #expect(mac.status == .exited(0), "openssl: \(mac.stderr)")
        let expected = try Data(contentsOf: message.file("mac")).base64EncodedString()
        #expect(derived.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == expected)
        let badId = try await data.run(["enrollment-group", "compute-device-key", "line-b", "--registration-id", "a b"])
        #expect(badId.status == .exited(1))

        let individual = try await data.run(["enrollment", "create", "meter-7", "--symmetric-key"])
        try #require(individual.status == .exited(0), "stderr: \(individual.stderr)")
        let renamed = try await data.run(["enrollment", "update", "meter-7", "--device-id", "meter-seven", "--reprovision", "reset", "--json"])
        try #require(renamed.status == .exited(0), "stderr: \(renamed.stderr)")
        #expect(try CLIEnrollmentJSON.decode(renamed.stdout).deviceId == "meter-seven")
        #expect(try await data.run(["enrollment", "disable", "meter-7"]).status == .exited(0))
        let shown = try await data.run(["enrollment", "show", "meter-7", "--json"])
        #expect(try CLIEnrollmentJSON.decode(shown.stdout).provisioningStatus == "disabled")
        #expect(try CLIEnrollmentJSON.decode(shown.stdout).deviceId == "meter-seven")
    }

    @Test("Without a database the commands refuse with 'run provisio serve first'; an unknown registration exits 1")
    func refusals() async throws {
        let empty = try TemporaryDirectory(prefix: "cli-empty")
        let list = try await CLIDataDirectory.runBinary(["enrollment", "list", "--data-dir", empty.url.path])
        #expect(list.status == .exited(1))
        #expect(list.stderr.contains("run provisio serve"), "stderr: \(list.stderr)")
        #expect(!FileManager.default.fileExists(atPath: empty.file("provisio.sqlite").path), "refusing must not create a database")

        let data = try await CLIDataDirectory.make()
        let registration = try await data.run(["registration", "show", "never-registered"])
        #expect(registration.status == .exited(1))
        #expect(registration.stderr.contains("no registration state"), "stderr: \(registration.stderr)")
        let delete = try await data.run(["registration", "delete", "never-registered"])
        #expect(delete.status == .exited(1))
    }
}

/// A data directory `provisio serve` initialised (database, CA, `connection.json`) and then stopped, and how to run
/// the real `provisio` binary on it.
struct CLIDataDirectory: Sendable {
    /// The directory; removed when the last copy goes.
    let directory: TemporaryDirectory
    /// Host names of the server's hubs (what `--iot-hub` may name).
    let hubHostNames: [String]

    /// The server's configuration, kept beside the data: once `serve` stopped (and took `connection.json` with it)
    /// `--config` is how the commands learn the linked hubs.
    var configurationFile: String { directory.file("provisio.yaml").path }

    /// Starts a server in a fresh directory, waits for it to be ready and stops it again.
    static func make() async throws -> CLIDataDirectory {
        let directory = try TemporaryDirectory(prefix: "cli")
        let addresses = ServerAddresses.unique()
        try addresses.configurationYAML().write(to: directory.file("provisio.yaml"), atomically: true, encoding: .utf8)
        let server = try await ServerProcess.start(addresses: addresses, dataDirectory: directory)
        let hubs = server.connection.hubs.map(\.hostName)
        let status = try await server.stop()
        guard status == .exited(0) else { throw TestEnvironmentError("provisio serve ended with \(status)") }
        return CLIDataDirectory(directory: directory, hubHostNames: hubs)
    }

    /// `provisio ARGUMENTS --data-dir DIR`.
    func run(_ arguments: [String], timeout: Duration = .seconds(300)) async throws -> ChildProcess.Output {
        try await Self.runBinary(arguments + ["--data-dir", directory.url.path], timeout: timeout)
    }

    /// `provisio ARGUMENTS`; the generous deadline only stops a hung process, it measures nothing.
    static func runBinary(_ arguments: [String], timeout: Duration = .seconds(300)) async throws -> ChildProcess.Output {
        try await ChildProcess.run(try TestEnvironment.provisioBinary(), arguments, timeout: timeout)
    }
}

/// The test's reading of the CLI's `--json` output (DPS wire shape), independent of the product's types.
struct CLIEnrollmentJSON: Decodable, Sendable {
    struct Attestation: Decodable, Sendable {
        struct Keys: Decodable, Sendable {
            var primaryKey: String?
            var secondaryKey: String?
        }
        var type: String
        var symmetricKey: Keys?
    }

    var registrationId: String?
    var enrollmentGroupId: String?
    var deviceId: String?
    var attestation: Attestation
    var provisioningStatus: String?
    var allocationPolicy: String?
    var iotHubs: [String]?
    var etag: String?

    static func decode(_ text: String) throws -> CLIEnrollmentJSON {
        try JSONDecoder().decode(CLIEnrollmentJSON.self, from: Data(text.utf8))
    }

    static func decodeList(_ text: String) throws -> [CLIEnrollmentJSON] {
        try JSONDecoder().decode([CLIEnrollmentJSON].self, from: Data(text.utf8))
    }
}
