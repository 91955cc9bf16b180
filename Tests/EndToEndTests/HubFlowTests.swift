import Foundation
import Testing

/// What `python/hub_flow.py` reports.
struct HubFlowReport: Decodable, Sendable {
    /// A received C2D message as the device SDK saw it.
    struct ReceivedMessage: Decodable, Sendable {
        var data: String
        var messageId: String?
        var correlationId: String?
        var contentType: String?
        var properties: [String: String]?
    }

    /// One step's outcome and details.
    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var body: String?
        var properties: [String: String]?
        var systemProperties: [String: String]?
        var deviceDesiredVersion: Int?
        var serviceReported: [String: JSONNumberOrText]?
        var patchArrived: Bool?
        var patchInterval: Int?
        var patchHasVersion: Bool?
        var tags: [String: String]?
        var status: Int?
        var deviceSawPayload: [String: Int]?
        var offline: String?
        var arrived: Bool?
        var message: ReceivedMessage?
        var reconnected: Bool?
        var c2dStatus: Int?
        var c2dAfterRenewal: Bool?
        var methodAfterRenewal: Int?
        var data: String?
        var wrongShard: String?
        var foreignSubscription: Int?
        var closedOnForeignPublish: Bool?
        var spoofedStored: Int?
        var created: String?
        var listed: [String]?
        var moduleReported: Int?
        var patchThreshold: Int?
        var methodStatus: Int?
        var telemetryBody: String?
        var telemetryModule: String?
        var afterDelete: [String]?
    }

    var steps: [String: Step]
    var hub: String
}

/// A reported value that may be text or a nested object; only presence and text are compared.
enum JSONNumberOrText: Decodable, Sendable, Equatable {
    case text(String)
    case other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = (try? container.decode(String.self)).map(JSONNumberOrText.text) ?? .other
    }
}

/// A device provisioned through DPS works with its shard through the unmodified Azure device and service SDKs:
/// telemetry, twins, direct methods, C2D (also while offline and after SAS renewal), and isolation.
@Suite("Hub shard with the Azure SDKs", .timeLimit(.minutes(5)))
struct HubFlowTests {
    @Test("telemetry, twin, methods, C2D, SAS renewal and isolation end to end")
    func hubScenario() async throws {
        let server = try await ServerProcess.start()
        let report = try await PythonRunner.run(
            "hub_flow.py", [server.dataFile("connection.json").path, server.dataFile("provisio.sqlite").path],
            as: HubFlowReport.self, timeout: .seconds(240))
        func step(_ name: String) throws -> HubFlowReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }

        let telemetry = try step("telemetry")
        #expect(telemetry.body == #"{"temperature": 31.5}"#)
        #expect(telemetry.properties == ["alert": "true", "b key": "v/1&2"])
        #expect(telemetry.systemProperties?["message-id"] == "mid-1")
        #expect(telemetry.systemProperties?["content-type"] == "application/json")
        #expect(telemetry.systemProperties?["content-encoding"] == "utf-8")
        #expect(telemetry.systemProperties?["iothub-connection-device-id"] == "hub-dev-1")
        #expect(telemetry.systemProperties?["iothub-connection-auth-method"] == "sas")
        #expect(telemetry.systemProperties?["iothub-enqueuedtime"] != nil)

        let twin = try step("twin")
        #expect(twin.deviceDesiredVersion != nil)
        #expect(twin.serviceReported?["firmware"] == .text("2.0"), "reported values are visible to the service SDK")
        #expect(twin.serviceReported?["battery"] == .other)
        #expect(twin.patchArrived == true)
        #expect(twin.patchInterval == 30)
        #expect(twin.patchHasVersion == true)
        #expect(twin.tags == ["site": "plant-7"])

        let method = try step("method")
        #expect(method.status == 201)
        #expect(method.deviceSawPayload == ["delay": 5])
        #expect(method.offline == "404", "a device that is not connected gets 404")

        let c2d = try step("c2d")
        #expect(c2d.status == 204)
        #expect(c2d.arrived == true)
        #expect(c2d.message?.data == "hello device")
        #expect(c2d.message?.messageId == "c2d-1")
        #expect(c2d.message?.correlationId == "corr-1")
        #expect(c2d.message?.contentType == "text/plain")
        #expect(c2d.message?.properties?["priority"] == "high")

        let renewal = try step("renewal")
        #expect(renewal.reconnected == true, "the SDK renewed its SAS by reconnecting")
        #expect(renewal.c2dAfterRenewal == true, "subscriptions survive the renewal reconnect")
        #expect(renewal.methodAfterRenewal == 201)

        let offline = try step("offlineC2D")
        #expect(offline.status == 204)
        #expect(offline.arrived == true)
        #expect(offline.data == "while offline")

        let isolation = try step("isolation")
        #expect(isolation.wrongShard == "CredentialError")
        #expect(isolation.foreignSubscription == 128, "SUBACK failure for another device's topic")
        #expect(isolation.closedOnForeignPublish == true)
        #expect(isolation.spoofedStored == 0)

        let modules = try step("modules")
        #expect(modules.created == "sensor")
        #expect(modules.listed == ["sensor"])
        #expect(modules.moduleReported == 10, "the module's own twin holds its reported properties")
        #expect(modules.patchArrived == true)
        #expect(modules.patchThreshold == 3)
        #expect(modules.methodStatus == 200)
        #expect(modules.telemetryBody == "from the module")
        #expect(modules.telemetryModule == "sensor")
        #expect(modules.afterDelete == [])

        #expect(try await server.stop() == .exited(0))
    }
}
