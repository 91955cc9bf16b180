import Foundation
import Testing

/// Plug and Play with the unmodified device and service SDKs: a device announcing its model over MQTT, and
/// `DigitalTwinClient` reading, patching and commanding it.
@Suite("IoT Hub Plug and Play", .timeLimit(.minutes(3)))
struct HubPlugAndPlayTests {
    /// What `python/hub_pnp.py` prints.
    struct Report: Decodable, Sendable {
        struct ComponentCommand: Decodable, Sendable {
            var payload: JSONText?
            var status: Int?
        }

        var twinModelId: String?
        var before: JSONText
        var rootCommand: JSONText?
        var componentCommand: ComponentCommand
        var componentCommandClient: JSONText?
        var devicePatch: JSONText?
        var after: JSONText
        var badPatchStatus: Int?
    }

    static let model = "dtmi:com:example:TemperatureController;2"

    static func member(_ value: JSONText?, _ path: String...) -> JSONText? {
        var current = value
        for name in path {
            guard case .object(let members)? = current else { return nil }
            current = members[name]
        }
        return current
    }

    @Test("the MQTT model-id is the twin's modelId and $metadata.$model; a JSON Patch reaches the device; root and component commands")
    func digitalTwinClient() async throws {
        let server = try await ServerProcess.start()
        let hub = try #require(server.connection.hubs.first)
        let report = try await PythonRunner.run(
            "hub_pnp.py", [server.connection.trustBundle, hub.serviceConnectionString, "pnp-device-1"], as: Report.self, timeout: .seconds(120))

        #expect(report.twinModelId == Self.model)
        #expect(Self.member(report.before, "$dtId") == .string("pnp-device-1"))
        #expect(Self.member(report.before, "$metadata", "$model") == .string(Self.model))
        #expect(Self.member(report.before, "serialNumber") == .string("SN-1"))
        #expect(Self.member(report.before, "targetTemperature") == .number(20), "an acknowledged writable property shows its value")
        #expect(Self.member(report.before, "$metadata", "targetTemperature", "ackCode") == .number(200))
        #expect(Self.member(report.before, "thermostat1", "maxTempSinceLastReboot") == .number(30.5))
        #expect(Self.member(report.before, "thermostat1", "__t") == nil)

        #expect(report.rootCommand == .object(["method": .string("reboot"), "echo": .object(["delay": .number(1)])]))
        #expect(report.componentCommand.status == 201)
        #expect(Self.member(report.componentCommand.payload, "method") == .string("thermostat1*getMaxMinReport"))
        #expect(Self.member(report.componentCommand.payload, "echo") == .string("2026-01-01"))
        #expect(Self.member(report.componentCommandClient, "echo") == .object(["since": .number(1)]))

        #expect(Self.member(report.devicePatch, "targetTemperature") == .number(42))
        #expect(Self.member(report.devicePatch, "thermostat1") == .object(["__t": .string("c"), "targetTemperature": .number(50)]))
        #expect(Self.member(report.after, "$metadata", "targetTemperature", "desiredValue") == .number(42))
        #expect(Self.member(report.after, "thermostat1", "$metadata", "targetTemperature", "desiredValue") == .number(50))
        #expect(Self.member(report.after, "targetTemperature") == .number(20), "the reported value stays until the device acknowledges")
        #expect(report.badPatchStatus == 400)
    }
}
