import Foundation
import Testing

/// What `python/websocket_flow.py` reports.
struct WebSocketFlowReport: Decodable, Sendable {
    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var status: JSONNumberOrText?
        var methodStatus: Int?
        var assignedHub: String?
        var connected: Bool?
        var body: String?
        var properties: [String: String]?
        var messageId: String?
        var data: String?
        var kind: String?
        var payload: String?
        var reported: String?
        var patchInterval: Int?
        var deviceDesired: Int?
        var garbageClosed: Bool?
        var unknownSubprotocolStatus: Int?
    }

    var steps: [String: Step]
}

/// The unmodified Azure device SDK with `websockets=True` — MQTT inside WebSockets on port 443 — provisions at DPS
/// and then works with its shard: telemetry, C2D, methods and twins; hostile WebSocket peers are closed or refused.
@Suite("MQTT over WebSockets", .timeLimit(.minutes(5)))
struct WebSocketTransportTests {
    @Test("DPS registration and the hub's device features over wss://{host}:443/$iothub/websocket")
    func mqttOverWebSockets() async throws {
        var addresses = ServerAddresses.unique()
        addresses.httpsPort = 443
        let server = try await ServerProcess.start(addresses: addresses)
        let report = try await PythonRunner.run(
            "websocket_flow.py", [server.dataFile("connection.json").path, server.dataFile("provisio.sqlite").path],
            as: WebSocketFlowReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> WebSocketFlowReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }
        let provision = try step("provision")
        #expect(provision.status == .text("assigned"))
        #expect(try step("connect").connected == true)
        let telemetry = try step("telemetry")
        #expect(telemetry.body == #"{"over": "websockets"}"#)
        #expect(telemetry.properties?["via"] == "wss")
        #expect(telemetry.messageId == "ws-mid-1")
        let c2d = try step("cloudToDevice")
        #expect(c2d.data == "hello over wss")
        #expect(c2d.messageId == "ws-c2d-1")
        #expect(c2d.kind == "greeting")
        let method = try step("method")
        #expect(method.methodStatus == 200)
        #expect(method.payload == #"{"echo": {"n": 1}}"#)
        let twin = try step("twin")
        #expect(twin.reported == "mqtt-ws")
        #expect(twin.patchInterval == 7)
        #expect(twin.deviceDesired == 7)
        let x509 = try step("x509")
        #expect(x509.status == .text("assigned"))
        #expect(x509.connected == true)
        let raw = try step("rawPeers")
        #expect(raw.garbageClosed == true)
        #expect(raw.unknownSubprotocolStatus == 400)
        #expect(try step("stillServing").connected == true)
    }
}
