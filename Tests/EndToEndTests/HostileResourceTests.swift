import Foundation
import Testing

/// What `python/hostile_resource_attacks.py` reports: one entry per attack.
struct HostileResourceReport: Decodable, Sendable {
    struct Answer: Decodable, Sendable {
        var status: Int
        var body: String
    }

    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var statuses: [String: Int]?
        var lastErrorCode: Int?
        var lastMessage: String?
        var retryAfter: String?
        var registerStatus: Int?
        var status: String?
        var closedAfter: Double?
        var bytesSent: Int?
        var firstLine: String?
        var opened: Int?
        var refused: Int?
        var healthAfter: Int?
        var answers: [String: Answer]?
        var challengeStatus: Int?
        var message: String?
        var invalidStatus: Int?
        var invalidErrorCode: Int?
    }

    var steps: [String: Step]
}

/// Issue 12, "resources are bounded": starvation attacks against the real server running with short limits — floods of
/// unauthenticated TPM challenges and EST requests, a slowloris MQTT CONNECT, a silent TLS client, a dribbled HTTP head,
/// an idle keep-alive connection, a connection flood from one address, 5 MB bodies — each ends in its bounded outcome,
/// and legitimate devices are served throughout and afterwards.
@Suite("Hostile clients cannot starve the server", .timeLimit(.minutes(5)))
struct HostileResourceTests {
    /// Short limits so each attack ends within seconds.
    static let limits = """
        limits:
          tlsHandshakeTimeoutSeconds: 3
          requestHeadTimeoutSeconds: 2
          idleTimeoutSeconds: 3
          mqttConnectTimeoutSeconds: 2
          connectionsPerAddress: 20
          connectionsTotal: 1000
          unauthenticatedRequestsPerSecond: 2
          unauthenticatedBurst: 5

        """

    @Test("each starvation attack is bounded, and legitimate devices register, provision and send telemetry")
    func starvationAttacksAreBounded() async throws {
        var addresses = ServerAddresses.unique()
        // A small registration budget: were the floods charged to it, the legitimate registration would get 429.
        addresses.dpsSettings = ["registrationRateLimit: 3"]
        addresses.extraYAML = Self.limits
        let server = try await ServerProcess.start(addresses: addresses)
        let work = try TemporaryDirectory(prefix: "hostile-resource")
        let report = try await PythonRunner.run(
            "hostile_resource_attacks.py", [server.dataFile("connection.json").path, work.url.path],
            as: HostileResourceReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> HostileResourceReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }

        // Unauthenticated floods are throttled per address with 429 + Retry-After, never answered 5xx.
        let tpm = try step("tpmFlood")
        let tpmStatuses = tpm.statuses ?? [:]
        #expect((tpmStatuses["429"] ?? 0) > 0, "the TPM challenge flood was never throttled: \(tpmStatuses)")
        #expect(Set(tpmStatuses.keys).isSubset(of: ["401", "429"]), "\(tpmStatuses)")
        #expect(tpm.lastErrorCode.map { $0 / 1000 == 429 } == true, "errorCode \(tpm.lastErrorCode ?? -1)")
        #expect(tpm.lastMessage?.contains("address") == true, "\(tpm.lastMessage ?? "")")
        #expect(tpm.retryAfter.flatMap(Int.init).map { $0 >= 1 } == true)
        let est = try step("estFlood")
        let estStatuses = est.statuses ?? [:]
        #expect((estStatuses["429"] ?? 0) > 0, "the EST flood was never throttled: \(estStatuses)")
        #expect(Set(estStatuses.keys).isSubset(of: ["401", "429"]), "\(estStatuses)")

        let badSAS = try step("badRegistrationFlood")
        let badStatuses = badSAS.statuses ?? [:]
        #expect((badStatuses["429"] ?? 0) > 0, "refused registrations were never throttled: \(badStatuses)")
        #expect(Set(badStatuses.keys).isSubset(of: ["401", "429"]), "\(badStatuses)")
        #expect(badSAS.invalidStatus == 400, "an invalid registration id was answered \(badSAS.invalidStatus ?? -1)")
        #expect(badSAS.invalidErrorCode == 400_004)
        let badConnects = try step("badConnectFlood").statuses ?? [:]
        #expect((badConnects["3"] ?? 0) > 0, "refused MQTT CONNECTs were never throttled: \(badConnects)")
        #expect(Set(badConnects.keys).isSubset(of: ["3", "5"]), "\(badConnects)")

        // The registration budget was not spent by the floods.
        let legit = try step("legitRegistration")
        #expect(legit.registerStatus == 202, "a legitimate registration after the floods was answered \(legit.registerStatus ?? -1)")
        #expect(legit.status == "assigned")

        // A CONNECT dribbled byte by byte is cut at the absolute 2 s deadline although bytes keep coming.
        let slowloris = try step("mqttSlowloris")
        let slowlorisClosed = try #require(slowloris.closedAfter, "the dribbling MQTT client was never closed")
        #expect(slowlorisClosed < 5, "closed after \(slowlorisClosed) s")
        #expect((slowloris.bytesSent ?? 0) >= 5, "the client kept sending while it waited")

        // TLS handshake (3 s), request head (2 s) and keep-alive idle (3 s) timeouts.
        let silent = try #require(try step("silentTLSClient").closedAfter, "a client that never starts TLS stayed connected")
        #expect(silent >= 2 && silent < 7, "closed after \(silent) s")
        let slowHead = try #require(try step("slowRequestHead").closedAfter, "a dribbled request head was never cut off")
        #expect(slowHead < 6, "closed after \(slowHead) s")
        let idle = try step("idleKeepAlive")
        #expect(idle.firstLine?.contains("200") == true, "\(idle.firstLine ?? "")")
        let idleClosed = try #require(idle.closedAfter, "an idle keep-alive connection stayed open")
        #expect(idleClosed >= 2 && idleClosed < 7, "closed after \(idleClosed) s")

        // Connections beyond the address's 20 are refused at once; the server answers again once they are gone.
        let flood = try step("connectionFlood")
        #expect((flood.refused ?? 0) >= 10, "refused \(flood.refused ?? 0) of \(flood.opened ?? 0)")
        #expect(flood.healthAfter == 200)
        let refusalLogs = server.stderrText.components(separatedBy: "too many connections from one address").count - 1
        #expect(refusalLogs == 1, "the refusals were logged \(refusalLogs) times, not once")

        // 5 MB bodies: 413 on every route, with and without a Content-Length.
        let bodies = try #require(try step("bigBodies").answers)
        #expect(bodies.count == 5)
        for (route, answer) in bodies.sorted(by: { $0.key < $1.key }) {
            #expect(answer.status == 413, "\(route): \(answer.status) \(answer.body)")
        }

        let normal = try step("normalDevice")
        #expect(normal.status == "assigned")
        #expect(!server.hasExited, "the server died")
    }

    @Test("strangers on ten addresses asking for challenges with a device's public EK do not evict the device's own")
    func tpmChallengesCannotBeEvictedByStrangers() async throws {
        let addresses = ServerAddresses.unique()
        let server = try await ServerProcess.start(addresses: addresses)
        let block = addresses.dps.split(separator: ".").dropLast().joined(separator: ".")
        let tpm = try await SoftwareTPMProcess(host: "\(block).200")
        let work = try TemporaryDirectory(prefix: "hostile-tpm")
        let report = try await PythonRunner.run(
            "hostile_resource_tpm.py", [server.dataFile("connection.json").path, work.url.path, tpm.tcti],
            as: HostileResourceReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> HostileResourceReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }
        #expect(try step("setup").challengeStatus == 401, "the device's own challenge")
        let strangers = try step("strangers")
        let statuses = strangers.statuses ?? [:]
        #expect(Set(statuses.keys).isSubset(of: ["401", "429"]), "\(statuses)")
        #expect((statuses["429"] ?? 0) > 0, "a registration full of pending challenges refuses new ones: \(statuses)")
        #expect(strangers.lastMessage?.contains("pending TPM challenges") == true, "\(strangers.lastMessage ?? "")")
        let answer = try step("deviceAnswers")
        #expect(answer.registerStatus == 202, "the device's key was evicted: \(answer.message ?? "")")
        #expect(answer.status == "assigned")
        try await tpm.stop()
        #expect(!server.hasExited)
    }

    @Test("config check rejects limits out of range, naming the key", arguments: [
        "limits: {connectionsPerAddress: 0}", "limits: {mqttConnectTimeoutSeconds: 100000}",
        "limits: {uncommittedBytesTotal: -1}", "limits: {connectionsPerAddress: 50, connectionsTotal: 10}",
    ])
    func configCheckRejectsBadLimits(_ yaml: String) async throws {
        var addresses = ServerAddresses.unique()
        addresses.extraYAML = yaml + "\n"
        let scratch = try TemporaryDirectory(prefix: "limits-config")
        let file = scratch.file("provisio.yaml")
        try addresses.configurationYAML().write(to: file, atomically: true, encoding: .utf8)
        let check = try await ChildProcess.run(try TestEnvironment.provisioBinary(), ["config", "check", file.path])
        #expect(check.status == .exited(1), "\(yaml): \(check.stdout)")
        #expect(check.stderr.contains("limits."), "stderr: \(check.stderr)")
    }
}
