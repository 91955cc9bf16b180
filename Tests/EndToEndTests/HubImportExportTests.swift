import Foundation
import Testing

/// Import and export jobs with the unmodified `azure-iot-hub` 2.7.0 `IoTHubJobManager` against the real server: a
/// registry moved from one shard to another through the shards' own blob containers, keys and all.
@Suite("IoT Hub import and export jobs", .timeLimit(.minutes(5)))
struct HubImportExportTests {
    /// What `python/hub_import_export.py` prints.
    struct Report: Decodable, Sendable {
        struct Created: Decodable, Sendable {
            var status: String
            var redacted: Bool
        }

        struct Job: Decodable, Sendable {
            var status: String
            var progress: Int?
            var failureReason: String?
            var progressSeen: [Int]?
        }

        var containerUriHasSas: Bool
        var exportCreated: Created
        var export: Job
        var downloadedLines: Int
        var downloadedHasKeys: Bool
        var roundTrip: String
        var `import`: Job
        var hub2DeviceCount: Int
        var hub2Tags: [String: JSONText]?
        var connectedOnHub2: Bool
        var listedJobIds: [String]
        var exportJobId: String
        var cancelEndedStatus: String
        var forged: Job
        var unknownTypeStatus: Int?
    }

    @Test("10,000 devices exported with keys from hub-1 and imported into hub-2, where a device connects with its old key")
    func moveRegistryBetweenShards() async throws {
        let server = try await ServerProcess.start()
        let hubs = server.connection.hubs
        try #require(hubs.count >= 2)
        let report = try await PythonRunner.run(
            "hub_import_export.py", [server.connection.trustBundle, hubs[0].serviceConnectionString, hubs[1].serviceConnectionString, "10000"],
            as: Report.self, timeout: .seconds(240))

        #expect(report.containerUriHasSas)
        #expect(report.exportCreated.status == "enqueued" && report.exportCreated.redacted, "the SAS signature is not echoed")
        #expect(report.export.status == "completed" && report.export.progress == 100, "\(report.export)")
        #expect(report.downloadedLines == 10000 && report.downloadedHasKeys, "azure-storage-blob reads devices.txt with keys")
        #expect(report.roundTrip == "written with a container SAS")
        #expect(report.import.status == "completed" && report.import.progress == 100, "\(report.import)")
        #expect(report.hub2DeviceCount == 10000)
        #expect(report.hub2Tags == ["site": .string("north")])
        #expect(report.connectedOnHub2, "a moved device connects to hub-2 with the key it had on hub-1")
        #expect(report.listedJobIds.contains(report.exportJobId))
        #expect(report.cancelEndedStatus == "completed", "cancelling an ended job changes nothing")
        #expect(report.forged.status == "failed" && report.forged.failureReason?.contains("Signature") == true, "\(report.forged)")
        #expect(report.unknownTypeStatus == 400)
    }
}
