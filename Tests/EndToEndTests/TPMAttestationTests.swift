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

    /// Starts a simulator; with `manufacturedBy`, its state was made by `swtpm_setup` first (EK and EK certificate).
    init(host: String, manufacturedBy authority: SoftwareTPMManufacturer? = nil) async throws {
        guard let swtpm = Self.find("swtpm"), Self.find("tpm2_createek") != nil else {
            throw TestEnvironmentError("swtpm and tpm2-tools are needed: apt-get install swtpm swtpm-tools tpm2-tools")
        }
        self.host = host
        state = try TemporaryDirectory(prefix: "swtpm")
        if let authority { try await authority.manufacture(state: state.url) }
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
        let device = try await SoftwareTPMProcess(host: "\(block).200")
        let stranger = try await SoftwareTPMProcess(host: "\(block).201")
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

/// A TPM manufacturer for tests: `swtpm_setup --create-ek-cert` with swtpm's local CA configured in a temporary
/// directory (never /var/lib/swtpm-localca), so every TPM it manufactures gets an EK certificate from the same CA.
final class SoftwareTPMManufacturer {
    let directory: TemporaryDirectory
    var caDirectory: URL { directory.file("ca") }
    /// The CA that signs EK certificates (swtpm-localca's issuer certificate).
    var issuerCertificate: URL { caDirectory.appendingPathComponent("issuercert.pem") }

    init() throws {
        guard SoftwareTPMProcess.find("swtpm_setup") != nil, SoftwareTPMProcess.find("swtpm_localca") != nil else {
            throw TestEnvironmentError("swtpm_setup and swtpm_localca (swtpm-tools) are needed")
        }
        directory = try TemporaryDirectory(prefix: "swtpm-localca")
        try FileManager.default.createDirectory(at: caDirectory, withIntermediateDirectories: true)
        let ca = caDirectory.path
        try "statedir = \(ca)\nsigningkey = \(ca)/signkey.pem\nissuercert = \(ca)/issuercert.pem\ncertserial = \(ca)/certserial\n"
            .write(to: directory.file("swtpm-localca.conf"), atomically: true, encoding: .utf8)
        try "--platform-manufacturer Provisio\n--platform-version 2.1\n--platform-model test\n"
            .write(to: directory.file("swtpm-localca.options"), atomically: true, encoding: .utf8)
        try """
            create_certs_tool = \(SoftwareTPMProcess.find("swtpm_localca")!.path)
            create_certs_tool_config = \(directory.file("swtpm-localca.conf").path)
            create_certs_tool_options = \(directory.file("swtpm-localca.options").path)
            active_pcr_banks = sha256

            """.write(to: directory.file("swtpm_setup.conf"), atomically: true, encoding: .utf8)
    }

    /// Creates a TPM state in `state` with an RSA EK at 0x81010001 and its certificate in NV 0x01c00002.
    func manufacture(state: URL) async throws {
        let setup = try await ChildProcess.run(SoftwareTPMProcess.find("swtpm_setup")!, [
            "--tpm2", "--tpmstate", state.path, "--create-ek-cert", "--config", directory.file("swtpm_setup.conf").path, "--overwrite",
        ], timeout: .seconds(60))
        guard setup.status == .exited(0) else { throw TestEnvironmentError("swtpm_setup failed: \(setup.stdout) \(setup.stderr)") }
    }
}

/// What `python/tpm_ekcert_flow.py` reports.
struct TPMEKCertificateReport: Decodable, Sendable {
    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var enrollStatus: Int?
        var certificateStored: Bool?
        var challengeStatus: Int?
        var challengeBody: String?
        var registerStatus: Int?
        var status: String?
        var assignedHub: String?
        var otherTpmStatus: Int?
        var otherTpmMessage: String?
        var untrustedStatus: Int?
        var untrustedMessage: String?
        var missingStatus: Int?
        var missingMessage: String?
    }

    var steps: [String: Step]
}

/// EK certificates from swtpm's local CA (the stand-in TPM manufacturer) checked by the TPM attestation policy.
@Suite("TPM EK certificates with swtpm_setup", .timeLimit(.minutes(5)))
struct TPMEKCertificateTests {
    @Test("a matching EK certificate registers; another TPM's, an untrusted CA's or none (when required) is refused with 400")
    func ekCertificates() async throws {
        let manufacturer = try SoftwareTPMManufacturer()
        var addresses = ServerAddresses.unique()
        let block = addresses.dps.split(separator: ".").dropLast().joined(separator: ".")
        let device = try await SoftwareTPMProcess(host: "\(block).200", manufacturedBy: manufacturer)
        let stranger = try await SoftwareTPMProcess(host: "\(block).201", manufacturedBy: manufacturer)
        // The policy file sits beside the CA, so the certificate path is relative to it.
        let policy = manufacturer.directory.file("tpm-attestation.yaml")
        try """
            apiVersion: provisio/v1
            kind: TPMAttestationPolicy
            manufacturerCertificates: [ca/issuercert.pem]
            requireEndorsementKeyCertificate: true

            """.write(to: policy, atomically: true, encoding: .utf8)
        addresses.dpsSettings = ["tpmAttestationPolicy: \(policy.path)"]
        let server = try await ServerProcess.start(addresses: addresses)
        let work = try TemporaryDirectory(prefix: "tpm-ekcert")
        let report = try await PythonRunner.run(
            "tpm_ekcert_flow.py", [server.dataFile("connection.json").path, work.url.path, device.tcti, stranger.tcti],
            as: TPMEKCertificateReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> TPMEKCertificateReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing: \(report.steps)")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }
        _ = try step("setup")
        let accepted = try step("accepted")
        #expect(accepted.enrollStatus == 200)
        #expect(accepted.certificateStored == true)
        #expect(accepted.challengeStatus == 401, "\(accepted.challengeBody ?? "")")
        #expect(accepted.registerStatus == 202)
        #expect(accepted.status == "assigned")
        #expect(server.connection.hubs.map(\.hostName).contains(accepted.assignedHub ?? "-"))

        let refusals = try step("refusals")
        #expect(refusals.otherTpmStatus == 400)
        #expect(refusals.otherTpmMessage?.contains("certifies a different key than the enrolled endorsement key") == true)
        #expect(refusals.untrustedStatus == 400)
        #expect(refusals.untrustedMessage?.contains("does not chain to a trusted TPM manufacturer CA") == true)
        #expect(refusals.missingStatus == 400)
        #expect(refusals.missingMessage?.contains("endorsementKeyCertificate is required") == true)

        try await device.stop()
        try await stranger.stop()
        #expect(try await server.stop() == .exited(0))
    }
}
