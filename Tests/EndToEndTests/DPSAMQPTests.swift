import Foundation
import Testing

/// What `python/dps_amqp_flow.py` and `python/dps_amqp_tpm.py` report, step by step.
struct DPSAMQPReport: Decodable, Sendable {
    /// One registration's replies and where it ended.
    struct Registration: Decodable, Sendable {
        var firstStatus: String?
        var retryAfter: String?
        var RetryAfter: Int?
        var status: String?
        var assignedHub: String?
        var deviceId: String?
        var sameOperation: Bool?
        var hubConnected: Bool?
    }

    /// How a refused or failed request ended.
    struct Outcome: Decodable, Sendable {
        var outcome: String?
        var condition: String?
        var errorCode: Int?
        var status: String?
        var message: String?
    }

    /// What a WebSocket upgrade on one path answered.
    struct WebSocketPath: Decodable, Sendable {
        var subprotocol: String?
        var header: String?
    }

    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        // A registration step.
        var firstStatus: String?
        var retryAfter: String?
        var RetryAfter: Int?
        var status: String?
        var assignedHub: String?
        var deviceId: String?
        var sameOperation: Bool?
        var hubConnected: Bool?
        // Groups and X.509.
        var proton: Registration?
        var uamqp: Registration?
        var noSASL: Registration?
        var external: Registration?
        var strangerRefused: Bool?
        // The C# request shapes.
        var correlationEchoed: Bool?
        var pollCorrelationEchoed: Bool?
        // Refusals.
        var wrongKeyRefused: Bool?
        var wrongKeyError: String?
        var otherRegistrationRefused: Bool?
        var otherRegistrationError: String?
        var unknownOperation: Outcome?
        var badJson: Outcome?
        var otherBodyId: Outcome?
        var unknownOperationId: Outcome?
        var afterRefusals: String?
        // A disabled enrollment; throttling.
        var closedWith: String?
        var accepted: Int?
        var condition: String?
        var errorCode: Int?
        var retryAfterInfo: Int?
        // Deadlines and limits.
        var closedAfter: Double?
        var eof: Bool?
        var mechanisms: [String]?
        var saslOutcome: Int?
        var advertisedIdleTimeOut: Int?
        var maxFrameSize: Int?
        var paths: [String: WebSocketPath]?
        // TPM.
        var attestationType: String?
        var outcome: Int?
        var segments: Int?
        var blobSize: Int?
        var hasHubKey: Bool?
        var unenrolledOutcome: Int?
        var unenrolledSegments: Int?
        var forgedOutcome: Int?
        var forgedSegments: Int?
    }

    var steps: [String: Step]

    func step(_ name: String) throws -> Step {
        let step = try #require(steps[name], "step \(name) missing: \(steps.keys.sorted())")
        #expect(step.ok, "\(name): \(step.error ?? "")")
        return step
    }
}

/// DPS over AMQP (port `amqpPort` and `AMQPWSB10` on the DPS HTTPS port) driven by two independent AMQP stacks,
/// python-qpid-proton and uamqp (the C SDK's azure-uamqp-c), and, for TPM, a frame-level client of the SASL TPM
/// exchange backed by swtpm; assigned devices then connect to their hub over MQTT.
@Suite("DPS over AMQP", .timeLimit(.minutes(5)))
struct DPSAMQPTests {
    @Test("symmetric keys (individual, group), X.509, WebSocket and refusals with proton and uamqp")
    func registrations() async throws {
        let server = try await ServerProcess.start()
        let work = try TemporaryDirectory(prefix: "dps-amqp")
        let report = try await PythonRunner.run(
            "dps_amqp_flow.py", [server.dataFile("connection.json").path, work.url.path], as: DPSAMQPReport.self, timeout: .seconds(240))
        let hubs = server.connection.hubs.map(\.hostName)
        func assigned(_ registration: DPSAMQPReport.Registration?, _ deviceId: String, _ name: String) {
            #expect(registration?.firstStatus == "assigning", "\(name): the register reply")
            #expect(registration?.retryAfter == "1" && registration?.RetryAfter == 1, "\(name): both retry-after spellings")
            #expect(registration?.status == "assigned", "\(name)")
            #expect(registration?.sameOperation == true, "\(name): the poll answers the register's operation")
            #expect(hubs.contains(registration?.assignedHub ?? "-"), "\(name)")
            #expect(registration?.deviceId == deviceId, "\(name)")
            #expect(registration?.hubConnected == true, "\(name): the device reached its hub over MQTT")
        }
        func registration(_ step: DPSAMQPReport.Step) -> DPSAMQPReport.Registration {
            .init(firstStatus: step.firstStatus, retryAfter: step.retryAfter, RetryAfter: step.RetryAfter, status: step.status,
                  assignedHub: step.assignedHub, deviceId: step.deviceId, sameOperation: step.sameOperation,
                  hubConnected: step.hubConnected)
        }

        let proton = try report.step("symmetricProton")
        assigned(registration(proton), "amqp-sym-proton", "proton PLAIN")
        let uamqp = try report.step("symmetricUamqp")
        assigned(registration(uamqp), "amqp-sym-uamqp", "uamqp PLAIN")

        let group = try report.step("group")
        assigned(group.proton, "amqp-grp-proton", "group, proton")
        assigned(group.uamqp, "amqp-grp-uamqp", "group, uamqp")

        let webSocket = try report.step("webSocket")
        assigned(registration(webSocket), "amqp-ws-uamqp", "uamqp over AMQPWSB10")

        let x509 = try report.step("x509")
        assigned(x509.noSASL, "amqp-x509-nosasl", "X.509 without SASL")
        assigned(x509.external, "amqp-x509-external", "X.509 with SASL EXTERNAL")
        #expect(x509.strangerRefused == true, "a certificate no enrollment names")

        let csharp = try report.step("csharpShapes")
        #expect(csharp.firstStatus == "assigning")
        #expect(csharp.correlationEchoed == true && csharp.pollCorrelationEchoed == true)
        #expect(csharp.status == "assigned", "an empty data register body and an amqp-value status body are understood")

        let refusals = try report.step("refusals")
        #expect(refusals.wrongKeyRefused == true, "\(refusals.wrongKeyError ?? "")")
        #expect(refusals.otherRegistrationRefused == true, "\(refusals.otherRegistrationError ?? "")")
        #expect(refusals.unknownOperation?.outcome == "rejected" && refusals.unknownOperation?.errorCode == 400_004)
        #expect(refusals.badJson?.outcome == "rejected" && refusals.badJson?.errorCode == 400_004)
        #expect(refusals.otherBodyId?.outcome == "rejected" && refusals.otherBodyId?.message?.contains("differs") == true)
        #expect(refusals.unknownOperationId?.outcome == "accepted" && refusals.unknownOperationId?.status == "failed",
                "a poll for an unknown operation is answered failed")
        #expect(refusals.unknownOperationId?.errorCode.map { $0 / 1000 } == 404)
        #expect(refusals.afterRefusals == "assigned", "the connection goes on after refused requests")

        let paths = try report.step("webSocketPaths").paths ?? [:]
        for path in ["/$iothub/websocket", "/"] {
            #expect(paths[path]?.subprotocol?.lowercased() == "amqpwsb10", "\(path)")
            #expect(paths[path]?.header == "414d515003010000", "\(path): the SASL header comes back")
        }

        let disabled = try report.step("disabled")
        #expect(disabled.status == "assigned")
        #expect(disabled.closedWith?.contains("unauthorized-access") == true, "\(disabled.closedWith ?? "still open")")

        #expect(try await server.stop() == .exited(0))
    }

    @Test("the open deadline, the idle timeout, the frame limit and links without a credential")
    func deadlinesAndLimits() async throws {
        var addresses = ServerAddresses.unique()
        addresses.extraYAML = "limits: {amqpIdleTimeoutSeconds: 3, mqttConnectTimeoutSeconds: 2, tlsHandshakeTimeoutSeconds: 60, requestHeadTimeoutSeconds: 60}\n"
        let server = try await ServerProcess.start(addresses: addresses)
        let report = try await PythonRunner.run("dps_amqp_deadlines.py", [server.dataFile("connection.json").path],
                                                as: DPSAMQPReport.self, timeout: .seconds(120))
        let open = try report.step("openDeadline")
        #expect(open.eof == true)
        #expect((open.closedAfter ?? 0) >= 1.5 && (open.closedAfter ?? 99) < 10, "cut off after \(open.closedAfter ?? -1) s")

        let idle = try report.step("idle")
        #expect(Set(idle.mechanisms ?? []).isSuperset(of: ["PLAIN", "TPM", "ANONYMOUS", "EXTERNAL"]))
        #expect(idle.saslOutcome == 0)
        #expect(idle.advertisedIdleTimeOut == 1500, "half of the 3 s timeout is advertised")
        #expect(idle.condition == "amqp:resource-limit-exceeded")
        #expect((idle.closedAfter ?? 0) >= 2.5 && (idle.closedAfter ?? 99) < 10, "closed after \(idle.closedAfter ?? -1) s")

        let oversized = try report.step("oversizedFrame")
        #expect(oversized.maxFrameSize == 65_536)
        #expect(oversized.condition == "amqp:connection:framing-error")

        #expect(try report.step("anonymousLink").condition == "amqp:unauthorized-access")
        #expect(try await server.stop() == .exited(0))
    }

    @Test("past the registration budget a register is rejected with 429 and Retry-After")
    func throttling() async throws {
        var addresses = ServerAddresses.unique()
        addresses.dpsSettings = ["registrationRateLimit: 1"]
        let server = try await ServerProcess.start(addresses: addresses)
        let work = try TemporaryDirectory(prefix: "dps-amqp-throttle")
        let report = try await PythonRunner.run(
            "dps_amqp_flow.py", [server.dataFile("connection.json").path, work.url.path, "throttle"], as: DPSAMQPReport.self,
            timeout: .seconds(120))
        let throttle = try report.step("throttle")
        #expect((throttle.accepted ?? 0) >= 1, "the budget admits the first")
        #expect(throttle.condition == "amqp:resource-limit-exceeded")
        #expect(throttle.errorCode == 429_001)
        #expect((throttle.retryAfterInfo ?? 0) >= 1, "Retry-After in the rejection's info")
        #expect(try await server.stop() == .exited(0))
    }

    @Test("TPM: the SASL TPM challenge exchange with swtpm, register and assignment; unenrolled EK and forged SAS refused")
    func tpm() async throws {
        let addresses = ServerAddresses.unique()
        let server = try await ServerProcess.start(addresses: addresses)
        let block = addresses.dps.split(separator: ".").dropLast().joined(separator: ".")
        let device = try await SoftwareTPMProcess(host: "\(block).202")
        let work = try TemporaryDirectory(prefix: "dps-amqp-tpm")
        let report = try await PythonRunner.run(
            "dps_amqp_tpm.py", [server.dataFile("connection.json").path, work.url.path, device.tcti], as: DPSAMQPReport.self,
            timeout: .seconds(180))

        #expect(try report.step("setup").attestationType == "tpm")
        let register = try report.step("register")
        #expect(register.outcome == 0, "sasl-outcome ok")
        #expect((register.segments ?? 0) >= 1 && (register.blobSize ?? 0) > 0)
        #expect(register.firstStatus == "assigning")
        #expect(register.status == "assigned")
        #expect(server.connection.hubs.map(\.hostName).contains(register.assignedHub ?? "-"))
        #expect(register.hasHubKey == true, "the hub key comes wrapped for the TPM")

        let refusals = try report.step("refusals")
        #expect(refusals.unenrolledOutcome == 1 && refusals.unenrolledSegments == 0, "an EK no enrollment holds gets no challenge")
        #expect(refusals.forgedOutcome == 1 && (refusals.forgedSegments ?? 0) >= 1, "a SAS the TPM did not sign is refused")

        try await device.stop()
        #expect(try await server.stop() == .exited(0))
    }
}
