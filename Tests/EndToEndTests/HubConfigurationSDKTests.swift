import Foundation
import Testing

/// Automatic device configurations with the unmodified `azure-iot-hub` 2.7.0 `IoTHubConfigurationManager` against
/// the real server, and a device connected with `azure-iot-device` receiving what they converge.
@Suite("IoT Hub configurations SDK", .timeLimit(.minutes(3)))
struct HubConfigurationSDKTests {
    /// What `python/hub_configurations.py` prints.
    struct Report: Decodable, Sendable {
        struct QueryTests: Decodable, Sendable {
            var good: [JSONText]
            var bad: String?
        }

        struct Created: Decodable, Sendable {
            var id: String
            var priority: Int
            var etag: Bool
            var deviceContent: [String: JSONText]
            var labels: [String: String]
        }

        struct Metrics: Decodable, Sendable {
            var system: [String: Int]
            var custom: [String: Int]?
        }

        var testQueries: QueryTests
        var created: Created
        var existingDesired: [String: JSONText]
        var otherDesired: [String: JSONText]
        var livePatch: [String: JSONText]?
        var liveUrgentPatch: [String: JSONText]?
        var existingAfterUrgent: String?
        var baseMetrics: Metrics
        var urgentMetrics: Metrics
        var listed: [String]
        var listedTop1: Int
        var updatedPriority: Int
        var staleUpdateStatus: Int?
        var duplicateCreateStatus: Int?
        var appliedToOther: Double?
        var existingUntouchedByApply: Bool
        var afterDeleteStatus: Int?
    }

    @Test("a configuration converges existing and new devices (a connected device gets the patch), loses to a higher priority, reports counts and metrics; testQueries, etags, applyConfigurationContent, delete")
    func configurationLifecycle() async throws {
        let server = try await ServerProcess.start()
        let hub = try #require(server.connection.hubs.first)
        let report = try await PythonRunner.run(
            "hub_configurations.py", [server.connection.trustBundle, hub.serviceConnectionString], as: Report.self, timeout: .seconds(120))

        #expect(report.testQueries.good == [.string(""), .object([:])])
        #expect(report.testQueries.bad?.contains("position") == true, "\(report.testQueries.bad ?? "-")")
        #expect(report.created.id == "fw-base" && report.created.priority == 10 && report.created.etag)
        #expect(report.created.deviceContent == ["properties.desired.fw": .string("1.0"), "properties.desired.mode": .string("eco")])
        #expect(report.created.labels == ["team": "ops"])
        #expect(report.existingDesired == ["fw": .string("1.0"), "mode": .string("eco")], "an existing matching device converges")
        #expect(report.otherDesired.isEmpty, "a device outside the condition is untouched")
        #expect(report.livePatch?["fw"] == .string("1.0") && report.livePatch?["mode"] == .string("eco"),
                "the connected device, tagged after it was created, receives the content")
        #expect(report.liveUrgentPatch == ["fw": .string("2.0")], "a higher priority wins fw and reaches the device")
        #expect(report.existingAfterUrgent == "2.0")
        #expect(report.baseMetrics.system == ["targetedCount": 2, "appliedCount": 0])
        #expect(report.baseMetrics.custom == ["reportedTwo": 1])
        #expect(report.urgentMetrics.system == ["targetedCount": 2, "appliedCount": 2])
        #expect(report.listed == ["fw-base", "fw-urgent"] && report.listedTop1 == 1)
        #expect(report.updatedPriority == 5)
        #expect(report.staleUpdateStatus == 412 && report.duplicateCreateStatus == 409)
        #expect(report.appliedToOther == 1 && report.existingUntouchedByApply)
        #expect(report.afterDeleteStatus == 404)
    }
}
