@testable import Gateway
import Hub
import Provisioning
import Testing

/// Plug and Play pieces without a server: DTMI checks, the digital twin built from a twin, JSON Patch to desired
/// patch, and the MQTT username's model-id.
@Suite struct DigitalTwinTests {
    static func twin() -> DeviceTwin {
        var twin = DeviceTwin(etag: "e1")
        twin.modelId = "dtmi:com:example:TemperatureController;2"
        twin.desired = ["targetTemperature": .number(25), "thermostat1": .object(["__t": .string("c"), "targetTemperature": .number(30)])]
        twin.desiredVersion = 4
        twin.reported = [
            "serialNumber": .string("SN-1"),
            "targetTemperature": .object(["value": .number(25), "ac": .number(200), "av": .number(4), "ad": .string("ok")]),
            "thermostat1": .object(["__t": .string("c"), "maxTemp": .number(31)]),
            "settings": .object(["mode": .string("eco")]),
        ]
        return twin
    }

    @Test(arguments: [
        ("dtmi:com:example:Thermostat;1", true),
        ("dtmi:a_b:C9;12", true),
        ("dtmi:com:example:Thermostat", false),
        ("dtmi:com:9example;1", false),
        ("dtmi:com:example_;1", false),
        ("dtmi::x;1", false),
        ("urn:com:example;1", false),
        ("dtmi:com:ex-ample;1", false),
        ("dtmi:com:example;1a", false),
    ])
    func modelIds(text: String, valid: Bool) {
        #expect(DigitalTwinModelId.isValid(text) == valid)
    }

    @Test func documentFromTwin() throws {
        let document = DigitalTwinDocument.make(deviceId: "pnp-1", twin: Self.twin())
        #expect(document["$dtId"] == .string("pnp-1"))
        #expect(document["$metadata"]?["$model"] == .string("dtmi:com:example:TemperatureController;2"))
        #expect(document["serialNumber"] == .string("SN-1"))
        #expect(document["settings"] == .object(["mode": .string("eco")]), "an object property is a value, not a component")
        #expect(document["targetTemperature"] == .number(25))
        let target = try #require(document["$metadata"]?["targetTemperature"])
        #expect(target["desiredValue"] == .number(25) && target["desiredVersion"] == .number(4))
        #expect(target["ackCode"] == .number(200) && target["ackVersion"] == .number(4) && target["ackDescription"] == .string("ok"))
        let component = try #require(document["thermostat1"])
        #expect(component["__t"] == nil && component["maxTemp"] == .number(31))
        #expect(component["$metadata"]?["targetTemperature"]?["desiredValue"] == .number(30))
    }

    @Test func patchBecomesDesiredPatch() throws {
        let operations: JSONValue = .array([
            .object(["op": .string("add"), "path": .string("/targetTemperature"), "value": .number(40)]),
            .object(["op": .string("replace"), "path": .string("/thermostat1/targetTemperature"), "value": .number(41)]),
            .object(["op": .string("remove"), "path": .string("/thermostat1/old")]),
            .object(["op": .string("add"), "path": .string("/settings/mode"), "value": .string("boost")]),
            .object(["op": .string("add"), "path": .string("/newComponent/p"), "value": .bool(true)]),
            .object(["op": .string("add"), "path": .string("/a~1b"), "value": .number(1)]),
        ])
        let patch = try DigitalTwinPatch.desiredPatch(operations, twin: Self.twin())
        #expect(patch == [
            "targetTemperature": .number(40),
            "thermostat1": .object(["__t": .string("c"), "targetTemperature": .number(41), "old": .null]),
            "settings": .object(["mode": .string("boost")]),
            "newComponent": .object(["__t": .string("c"), "p": .bool(true)]),
            "a/b": .number(1),
        ])
    }

    @Test(arguments: [
        (JSONValue.object([:]), "non-empty JSON array"),
        (.array([]), "non-empty JSON array"),
        (.array([.object(["op": .string("move"), "path": .string("/a"), "from": .string("/b")])]), "not supported"),
        (.array([.object(["op": .string("add"), "path": .string("/a")])]), "needs a 'value'"),
        (.array([.object(["op": .string("add"), "path": .string("a"), "value": .number(1)])]), "must name a property"),
        (.array([.object(["op": .string("add"), "path": .string("/$metadata"), "value": .number(1)])]), "'$'-prefixed"),
        (.array([.object(["path": .string("/a")])]), "must be strings"),
    ])
    func badPatches(operations: JSONValue, reason: String) {
        #expect {
            _ = try DigitalTwinPatch.desiredPatch(operations, twin: Self.twin())
        } throws: { error in
            guard let error = error as? HubError else { return false }
            return error.status == 400 && error.message.contains(reason)
        }
    }

    @Test(arguments: [
        ("hub/dev/?api-version=2020-09-30&DeviceClientType=py&model-id=dtmi%3Acom%3Aexample%3AThermostat%3B1", "dtmi:com:example:Thermostat;1"),
        ("hub/dev/mod/?model-id=dtmi:a:b;2&api-version=2021-04-12", "dtmi:a:b;2"),
        ("hub/dev/?api-version=2021-04-12&DeviceClientType=py", nil),
        ("hub/dev/", nil),
        ("hub/dev/?model-id", nil),
    ])
    func modelIdInMQTTUsername(username: String, expected: String?) {
        #expect(HubConnectAuthenticator.modelId(username: username) == expected)
    }
}
