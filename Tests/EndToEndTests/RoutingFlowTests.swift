import Foundation
import Testing

/// What `python/routing_flow.py` reports.
struct RoutingFlowReport: Decodable, Sendable {
    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        // configure
        var badStatus: Int?
        var badPosition: Int?
        var badReason: String?
        var badRoute: String?
        var endpoints: [String]?
        var routes: [String]?
        // webhook, builtin
        var temperatures: [Double]?
        var attempts: Int?
        var failedAttempts: Int?
        var secretHeader: String?
        var enrichments: [String: String]?
        var deviceIds: [String]?
        var bodyEncoding: String?
        var regions: [String]?
        var binary: String?
        var systemKeys: [String]?
        var keys: [String]?
        // named logs, storage
        var ops: [Int]?
        var opsPartitions: Int?
        var plant: [[String: Double]]?
        var plantProperties: [String: String]?
        var files: [String]?
        var lines: Int?
        var indexes: [Int]?
        // hub events, metrics
        var operations: [String]?
        var twinChange: JSONText?
        var schema: String?
        var alerts: [String: JSONText]?
    }

    var steps: [String: Step]
}

/// Routing with the unmodified Azure SDKs against the real server: conditions on the body, application properties
/// and twin tags, the fallback to the built-in endpoint, enrichments, an HTTPS webhook that fails for a while, named
/// event logs, a storage endpoint, and twin-change and lifecycle events.
@Suite("Routing end to end", .timeLimit(.minutes(5)))
struct RoutingFlowTests {
    @Test("routes, fallback, enrichments, webhook retries, named logs, storage files and hub events")
    func routingScenario() async throws {
        let server = try await ServerProcess.start()
        let scratch = try TemporaryDirectory(prefix: "routing")
        let (certificate, key) = try await Self.webhookCertificate(in: scratch)
        let storage = scratch.file("archive")
        let report = try await PythonRunner.run(
            "routing_flow.py", [server.dataFile("connection.json").path, certificate.path, key.path, storage.path],
            as: RoutingFlowReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> RoutingFlowReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }

        let configure = try step("configure")
        #expect(configure.badStatus == 400)
        #expect(configure.badRoute == "broken")
        #expect(configure.badPosition == 20, "the second '>' of '$body.temperature >> 30'")
        #expect(configure.badReason?.contains("expected a value") == true)
        #expect(configure.endpoints == ["events", "alerts", "ops", "plant", "archive"])
        #expect(configure.routes == ["hot", "ops", "plant", "twins", "lifecycle"])

        let webhook = try step("webhook")
        #expect(webhook.temperatures == [35, 40, 31], "only $body.temperature > 30 reaches the webhook, in order")
        #expect((webhook.attempts ?? 0) >= 3 + (webhook.failedAttempts ?? 0), "the failing answers were retried")
        #expect(webhook.secretHeader == "s3cret")
        #expect(webhook.enrichments?["region"] == "eu-west")
        #expect(webhook.enrichments?["hub"] == "hub-1")
        #expect(webhook.deviceIds == ["route-dev-1"])
        #expect(webhook.bodyEncoding == "json")

        let builtin = try step("builtin")
        #expect(builtin.temperatures == [25, 28, 30], "everything else lands in the built-in endpoint through the fallback")
        #expect(builtin.regions == ["eu-west"], "the enrichment reaches the built-in endpoint")
        #expect(builtin.binary == "/wBiaW5hcnk=", "a body that is not UTF-8 is base64")
        #expect(builtin.keys == ["body", "bodyEncoding", "enqueuedTimeUtc", "partitionId", "properties", "sequenceNumber", "systemProperties"])
        for key in ["iothub-connection-device-id", "iothub-connection-auth-method", "iothub-enqueuedtime", "iothub-message-source",
                    "content-type", "content-encoding"] {
            #expect(builtin.systemKeys?.contains(key) == true, "system property \(key)")
        }

        let named = try step("namedLogs")
        #expect(named.ops == [0, 1, 2], "the application-property route")
        #expect(named.opsPartitions == 2)
        #expect(named.plant == [["pressure": 1013, "temperature": 20]], "the $twin.tags route")
        #expect(named.plantProperties?["pipeline"] == "routing-e2e")

        let files = try step("storage")
        #expect(files.indexes == [0, 1, 2])
        let pattern = #"^hub-1/[0-9]+/[0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2}/[0-9]{2}$"#
        #expect(files.files?.allSatisfy { $0.range(of: pattern, options: .regularExpression) != nil } == true, "\(files.files ?? [])")

        let hubEvents = try step("hubEvents")
        let operations = Set(hubEvents.operations ?? [])
        #expect(operations.isSuperset(of: [
            "createDeviceIdentity:route-dev-1", "createDeviceIdentity:route-dev-2", "updateTwin:route-dev-1", "updateTwin:route-dev-2",
            "deleteDeviceIdentity:route-dev-2",
        ]))
        #expect(hubEvents.schema == "twinChangeNotification")
        if case .object(let change)? = hubEvents.twinChange {
            #expect(change["tags"] == .object(["site": .string("plant-7"), "region": .string("eu-west")]))
        } else {
            Issue.record("no twin change body")
        }

        let metrics = try step("metrics")
        if case .number(let failed)? = metrics.alerts?["failedAttempts"] { #expect(failed >= 4) } else { Issue.record("no metrics") }

        #expect(try await server.stop() == .exited(0))
    }

    /// A self-signed certificate for 127.0.0.1 (the webhook's own trust anchor), made with openssl.
    static func webhookCertificate(in directory: TemporaryDirectory) async throws -> (URL, URL) {
        let certificate = directory.file("webhook.pem")
        let key = directory.file("webhook.key")
        let output = try await TestEnvironment.runOpenSSL([
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
            "-subj", "/CN=routing-webhook", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", key.path, "-out", certificate.path,
        ])
        guard output.status == .exited(0) else { throw TestEnvironmentError("openssl failed: \(output.stderr)") }
        return (certificate, key)
    }
}
