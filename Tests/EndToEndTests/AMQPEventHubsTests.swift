import Foundation
import Testing

/// What the AMQP end-to-end scripts print: named steps, each with `ok`, an `error` when it failed, and what it saw.
struct AMQPStepReport: Decodable, Sendable {
    var steps: [String: [String: JSONText]]

    /// The step's observations; records an issue (with the script's error) unless it succeeded.
    func step(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String: JSONText] {
        guard let step = steps[name] else {
            Issue.record("step \(name) missing", sourceLocation: sourceLocation)
            return [:]
        }
        #expect(step["ok"] == .bool(true), "\(name): \(step["error"].map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
        return step
    }
}

/// The built-in Event Hubs-compatible endpoint of a shard, read with the unmodified `azure-eventhub` 5.15.1 client
/// (its own pure-Python AMQP stack, then uamqp, then over WebSockets), compared with the events REST API.
@Suite("AMQP Event Hubs endpoint", .timeLimit(.minutes(8)))
struct AMQPEventHubsTests {
    @Test("pyamqp: properties, -1, @latest, sequence number in/exclusive, offset, enqueued time, batches, metrics, groups, owner level, wrong key")
    func pyamqp() async throws {
        try await Self.run(transport: "pyamqp")
    }

    @Test("uamqp_transport=True: the same reads with the C AMQP stack")
    func uamqp() async throws {
        try await Self.run(transport: "uamqp")
    }

    @Test("AMQP over WebSockets (wss://{host}:443/$servicebus/websocket): the same reads")
    func webSockets() async throws {
        try await Self.run(transport: "pyamqp", webSocket: true)
    }

    @Test("uamqp over WebSockets (wss://{host}:443/$servicebus/websocket/, its trailing slash and Host with port): the same reads")
    func webSocketsUAMQP() async throws {
        try await Self.run(transport: "uamqp", webSocket: true)
    }

    @Test("the hub's messages/events address redirects (amqp:link:redirect) to the Event Hubs-compatible endpoint, as the SDK sample follows it")
    func redirect() async throws {
        let server = try await ServerProcess.start()
        let hub = try #require(server.connection.hubs.first)
        let report = try await PythonRunner.run(
            "eventhub_redirect.py", [server.dataFile("connection.json").path], as: AMQPStepReport.self, timeout: .seconds(120))
        let redirect = report.step("redirect")
        #expect(redirect["hostname"] == .string(hub.hostName))
        #expect(redirect["address"] == .string("amqps://\(hub.hostName):\(hub.amqpPort)/hub-1/ConsumerGroups/$Default/Partitions/0"))
        #expect(redirect["name"] == .string("hub-1"), "the connection string built from the redirect reads the event hub")
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }

    static func run(transport: String, webSocket: Bool = false) async throws {
        var addresses = ServerAddresses.unique()
        // The SDKs dial 443 for WebSockets and derive nothing else from the Event Hubs connection string.
        if webSocket { addresses.httpsPort = 443 }
        let server = try await ServerProcess.start(addresses: addresses)
        let report = try await PythonRunner.run(
            "eventhub_flow.py", [server.dataFile("connection.json").path, transport] + (webSocket ? ["websocket"] : []),
            as: AMQPStepReport.self, timeout: .seconds(420))

        let setUp = report.step("setUp")
        #expect(setUp["sources"] == .array([.string("deviceLifecycleEvents"), .string("twinChangeEvents"),
                                            .string("Telemetry"), .string("Telemetry"), .string("Telemetry")]))
        let properties = report.step("properties")
        #expect(properties["name"] == .string("hub-1"))
        #expect(properties["partitionIds"] == .array(["0", "1", "2", "3"].map(JSONText.string)))
        #expect(properties["idsCall"] == properties["partitionIds"])

        let start = report.step("fromStart")
        #expect(start["deviceId"] == .string("eh-device-\(transport)\(webSocket ? "-ws" : "")"))
        #expect(start["sources"] == setUp["sources"], "telemetry, twin-change and lifecycle events, in log order")
        if case .array(let keys)? = start["systemKeys"] {
            for key in ["x-opt-sequence-number", "x-opt-offset", "x-opt-enqueued-time", "iothub-connection-device-id",
                        "iothub-connection-auth-method", "iothub-enqueuedtime", "iothub-message-source", "message-id",
                        "correlation-id", "content-type", "content-encoding"] {
                #expect(keys.contains(.string(key)), "annotation or property \(key) missing")
            }
        } else {
            Issue.record("no system properties reported")
        }
        for name in ["sequenceInclusive", "sequenceExclusive", "offset", "enqueuedTime", "batch", "runtimeMetric",
                     "consumerGroups", "ownerLevel", "latest"] {
            _ = report.step(name)
        }
        let wrongKey = report.steps["wrongKey"] ?? [:]
        #expect(wrongKey["ok"] == .bool(true), "\(wrongKey["error"].map { "\($0)" } ?? "")")
        #expect(wrongKey["errorType"] == .string("AuthenticationError"), "wrong key: \(wrongKey)")
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }
}
