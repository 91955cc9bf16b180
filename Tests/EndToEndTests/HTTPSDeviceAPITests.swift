import Foundation
import Testing

/// What `python/https_device_flow.py` reports.
struct HTTPSDeviceFlowReport: Decodable, Sendable {
    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var status: Int?
        var body: String?
        var properties: [String: String]?
        var system: [String: String?]?
        var batchBodies: [String]?
        var batchProperties: [String: String]?
        var statuses: [Int]?
        var errorCode: String?
        var emptyStatus: Int?
        var headers: [String: String?]?
        var completeStatus: Int?
        var staleStatus: Int?
        var staleErrorCode: Int?
        var rejectStatus: Int?
        var abandonStatus: Int?
        var redelivered: [String?]?
        var feedback: [String: String]?
        var finallyEmpty: Int?
        var hiddenWhileLocked: Int?
        var redeliveredId: String?
        var deliveryCount: String?
        var lapsedStatus: Int?
    }

    var steps: [String: Step]
}

/// The device HTTPS API on a shard's 443 listener, driven with requests formed as the Azure IoT C SDK sends them
/// (SAS) and by a self-signed certificate device: telemetry lands in the built-in endpoint with its properties; C2D polling completes, rejects (negative feedback)
/// and abandons (redelivery) under a peek-lock that returns the message when it lapses; a device reaches only its paths.
@Suite("HTTPS device API", .timeLimit(.minutes(4)))
struct HTTPSDeviceAPITests {
    @Test("telemetry single and batch, C2D complete, reject, abandon and lock expiry over HTTPS")
    func deviceAPI() async throws {
        var addresses = ServerAddresses.unique()
        addresses.httpsPort = 443
        let server = try await ServerProcess.start(addresses: addresses)
        let report = try await PythonRunner.run("https_device_flow.py", [server.dataFile("connection.json").path],
                                                as: HTTPSDeviceFlowReport.self, timeout: .seconds(180))
        func step(_ name: String) throws -> HTTPSDeviceFlowReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }
        let single = try step("telemetrySingle")
        #expect(single.status == 204)
        #expect(single.body == #"{"temperature":21.5}"#)
        #expect(single.properties == ["alert": "true", "b-key": "v/1&2"])
        #expect(single.system?["message-id"] == "mid-1")
        #expect(single.system?["correlation-id"] == "cid-1")
        #expect(single.system?["content-type"] == "application/json")
        #expect(single.system?["content-encoding"] == "utf-8")
        #expect(single.system?["iothub-connection-auth-method"] != nil)
        let batch = try step("telemetryBatch")
        #expect(batch.status == 204)
        #expect(batch.batchBodies == [#"{"temperature":21.5}"#, "\u{01}\u{02}"])
        #expect(batch.batchProperties == ["n": "2"])
        let foreign = try step("foreignPaths")
        #expect(foreign.statuses == [401, 401, 401, 401])
        #expect(foreign.errorCode == "IotHubUnauthorizedAccess")
        let c2d = try step("cloudToDevice")
        #expect(c2d.emptyStatus == 204)
        #expect(c2d.body == #"{"n":1}"#)
        #expect(c2d.headers?["iothub-messageid"] == "c2d-complete")
        #expect(c2d.headers?["iothub-correlationid"] == "corr-c2d-complete")
        #expect(c2d.headers?["iothub-deliverycount"] == "0")
        #expect(c2d.headers?["iothub-to"] == "/devices/http-dev-1/messages/deviceBound")
        #expect(c2d.headers?["iothub-app-prop1"] == "val1")
        #expect(c2d.headers?["ContentType"] == "application/json")
        #expect(c2d.headers?["iothub-ack"] == "full")
        #expect((c2d.headers?["iothub-sequencenumber"] ?? nil).flatMap { Int64($0) } != nil)
        #expect((c2d.headers?["iothub-enqueuedtime"] ?? nil)?.hasSuffix("GMT") == true)
        #expect(c2d.completeStatus == 204)
        #expect(c2d.staleStatus == 412)
        #expect(c2d.staleErrorCode == 412_002)
        #expect(c2d.rejectStatus == 204)
        #expect(c2d.abandonStatus == 204)
        #expect(c2d.redelivered == ["c2d-abandon", "1", "abandon me"])
        #expect(c2d.feedback == ["c2d-complete": "Success", "c2d-reject": "Rejected", "c2d-abandon": "Success"])
        #expect(c2d.finallyEmpty == 204)
        let lapse = try step("lockExpiry")
        #expect(lapse.hiddenWhileLocked == 204)
        #expect(lapse.redeliveredId == "c2d-lapse")
        #expect(lapse.deliveryCount == "1")
        #expect(lapse.lapsedStatus == 412)
        let module = try step("moduleTelemetry")
        #expect(module.status == 204)
        #expect(module.body == "from the module")
        #expect(module.system?["iothub-connection-module-id"] == "sensor")
        #expect(module.statuses == [401])
        let x509 = try step("x509")
        #expect(x509.status == 204)
        #expect(x509.body == "x509 over https")
        #expect(x509.system?["iothub-connection-auth-method"] == "x509")
        #expect(x509.statuses == [401])
        // Bad batch JSON, an empty batch, bad base64, an oversized body, a bad lock timeout, a foreign auth scheme.
        #expect(try step("hostile").statuses == [400, 400, 400, 413, 400, 401, 204])
    }
}
