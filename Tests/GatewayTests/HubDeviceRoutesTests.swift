import Foundation
import HTTPTypes
import Hub
import Hummingbird
import HummingbirdTesting
import Provisioning
import AccessControl
import Testing

@Suite struct HubDeviceRoutesTests {
    @Test func createWithGeneratedKeysGetAndDelete() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            // The body `create_device_with_sas(id, None, None, "enabled")` sends.
            let created = try await fixture.createDevice("dev1", client: client)
            #expect(created["deviceId"] == .string("dev1"))
            #expect(created["status"] == .string("enabled"))
            #expect(created["connectionState"] == .string("Disconnected"))
            #expect(created["authentication"]?["type"] == .string("sas"))
            for key in ["primaryKey", "secondaryKey"] {
                let text = try #require(created["authentication"]?["symmetricKey"]?[key]?.stringValue)
                #expect(Data(base64Encoded: text)?.count == 32, "generated keys are 32 bytes")
            }
            let etag = try #require(created["etag"]?.stringValue)
            #expect(created["generationId"]?.stringValue?.count == 18)

            let fetched = try await client.execute(uri: "/devices/dev1" + hubAPIVersion, method: .get, headers: fixture.headers())
            #expect(fetched.status == .ok)
            #expect(try fetched.json() == created)

            let twin = try await client.execute(uri: "/twins/dev1" + hubAPIVersion, method: .get, headers: fixture.headers())
            #expect(twin.status == .ok)
            #expect(try twin.json()["tags"] == .object([:]), "a new device has an empty twin")
            #expect(try twin.json()["properties"]?["desired"]?["$version"] == .number(1))

            let deleted = try await client.execute(uri: "/devices/dev1" + hubAPIVersion, method: .delete,
                                                   headers: fixture.headers(ifMatch: "\"\(etag)\""))
            #expect(deleted.status == .noContent && deleted.body.readableBytes == 0)
            let gone = try await client.execute(uri: "/devices/dev1" + hubAPIVersion, method: .get, headers: fixture.headers())
            try expectHubError(gone, status: .notFound, name: "DeviceNotFound", errorCode: 404_001)
            #expect(fixture.notifier.disconnected == ["dev1"], "a deleted device is disconnected")
        }
    }

    @Test func givenKeysThumbprintsAndCertificateAuthority() async throws {
        let fixture = HubServiceFixture()
        let primary = SharedAccessKey.generate(byteCount: 32).base64
        let secondary = SharedAccessKey.generate(byteCount: 16).base64
        try await fixture.test { client in
            let sas = try await client.execute(
                uri: "/devices/keyed", method: .put, headers: fixture.headers(),
                body: .json(#"{"deviceId": "keyed", "authentication": {"type": "sas", "symmetricKey": {"primaryKey": "\#(primary)", "secondaryKey": "\#(secondary)"}}}"#))
            #expect(sas.status == .ok)
            #expect(try sas.json()["authentication"]?["symmetricKey"] == .object(["primaryKey": .string(primary), "secondaryKey": .string(secondary)]))

            let selfSigned = try await client.execute(
                uri: "/devices/x509", method: .put, headers: fixture.headers(),
                body: .json(#"{"deviceId": "x509", "status": "disabled", "authentication": {"type": "selfSigned", "x509Thumbprint": {"primaryThumbprint": "0123456789abcdef0123456789abcdef01234567", "secondaryThumbprint": null}}}"#))
            #expect(selfSigned.status == .ok, "\(selfSigned.text)")
            let device = try selfSigned.json()
            #expect(device["status"] == .string("disabled"))
            #expect(device["authentication"]?["type"] == .string("selfSigned"))
            #expect(device["authentication"]?["x509Thumbprint"]?["primaryThumbprint"] == .string("0123456789ABCDEF0123456789ABCDEF01234567"))
            #expect(device["authentication"]?["symmetricKey"] == nil)

            let ca = try await client.execute(uri: "/devices/ca-device", method: .put, headers: fixture.headers(),
                                              body: .json(#"{"deviceId": "ca-device", "authentication": {"type": "certificateAuthority"}}"#))
            #expect(ca.status == .ok)
            #expect(try ca.json()["authentication"]?["type"] == .string("certificateAuthority"))
        }
    }

    @Test func existingDeviceWithoutIfMatchIs409AndIfMatchRulesApply() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            let created = try await fixture.createDevice("dev1", client: client)
            let etag = try #require(created["etag"]?.stringValue)
            let body = #"{"deviceId": "dev1", "status": "enabled", "authentication": {"type": "sas", "symmetricKey": {}}}"#
            let again = try await client.execute(uri: "/devices/dev1", method: .put, headers: fixture.headers(), body: .json(body))
            try expectHubError(again, status: .conflict, name: "DeviceAlreadyExists", errorCode: 409_001)
            let sameCase = try await client.execute(uri: "/devices/DEV1", method: .put, headers: fixture.headers(),
                                                    body: .json(#"{"authentication": {"type": "sas"}}"#))
            try expectHubError(sameCase, status: .conflict, name: "DeviceAlreadyExists")

            // update_device_with_sas(etag=None) sends `"*"`; keys left out are kept, nothing is disconnected.
            let wildcard = try await client.execute(uri: "/devices/dev1", method: .put, headers: fixture.headers(ifMatch: "\"*\""), body: .json(body))
            #expect(wildcard.status == .ok)
            let updated = try wildcard.json()
            #expect(updated["authentication"] == created["authentication"])
            #expect(updated["generationId"] == created["generationId"])
            let newETag = try #require(updated["etag"]?.stringValue)
            #expect(newETag != etag)
            #expect(fixture.notifier.disconnected.isEmpty)

            let stale = try await client.execute(uri: "/devices/dev1", method: .put, headers: fixture.headers(ifMatch: "\"\(etag)\""), body: .json(body))
            try expectHubError(stale, status: .preconditionFailed, name: "PreconditionFailed", errorCode: 412_001)
            let unquoted = try await client.execute(uri: "/devices/dev1", method: .put, headers: fixture.headers(ifMatch: newETag), body: .json(body))
            #expect(unquoted.status == .ok, "If-Match without quotes matches too")

            let staleDelete = try await client.execute(uri: "/devices/dev1", method: .delete, headers: fixture.headers(ifMatch: "\"\(etag)\""))
            try expectHubError(staleDelete, status: .preconditionFailed)
            let missingUpdate = try await client.execute(uri: "/devices/nobody", method: .put, headers: fixture.headers(ifMatch: "\"*\""),
                                                         body: .json(#"{"authentication": {"type": "sas"}}"#))
            try expectHubError(missingUpdate, status: .notFound, name: "DeviceNotFound")
            let missingDelete = try await client.execute(uri: "/devices/nobody", method: .delete, headers: fixture.headers(ifMatch: "\"*\""))
            try expectHubError(missingDelete, status: .notFound, name: "DeviceNotFound")
        }
    }

    @Test func newKeysOrDisablingDisconnectTheDevice() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            try await fixture.createDevice("dev1", client: client)
            fixture.notifier.connect("dev1")
            let fetched = try await client.execute(uri: "/devices/dev1", method: .get, headers: fixture.headers())
            #expect(try fetched.json()["connectionState"] == .string("Connected"))

            let key = SharedAccessKey.generate(byteCount: 32).base64
            let rekeyed = try await client.execute(
                uri: "/devices/dev1", method: .put, headers: fixture.headers(ifMatch: "*"),
                body: .json(#"{"authentication": {"type": "sas", "symmetricKey": {"primaryKey": "\#(key)"}}}"#))
            #expect(rekeyed.status == .ok)
            #expect(try rekeyed.json()["authentication"]?["symmetricKey"]?["primaryKey"] == .string(key))
            #expect(fixture.notifier.disconnected == ["dev1"])

            fixture.notifier.connect("dev1")
            let disabled = try await client.execute(uri: "/devices/dev1", method: .put, headers: fixture.headers(ifMatch: "*"),
                                                    body: .json(#"{"status": "disabled", "statusReason": "maintenance"}"#))
            #expect(try disabled.json()["status"] == .string("disabled"))
            #expect(try disabled.json()["statusReason"] == .string("maintenance"))
            #expect(fixture.notifier.disconnected == ["dev1", "dev1"])
        }
    }

    @Test(arguments: [
        ("{not json", "not valid JSON"),
        ("", "a JSON request body is required"),
        (#"{"deviceId": "other"}"#, "differs from the device id"),
        (#"{"status": "paused"}"#, "status must be"),
        (#"{"authentication": {"type": "tpm"}}"#, "authentication.type"),
        (#"{"authentication": {"type": "sas", "symmetricKey": {"primaryKey": "short"}}}"#, "primaryKey must be Base64"),
        (#"{"authentication": {"type": "selfSigned", "x509Thumbprint": {"primaryThumbprint": "xyz"}}}"#, "primaryThumbprint must be"),
        (#"{"authentication": {"type": "selfSigned"}}"#, "needs x509Thumbprint.primaryThumbprint"),
        (#"{"status": 5}"#, "'status' has the wrong JSON type"),
        ("[1, 2]", "wrong JSON type"),
    ])
    func malformedDeviceBodiesAre400(body: String, reason: String) async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            let response = try await client.execute(uri: "/devices/dev1", method: .put, headers: fixture.headers(), body: .json(body))
            try expectHubError(response, status: .badRequest, name: "ArgumentInvalid", errorCode: 400_004)
            #expect(response.text.contains(reason), "\(response.text)")
        }
    }

    @Test func invalidDeviceIdsAre400() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            let long = String(repeating: "a", count: 129)
            for id in [long, "bad%20space", "caf%C3%A9"] {
                let response = try await client.execute(uri: "/devices/\(id)", method: .put, headers: fixture.headers(), body: .json("{}"))
                try expectHubError(response, status: .badRequest, name: "ArgumentInvalid")
            }
            let quoted = try await client.execute(uri: "/devices/a%3Ab", method: .put, headers: fixture.headers(), body: .json("{}"))
            #expect(quoted.status == .ok, "percent-encoded ids are decoded: \(quoted.text)")
            #expect(try quoted.json()["deviceId"] == .string("a:b"))
        }
    }

    @Test func listingAndStatistics() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            for id in ["c", "A", "b"] { try await fixture.createDevice(id, client: client) }
            try await fixture.createDevice("d", client: client, status: "disabled")
            fixture.notifier.connect("b")

            let all = try await client.execute(uri: "/devices" + hubAPIVersion, method: .get, headers: fixture.headers())
            #expect(all.status == .ok)
            let devices = try #require(try all.json().arrayValue)
            #expect(devices.map { $0["deviceId"] } == ["A", "b", "c", "d"].map { .string($0) })
            #expect(devices[1]["connectionState"] == .string("Connected"))
            let top = try await client.execute(uri: "/devices?top=2&api-version=2021-04-12", method: .get, headers: fixture.headers())
            #expect(try top.json().arrayValue?.count == 2)
            let outOfRange = try await client.execute(uri: "/devices?top=0", method: .get, headers: fixture.headers())
            #expect(try outOfRange.json().arrayValue?.count == 4, "the SDK documents top outside 1–1000 as 1000")
            let notANumber = try await client.execute(uri: "/devices?top=many", method: .get, headers: fixture.headers())
            try expectHubError(notANumber, status: .badRequest)

            let registry = try await client.execute(uri: "/statistics/devices" + hubAPIVersion, method: .get, headers: fixture.headers())
            #expect(registry.status == .ok)
            #expect(try registry.json() == .object(["totalDeviceCount": .number(4), "enabledDeviceCount": .number(3), "disabledDeviceCount": .number(1)]))
            let service = try await client.execute(uri: "/statistics/service" + hubAPIVersion, method: .get, headers: fixture.headers())
            #expect(service.status == .ok)
            #expect(try service.json() == .object(["connectedDeviceCount": .number(1)]))
        }
    }

    @Test func deletePurgesTheCloudToDeviceQueue() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            try await fixture.createDevice("dev1", client: client)
            try await fixture.createDevice("dev2", client: client)
            for id in ["dev1", "dev1", "dev2"] {
                let sent = try await client.execute(uri: "/devices/\(id)/messages/deviceBound", method: .post, headers: fixture.headers(),
                                                    body: .json(#"{"payload": "hi"}"#))
                #expect(sent.status == .noContent)
            }
            let deleted = try await client.execute(uri: "/devices/dev1", method: .delete, headers: fixture.headers(ifMatch: "\"*\""))
            #expect(deleted.status == .noContent)
            #expect(await fixture.store.queuedMessages().map(\.deviceId) == ["dev2"])
        }
    }
}
