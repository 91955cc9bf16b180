import Foundation
import Testing

/// The unmodified `azure-iot-hub` 2.7.0 service SDK (and `azure-iot-device` for a live device) against a shard's
/// service REST API on the real server.
@Suite("IoT Hub service SDK", .timeLimit(.minutes(3)))
struct HubServiceSDKTests {
    /// What `python/hub_service.py` prints.
    struct RegistryReport: Decodable, Sendable {
        struct Created: Decodable, Sendable {
            var deviceId: String
            var status: String
            var type: String
            var primaryKey: String?
            var secondaryKey: String?
            var etag: String?
        }

        struct Fetched: Decodable, Sendable {
            var deviceId: String
            var etag: String?
            var connectionState: String?
        }

        struct TwinState: Decodable, Sendable {
            var tags: [String: JSONText]
            var desired: [String: JSONText]
        }

        struct Query: Decodable, Sendable {
            var type: String?
            var deviceIds: [String]
        }

        struct Registry: Decodable, Sendable {
            var total: Int
            var enabled: Int
            var disabled: Int
        }

        var created: Created
        var duplicateStatus: Int?
        var fetched: Fetched
        var twin: TwinState
        var query: Query
        var emptyQueryCount: Int
        var badQueryStatus: Int?
        var serviceStatistics: [String: Int]
        var registryStatistics: Registry
        var listedDeviceIds: [String]
        var offlineMethodStatus: Int?
        var deleted: Bool
        var afterDeleteStatus: Int?
    }

    /// What `python/hub_connected_device.py` prints.
    struct ConnectedDeviceReport: Decodable, Sendable {
        struct Method: Decodable, Sendable {
            var status: Int
            var payload: [String: JSONText]?
        }

        var connectionState: String?
        var connectedDeviceCount: Int?
        var method: Method?
        var desiredPatch: [String: JSONText]?
        var rotatedKey: Bool
        var droppedAfterKeyChange: Bool
        var connectedAfterDelete: Int?
    }

    @Test("create (200, generated keys), 409 on duplicate, get, twin update and read, query, statistics, list, delete (204)")
    func registryTwinQueryAndStatistics() async throws {
        let server = try await ServerProcess.start()
        let hub = try #require(server.connection.hubs.first)
        let report = try await PythonRunner.run(
            "hub_service.py", [server.connection.trustBundle, hub.serviceConnectionString, "sdk-device-1"], as: RegistryReport.self)

        #expect(report.created.deviceId == "sdk-device-1" && report.created.status == "enabled" && report.created.type == "sas")
        for key in [report.created.primaryKey, report.created.secondaryKey] {
            #expect(key.flatMap { Data(base64Encoded: $0) }?.count == 32, "the server generates 32-byte keys")
        }
        #expect(report.duplicateStatus == 409)
        #expect(report.fetched.deviceId == "sdk-device-1" && report.fetched.etag == report.created.etag)
        #expect(report.fetched.connectionState == "Disconnected")
        #expect(report.twin.tags["x"] == .string("y"))
        #expect(report.twin.tags["site"] == .object(["floor": .number(3)]))
        #expect(report.twin.desired["temperature"] == .number(21))
        #expect(report.query.type == "twin" && report.query.deviceIds == ["sdk-device-1"])
        #expect(report.emptyQueryCount == 0)
        #expect(report.badQueryStatus == 400)
        #expect(report.serviceStatistics["connectedDeviceCount"] == 0)
        #expect(report.registryStatistics.total == 1 && report.registryStatistics.enabled == 1 && report.registryStatistics.disabled == 0)
        #expect(report.listedDeviceIds == ["sdk-device-1"])
        #expect(report.offlineMethodStatus == 404)
        #expect(report.deleted)
        #expect(report.afterDeleteStatus == 404)

        // The device exists on hub-1 only: another shard's owner token is refused there, and its registry is empty.
        let other = try #require(server.connection.hubs.dropFirst().first)
        let otherReport = try await PythonRunner.run(
            "hub_service.py", [server.connection.trustBundle, other.serviceConnectionString, "sdk-device-2"], as: RegistryReport.self)
        #expect(otherReport.listedDeviceIds == ["sdk-device-2"])
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }

    @Test("a device connected with azure-iot-device: Connected, counted, answers a method, receives desired, dropped on key change")
    func connectedDevice() async throws {
        let server = try await ServerProcess.start()
        let hub = try #require(server.connection.hubs.first)
        let report = try await PythonRunner.run(
            "hub_connected_device.py", [server.connection.trustBundle, hub.serviceConnectionString, "sdk-live-1"],
            as: ConnectedDeviceReport.self, timeout: .seconds(120))
        #expect(report.connectionState == "Connected")
        #expect(report.connectedDeviceCount == 1)
        #expect(report.method?.status == 200)
        #expect(report.method?.payload?["method"] == .string("reboot"))
        #expect(report.method?.payload?["echo"] == .object(["delay": .number(5)]))
        #expect(report.desiredPatch?["rate"] == .number(7))
        #expect(report.rotatedKey)
        #expect(report.droppedAfterKeyChange, "changing the keys closes the device's connection")
        #expect(report.connectedAfterDelete == 0)
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }
}

/// Any JSON value, decoded for comparisons in reports.
indirect enum JSONText: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONText])
    case object([String: JSONText])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONText].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONText].self))
        }
    }
}
