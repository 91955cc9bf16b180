import Foundation
import HTTPTypes
import Hub
import Hummingbird
import HummingbirdTesting
import Provisioning
import Testing

@Suite struct HubTwinRoutesTests {
    @Test func patchMergesAndPutReplaces() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            try await fixture.createDevice("dev1", client: client)
            // update_twin(id, Twin(tags=…, properties=TwinProperties(desired=…))) with etag None sends If-Match "*".
            let patched = try await client.execute(
                uri: "/twins/dev1" + hubAPIVersion, method: .patch, headers: fixture.headers(ifMatch: "\"*\""),
                body: .json(#"{"tags": {"x": "y", "site": {"floor": 3}}, "properties": {"desired": {"temperature": 21}}}"#))
            #expect(patched.status == .ok, "\(patched.text)")
            let twin = try patched.json()
            #expect(twin["deviceId"] == .string("dev1"))
            #expect(twin["tags"] == .object(["x": .string("y"), "site": .object(["floor": .number(3)])]))
            #expect(twin["properties"]?["desired"]?["temperature"] == .number(21))
            #expect(twin["properties"]?["desired"]?["$version"] == .number(2))
            #expect(twin["properties"]?["reported"] != nil)
            let etag = try #require(twin["etag"]?.stringValue)
            #expect(fixture.notifier.desiredPatches("dev1").count == 1, "the device is told")

            let merged = try await client.execute(uri: "/twins/dev1", method: .patch, headers: fixture.headers(ifMatch: etag),
                                                  body: .json(#"{"tags": {"site": null, "y": 1}}"#))
            #expect(try merged.json()["tags"] == .object(["x": .string("y"), "y": .number(1)]))

            let stale = try await client.execute(uri: "/twins/dev1", method: .patch, headers: fixture.headers(ifMatch: "\"\(etag)\""),
                                                 body: .json(#"{"tags": {}}"#))
            try expectHubError(stale, status: .preconditionFailed, name: "PreconditionFailed")

            let replaced = try await client.execute(uri: "/twins/dev1", method: .put, headers: fixture.headers(ifMatch: "\"*\""),
                                                    body: .json(#"{"tags": {"only": true}, "properties": {"desired": {"mode": "eco"}}}"#))
            #expect(replaced.status == .ok)
            let document = try replaced.json()
            #expect(document["tags"] == .object(["only": .bool(true)]))
            #expect(document["properties"]?["desired"]?["temperature"] == nil)
            #expect(document["properties"]?["desired"]?["mode"] == .string("eco"))

            let fetched = try await client.execute(uri: "/twins/dev1", method: .get, headers: fixture.headers())
            #expect(try fetched.json()["tags"] == document["tags"])
        }
    }

    @Test func twinErrors() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            try await fixture.createDevice("dev1", client: client)
            let missing = try await client.execute(uri: "/twins/nobody", method: .get, headers: fixture.headers())
            try expectHubError(missing, status: .notFound, name: "DeviceNotFound", errorCode: 404_001)
            for body in ["{oops", "[]", #"{"tags": 5}"#, #"{"properties": {"desired": "x"}}"#] {
                let response = try await client.execute(uri: "/twins/dev1", method: .patch, headers: fixture.headers(), body: .json(body))
                try expectHubError(response, status: .badRequest, name: "ArgumentInvalid")
            }
            // Three values within the 4 KB value limit, 9 KB together: over the 8 KB tags limit.
            let part = String(repeating: "x", count: 3 * 1024)
            let large = try await client.execute(uri: "/twins/dev1", method: .patch, headers: fixture.headers(),
                                                 body: .json(#"{"tags": {"a": "\#(part)", "b": "\#(part)", "c": "\#(part)"}}"#))
            try expectHubError(large, status: .contentTooLarge, name: "MessageTooLarge")
            // One value over IoT Hub's 4 KB value limit: ArgumentInvalid, as IoT Hub answers.
            let longValue = try await client.execute(uri: "/twins/dev1", method: .patch, headers: fixture.headers(),
                                                     body: .json(#"{"properties": {"desired": {"v": "\#(String(repeating: "y", count: 4097))"}}}"#))
            try expectHubError(longValue, status: .badRequest, name: "ArgumentInvalid")
        }
    }

    @Test func queryFiltersAndPages() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            for index in 1...5 {
                try await fixture.createDevice("dev\(index)", client: client)
                let _ = try await client.execute(uri: "/twins/dev\(index)", method: .patch, headers: fixture.headers(),
                                                 body: .json(#"{"tags": {"x": "\#(index % 2 == 0 ? "even" : "odd")", "n": \#(index)}}"#))
            }
            let odd = try await client.execute(uri: "/devices/query" + hubAPIVersion, method: .post, headers: fixture.headers(),
                                               body: .json(#"{"query": "SELECT * FROM devices WHERE tags.x = 'odd'"}"#))
            #expect(odd.status == .ok)
            #expect(odd.headers[HTTPField.Name("x-ms-item-type")!] == "twin")
            #expect(odd.headers[HTTPField.Name("x-ms-continuation")!] == nil)
            #expect(try odd.json().arrayValue?.map { $0["deviceId"] } == ["dev1", "dev3", "dev5"].map { .string($0) })
            #expect(try odd.json().arrayValue?.first?["tags"]?["n"] == .number(1), "items are whole twin documents")

            var seen: [JSONValue?] = []
            var continuation: String?
            var pages = 0
            repeat {
                var extra: [HTTPField.Name: String] = [HTTPField.Name("x-ms-max-item-count")!: "2"]
                if let continuation { extra[HTTPField.Name("x-ms-continuation")!] = continuation }
                let page = try await client.execute(uri: "/devices/query", method: .post, headers: fixture.headers(extra: extra),
                                                    body: .json(#"{"query": "select * from devices where tags.n >= 2"}"#))
                #expect(page.status == .ok)
                seen += try page.json().arrayValue?.map { $0["deviceId"] } ?? []
                continuation = page.headers[HTTPField.Name("x-ms-continuation")!]
                pages += 1
            } while continuation != nil && pages < 10
            #expect(seen == ["dev2", "dev3", "dev4", "dev5"].map { .string($0) })
            #expect(pages == 2)

            let all = try await client.execute(uri: "/devices/query", method: .post, headers: fixture.headers(),
                                               body: .json(#"{"query": "SELECT * FROM devices"}"#))
            #expect(try all.json().arrayValue?.count == 5)
        }
    }

    @Test func querySyntaxErrorsAre400WithPosition() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            let bad = try await client.execute(uri: "/devices/query", method: .post, headers: fixture.headers(),
                                               body: .json(#"{"query": "SELECT * FROM devices WHERE tags.x = = 1"}"#))
            try expectHubError(bad, status: .badRequest, name: "ArgumentInvalid", errorCode: 400_004)
            #expect(bad.text.contains("position 38"), "\(bad.text)")
            for body in [#"{"query": 5}"#, "{}", "nope", #"{"query": "SELECT LOWER(deviceId) FROM devices"}"#] {
                let response = try await client.execute(uri: "/devices/query", method: .post, headers: fixture.headers(), body: .json(body))
                try expectHubError(response, status: .badRequest)
            }
            let badToken = try await client.execute(uri: "/devices/query", method: .post,
                                                    headers: fixture.headers(extra: [HTTPField.Name("x-ms-continuation")!: "%%%"]),
                                                    body: .json(#"{"query": "SELECT * FROM devices"}"#))
            try expectHubError(badToken, status: .badRequest)
            let badCount = try await client.execute(uri: "/devices/query", method: .post,
                                                    headers: fixture.headers(extra: [HTTPField.Name("x-ms-max-item-count")!: "0"]),
                                                    body: .json(#"{"query": "SELECT * FROM devices"}"#))
            try expectHubError(badCount, status: .badRequest)
        }
    }

    @Test func queryUsesLiveConnectionState() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            try await fixture.createDevice("on", client: client)
            try await fixture.createDevice("off", client: client)
            fixture.notifier.connect("on")
            let connected = try await client.execute(uri: "/devices/query", method: .post, headers: fixture.headers(),
                                                     body: .json(#"{"query": "SELECT * FROM devices WHERE connectionState = 'Connected'"}"#))
            #expect(try connected.json().arrayValue?.map { $0["deviceId"] } == [.string("on")])
            let twin = try await client.execute(uri: "/twins/on", method: .get, headers: fixture.headers())
            #expect(try twin.json()["connectionState"] == .string("Connected"))
        }
    }
}
