import Foundation
import Testing

/// What `python/hostile_input_flow.py` reports.
struct HostileInputReport: Decodable, Sendable {
    struct Answer: Decodable, Sendable {
        var status: Int
        var message: String?
        var reason: String?
        var route: String?
    }

    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        // farFutureSAS
        var codes: [String: Int?]?
        var validCode: Int?
        // deepTwinQueries, hostileRouting
        var answers: [String: Answer]?
        var normalStatus: Int?
        var normalIds: [String]?
        var storedRoutes: [String]?
        var storedEndpoints: [String]?
        // healthyDevice
        var status: String?
        var deviceId: String?
        var bodies: [JSONText]?
    }

    var steps: [String: Step]
}

/// Hostile input against the real server, as a client holding a device key, the read-only `registryRead` policy or
/// the owner policy would send it: each is refused with the right status and a message naming the limit, the
/// process stays up, and a new device then provisions, connects and sends telemetry.
@Suite("Hostile input", .timeLimit(.minutes(4)))
struct HostileInputTests {
    @Test("absurd SAS expiries, deep twin queries, over-limit routing conditions and absurd endpoint numbers")
    func hostileInput() async throws {
        let server = try await ServerProcess.start()
        let report = try await PythonRunner.run(
            "hostile_input_flow.py", [server.dataFile("connection.json").path, server.dataFile("provisio.sqlite").path],
            as: HostileInputReport.self, timeout: .seconds(180))
        func step(_ name: String) throws -> HostileInputReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }

        // A device with a valid key and an absurd `se`: CONNACK 5 (not authorized), the process lives on.
        let sas = try step("farFutureSAS")
        for expiry in ["10000000000000000", "99999999999999999999", "-1", "1e16", "1800000000.5"] {
            #expect((sas.codes?[expiry] ?? nil) == 5, "se=\(expiry): \(String(describing: sas.codes?[expiry]))")
        }
        #expect(sas.validCode == 0, "the same device with a sane expiry connects")

        // registryRead may query twins; past the limits the answer is 400 naming the limit.
        let queries = try step("deepTwinQueries")
        let expected = ["parentheses": "nest deeper than 32 levels", "not": "nest deeper than 32 levels",
                        "and": "more than 512 operators", "long": "longer than 8192 characters"]
        for (attack, phrase) in expected {
            let answer = queries.answers?[attack]
            #expect(answer?.status == 400, "\(attack): \(String(describing: answer))")
            #expect(answer?.message?.contains(phrase) == true, "\(attack): \(answer?.message ?? "")")
        }
        #expect(queries.normalStatus == 200)
        #expect(queries.normalIds == ["hostile-se"])

        // PUT /routing refuses over-limit conditions and absurd numbers; nothing of them is stored.
        let routing = try step("hostileRouting")
        let longAnd = routing.answers?["longAnd"]
        #expect(longAnd?.status == 400 && longAnd?.route == "long" && longAnd?.reason?.contains("more than 512 operators") == true,
                "\(String(describing: longAnd))")
        let deep = routing.answers?["deep"]
        #expect(deep?.status == 400 && deep?.route == "deep" && deep?.reason?.contains("nest deeper than 32 levels") == true,
                "\(String(describing: deep))")
        for (attack, setting) in [("timeout", "timeoutSeconds"), ("retry", "retryMaximumSeconds"), ("retention", "retentionSeconds")] {
            let answer = routing.answers?[attack]
            #expect(answer?.status == 400, "\(attack): \(String(describing: answer))")
            #expect(answer?.message?.contains(setting) == true, "\(attack): \(answer?.message ?? "")")
        }
        #expect(routing.storedRoutes == [])
        #expect(routing.storedEndpoints == ["events"])

        // After all of it: alive, and a new device provisions, connects and its telemetry reaches the events endpoint.
        let healthy = try step("healthyDevice")
        #expect(healthy.status == "assigned")
        #expect(healthy.bodies?.count == 1, "\(String(describing: healthy.bodies))")
        #expect(!server.hasExited, "the server died: \(server.stderrText)")
        #expect(try await server.stop() == .exited(0))
    }

    @Test("a stored routing past today's limits neither crashes nor blocks the start: default routing, logged, devices served")
    func storedRoutingPastTheLimits() async throws {
        let data = try TemporaryDirectory(prefix: "hostile-routing")
        let addresses = ServerAddresses.unique()
        let first = try await ServerProcess.start(addresses: addresses, dataDirectory: data)
        // connection.json goes away when the server stops; the script needs the shard names from it.
        let work = try TemporaryDirectory(prefix: "hostile-routing-work")
        try FileManager.default.copyItem(at: first.dataFile("connection.json"), to: work.file("connection.json"))
        let connection = work.file("connection.json").path, database = first.dataFile("provisio.sqlite").path
        #expect(try await first.stop() == .exited(0))
        let stored = try await PythonRunner.run("hostile_input_flow.py", [connection, database, "store-bad-routing"],
                                                as: HostileInputReport.self)
        #expect(stored.steps["storeBadRouting"]?.ok == true, "\(stored.steps["storeBadRouting"]?.error ?? "")")

        let server = try await ServerProcess.start(addresses: addresses, dataDirectory: data)
        let report = try await PythonRunner.run("hostile_input_flow.py", [server.dataFile("connection.json").path, database, "healthy"],
                                                as: HostileInputReport.self, timeout: .seconds(120))
        let healthy = try #require(report.steps["healthyDevice"])
        #expect(healthy.ok, "\(healthy.error ?? "")")
        #expect(healthy.bodies?.count == 1, "the default routing delivers to the built-in endpoint")
        #expect(server.stderrText.contains("the stored routing no longer validates"), "the fallback is logged")
        #expect(!server.hasExited, "the server died: \(server.stderrText)")
        #expect(try await server.stop() == .exited(0))
    }
}
