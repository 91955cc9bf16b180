import Foundation
import Testing

/// What `python/tpm_flow.py` reports, step by step.
struct TPMFlowReport: Decodable, Sendable {
    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var cliRegistrationId: String?
        var pythonRegistrationId: String?
        var attestationType: String?
        var srkAsEkRefused: Bool?
        var challengeStatus: Int?
        var challengeKeyName: String?
        var blobSize: Int?
        var registerStatus: Int?
        var pollStatus: Int?
        var status: String?
        var assignedHub: String?
        var deviceId: String?
        var hasHubKey: Bool?
        var lookupStatus: Int?
        var lookupHasHubKey: Bool?
        var body: String?
        var authMethod: String?
        var identityKeyRefusedByHub: Bool?
        var unenrolledStatus: Int?
        var unenrolledGotKey: Bool?
        var claimedStatus: Int?
        var claimedGotKey: Bool?
        var copiedEkStatus: Int?
        var strangerActivated: Bool?
        var strangerFailedAt: String?
        var forgedStatus: Int?
        var forgedErrorCode: Int?
        var challengeGotKey: Bool?
        var sasStatus: Int?
    }

    var steps: [String: Step]
}

/// A `swtpm` TPM 2.0 simulator on a loopback address of its own, with its state in a temporary directory.
final class SoftwareTPMProcess {
    let host: String
    let port = 2321
    private let state: TemporaryDirectory
    private let child: ChildProcess

    /// The TCTI string tpm2-tools use to reach it.
    var tcti: String { "swtpm:host=\(host),port=\(port)" }

    init(host: String) throws {
        guard let swtpm = Self.find("swtpm"), Self.find("tpm2_createek") != nil else {
            throw TestEnvironmentError("swtpm and tpm2-tools are needed: apt-get install swtpm swtpm-tools tpm2-tools")
        }
        self.host = host
        state = try TemporaryDirectory(prefix: "swtpm")
        child = try ChildProcess(swtpm, [
            "socket", "--tpm2", "--tpmstate", "dir=\(state.url.path)",
            "--server", "type=tcp,port=\(port),bindaddr=\(host)", "--ctrl", "type=tcp,port=\(port + 1),bindaddr=\(host)",
            "--flags", "not-need-init,startup-clear",
        ])
    }

    /// Stops the simulator through its control channel (`swtpm_ioctl -s`, a clean TPM shutdown) and waits for it.
    ///
    /// Not SIGTERM: a signal the test process keeps blocked stays blocked in children it spawns.
    func stop() async throws {
        guard let ioctl = Self.find("swtpm_ioctl") else { throw TestEnvironmentError("swtpm_ioctl (swtpm-tools) is missing") }
        let shutdown = try await ChildProcess.run(ioctl, ["-s", "--tcp", "\(host):\(port + 1)"], timeout: .seconds(10))
        guard shutdown.status == .exited(0) else { throw TestEnvironmentError("swtpm_ioctl -s failed: \(shutdown.stderr)") }
        _ = try await child.waitForExit(timeout: .seconds(10))
    }

    deinit {
        // Before the state directory goes.
        child.terminateNow()
    }

    static func find(_ tool: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return (path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"])
            .map { URL(fileURLWithPath: $0).appendingPathComponent(tool) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

/// TPM attestation with a real (software) TPM: swtpm holds the keys, tpm2-tools answer the challenge and sign the
/// SAS tokens, the Azure device SDK sends telemetry to the assigned shard with a TPM-signed token.
@Suite("TPM attestation with swtpm and tpm2-tools", .timeLimit(.minutes(5)))
struct TPMAttestationTests {
    @Test("enroll an EK, answer the challenge, register, import the hub key, send telemetry; refusals for strangers")
    func tpmScenario() async throws {
        let addresses = ServerAddresses.unique()
        let server = try await ServerProcess.start(addresses: addresses)
        // The simulators take addresses of the server's own loopback block, so parallel runs never share a port.
        let block = addresses.dps.split(separator: ".").dropLast().joined(separator: ".")
        let device = try SoftwareTPMProcess(host: "\(block).200")
        let stranger = try SoftwareTPMProcess(host: "\(block).201")
        let work = try TemporaryDirectory(prefix: "tpm-flow")
        let report = try await PythonRunner.run(
            "tpm_flow.py",
            [server.dataFile("connection.json").path, server.dataFile("provisio.sqlite").path, work.url.path,
             try TestEnvironment.provisioBinary().path, device.tcti, stranger.tcti],
            as: TPMFlowReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> TPMFlowReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing: \(report.steps)")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }

        let setup = try step("setup")
        #expect(setup.cliRegistrationId == setup.pythonRegistrationId, "`provisio tpm registration-id` matches the SDK's default")
        #expect(setup.cliRegistrationId?.count == 52)

        let enroll = try step("enroll")
        #expect(enroll.attestationType == "tpm")
        #expect(enroll.srkAsEkRefused == true, "a key that is not a TCG EK is refused at enrollment")

        let register = try step("register")
        #expect(register.challengeStatus == 401)
        #expect(register.challengeKeyName == "registration")
        #expect(register.registerStatus == 202)
        #expect(register.pollStatus == 200)
        #expect(register.status == "assigned")
        #expect(server.connection.hubs.map(\.hostName).contains(register.assignedHub ?? "-"))
        #expect(register.deviceId == setup.cliRegistrationId)
        #expect(register.hasHubKey == true)
        #expect(register.lookupStatus == 200 && register.lookupHasHubKey == true)

        let telemetry = try step("telemetry")
        #expect(telemetry.body == "{\"source\": \"tpm\"}", "telemetry signed inside the TPM reached the shard")
        #expect(telemetry.authMethod != nil)
        #expect(telemetry.identityKeyRefusedByHub == true, "the DPS identity key is not the hub key")

        let refusals = try step("refusals")
        #expect(refusals.unenrolledStatus == 401 && refusals.unenrolledGotKey == false)
        #expect(refusals.claimedStatus == 401 && refusals.claimedGotKey == false)
        #expect(refusals.copiedEkStatus == 401)
        #expect(refusals.strangerActivated == false, "a blob for another TPM's EK cannot be activated")
        #expect(refusals.strangerFailedAt == "tpm2_activatecredential")
        #expect(refusals.forgedStatus == 401 && refusals.forgedErrorCode == 401002)

        let disabled = try step("disabled")
        #expect(disabled.challengeStatus == 401 && disabled.challengeGotKey == false)
        #expect(disabled.sasStatus == 401)

        try await device.stop()
        try await stranger.stop()
        #expect(try await server.stop() == .exited(0))
    }
}
